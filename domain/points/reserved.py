"""Reserved points (留保ポイント): moved by the resident, or automatically after 14 days.

* ``move_reserved_points`` (a card session): into a regular program (re-dated to its validity,
  plus the premium of a running campaign as its own PREMIUM entry from the municipality's budget),
  into a running HELD support event (the resident's own balance there, "like a second municipality
  code", spendable where the event allows until it expires), or given to a running DONATION event
  (a GIFT entry; the organiser sees who gave what).
* ``auto_move_due``: reserved points that arrived on day D move at 00:00 JST on day D+14 to the
  resident's basic municipality's regular program. One resident per transaction: a crash leaves
  the rest due, and a re-run moves only what is still reserved (the lots are used up by the move).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.auth.access import require_current_card_session
from domain.auth.actor import Actor
from domain.clock import Clock, japan_date
from domain.errors import DomainError, ErrorCode
from domain.events import Event, publish
from domain.ledger.journal import Funder, Leg, post_entry
from domain.ledger.rules import expiry_instant
from domain.municipalities.queries import list_municipalities_by_id
from domain.points import accounts
from domain.programs.queries import ProgramView, active_campaign, get_program, regular_program
from domain.programs.rules import event_open, premium
from domain.sql import Sql, reader, transaction
from models.ledger import FunderKind
from models.programs import ProgramKind

AUTO_MOVE_ACTOR = "system:auto-move"
log = logging.getLogger("mykey.jobs")
EPSILON = timedelta(microseconds=1)


@dataclass(frozen=True)
class Moved:
    program: ProgramView
    points: int
    premium: int


async def into_program(
    sql: Sql,
    resident_id: int,
    program: ProgramView,
    points: int,
    now: datetime,
    actor: str,
    kind: str,
    lots_as_of: datetime | None = None,
) -> Moved:
    reserved = await accounts.open_reserved(sql, resident_id, now)
    expires_at = expiry_instant(now, program.validity_days)
    municipality = (await list_municipalities_by_id(sql, [program.municipality_id]))[program.municipality_id]
    if program.takes_donations:
        dest = await accounts.open_gifts(sql, program.id, now)
        memo = f"{municipality.name} {program.name} への応援"
    else:
        dest = await accounts.open_program(sql, resident_id, program.id, now)
        memo = f"{municipality.name} {program.name} へ移行"
    leg = Leg(reserved, dest, points, expires_at=expires_at)
    await post_entry(sql, kind=kind, actor=actor, now=now, legs=[leg], memo=memo, lots_as_of=lots_as_of)
    await publish(sql, Event(f"resident:{resident_id}", kind, {"points": points}))
    extra = 0
    campaign = await active_campaign(sql, program.id, now) if not program.takes_donations else None
    if campaign is not None and (extra := premium(points, campaign.rate_percent)) > 0:
        budget = await accounts.open_budget(sql, municipality, now)
        bonus = Leg(budget, dest, extra, Funder(FunderKind.PREMIUM, municipality.code), expires_at)
        memo = f"{municipality.name} {program.name} プレミアム {campaign.rate_percent}%"
        await post_entry(sql, kind="PREMIUM", actor=actor, now=now, legs=[bonus], memo=memo)
    return Moved(program, points, extra)


def check_move_target(program: ProgramView, now: datetime) -> None:
    if program.kind is ProgramKind.SUPPORT_EVENT and not event_open(
        program.starts_on, program.ends_on, japan_date(now)
    ):
        raise DomainError(ErrorCode.EXPIRED, "This support event is not taking points now.", "programId")
    if not program.takes_donations and program.yen_per_point != 1:
        raise DomainError(
            ErrorCode.NOT_ACCEPTED_HERE,
            "Reserved points (1 pt = 1 yen) go to programs worth 1 yen a point.",
            "programId",
        )


async def move_reserved_points(actor: Actor | None, program_id: int, points: int, now: datetime) -> Moved:
    actor = await require_current_card_session(actor, now)
    if isinstance(points, bool) or not 1 <= points <= 10_000_000:
        raise DomainError(ErrorCode.INVALID_INPUT, "Move 1 point or more.", "points")

    async def work(sql: Sql) -> Moved:
        program = await get_program(sql, program_id)
        check_move_target(program, now)
        return await into_program(sql, actor.id, program, points, now, actor.label, move_kind(program))

    return await transaction(work)


async def home_program(sql: Sql, resident_id: int) -> ProgramView | None:
    """Where reserved points go when nobody chose: the regular program of the resident's basic
    municipality (None without a basic municipality, or if it has no regular program)."""
    basic = await sql.fetchval("SELECT basic_municipality_id FROM residents WHERE id = $1", resident_id)
    return None if basic is None else await regular_program(sql, int(basic))


async def move_reserved_home(actor: Actor | None, now: datetime) -> Moved:
    """One tap: all the resident's reserved points into :func:`home_program` (a card session), as the
    automatic move would, but now."""
    actor = await require_current_card_session(actor, now)

    async def work(sql: Sql) -> Moved:
        program = await home_program(sql, actor.id)
        if program is None:
            raise DomainError(
                ErrorCode.NOT_FOUND, "Choose a basic municipality with a regular program first.", "programId"
            )
        reserved = await accounts.open_reserved(sql, actor.id, now)
        await sql.fetch(f"SELECT id FROM accounts WHERE id = $1{sql.for_update}", reserved.id)
        points = await sql.fetchint(  # what is still reserved (lots past their move time are the job's)
            "SELECT COALESCE(SUM(remaining), 0) FROM lots WHERE account_id = $1 AND remaining > 0"
            " AND expires_at > $2",
            reserved.id,
            now,
        )
        if points <= 0:
            raise DomainError(ErrorCode.NOT_FOUND, "You have no reserved points to move.", "points")
        check_move_target(program, now)
        return await into_program(sql, actor.id, program, points, now, actor.label, move_kind(program))

    return await transaction(work)


def move_kind(program: ProgramView) -> str:
    """GIFT into a donation event; MOVE_RESERVED into a program or a held event (the resident keeps them)."""
    return "GIFT" if program.takes_donations else "MOVE_RESERVED"


@dataclass
class AutoMoveReport:
    residents: int = 0
    points: int = 0
    stuck: list[int] = field(default_factory=list)  # residents whose basic municipality has no program
    failed: list[int] = field(default_factory=list)  # residents whose move failed (logged; retried tomorrow)


@dataclass(frozen=True)
class _Due:
    id: int
    resident_id: int
    first_due: datetime


async def _due_accounts(sql: Sql, now: datetime, after: int, limit: int) -> list[_Due]:
    return await sql.fetch_as(
        _Due,
        "SELECT a.id, a.resident_id, MIN(l.expires_at) AS first_due FROM lots l"
        " JOIN accounts a ON a.id = l.account_id WHERE a.kind = 'RESIDENT_RESERVED' AND l.remaining > 0"
        " AND l.expires_at <= $1 AND a.id > $2 GROUP BY a.id, a.resident_id ORDER BY a.id LIMIT $3",
        now,
        after,
        limit,
    )


async def _auto_move_one(row: _Due, now: datetime) -> tuple[int, bool]:
    resident_id = row.resident_id

    async def work(sql: Sql) -> tuple[int, bool]:
        program = await home_program(sql, resident_id)
        if program is None:
            return 0, False
        # take the due lots as they were just before their move time (now is past it)
        due = await sql.fetchval(
            "SELECT SUM(remaining) FROM lots WHERE account_id = $1 AND remaining > 0 AND expires_at <= $2",
            row.id,
            now,
        )
        if not due:
            return 0, True
        as_of = row.first_due - EPSILON
        moved = await into_program(
            sql, resident_id, program, int(due), now, AUTO_MOVE_ACTOR, "AUTO_MOVE", as_of
        )
        return moved.points, True

    return await transaction(work)


async def auto_move_due(clock: Clock, batch: int = 500) -> AutoMoveReport:
    now = clock.now()
    report = AutoMoveReport()
    after = 0
    while rows := await _due_accounts(reader(), now, after, batch):
        for row in rows:
            try:
                points, moved = await _auto_move_one(row, now)
            except Exception:  # one resident's failure must not stop everyone else's move
                log.exception("auto-move failed for account %s; the rest go on", row.id)
                report.failed.append(row.resident_id)
                continue
            if not moved:
                report.stuck.append(row.resident_id)
            elif points:
                report.residents += 1
                report.points += points
        after = rows[-1].id
    return report
