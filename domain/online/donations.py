"""Donations (寄付) to a support event run as a DONATION (product.md §4, seed 002's alumni drive).

A resident with a card session gives points from one of their balances to a running donation event
of the same municipality (the municipality whose points they are pays the organiser at the event's
close, through settlement). One DONATE entry moves the points, with their funders, into the event's
gifts account; a ``donations`` row remembers who gave, from which program, and whether they agreed
to be named on the public event page (by the name they typed, else by their MyKey ID). Idempotent per
(resident, key): a retried donation returns the first answer and moves nothing more.
"""

from dataclasses import dataclass
from datetime import datetime

from domain.auth.access import require_current_card_session
from domain.auth.actor import Actor
from domain.clock import japan_date
from domain.errors import DomainError, ErrorCode
from domain.events import Event, publish
from domain.ledger.accounts import get_account
from domain.ledger.errors import insufficient_points
from domain.ledger.idempotency import RequestFields, check_key, idempotent
from domain.ledger.journal import Leg, post_entry
from domain.points import accounts
from domain.programs.queries import ProgramView, get_program
from domain.programs.rules import event_open
from domain.sql import Sql, reader
from models.programs import ProgramKind

MAX_POINTS = 10_000_000
NAME_LENGTH = 30


@dataclass(frozen=True)
class DonationDone:
    id: int
    program_id: int
    points: int
    show_name: bool
    created_at: datetime


def _check_event(event: ProgramView, now: datetime) -> None:
    if not event.takes_donations:
        raise DomainError(ErrorCode.NOT_ACCEPTED_HERE, "This program does not take donations.", "programId")
    if not event_open(event.starts_on, event.ends_on, japan_date(now)):
        raise DomainError(ErrorCode.EXPIRED, "This support event is not taking points now.", "programId")


def _donor_name(show_name: bool, donor_name: str | None) -> str | None:
    if not show_name:
        return None
    name = " ".join((donor_name or "").split())
    if len(name) > NAME_LENGTH or not name.isprintable():
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"A donor name is at most {NAME_LENGTH} characters.", "donorName"
        )
    return name or None


async def donate_points(
    actor: Actor | None,
    program_id: int,
    points: int,
    from_program_id: int,
    show_name: bool,
    key: str,
    now: datetime,
    donor_name: str | None = None,
) -> DonationDone:
    actor = await require_current_card_session(actor, now)
    check_key(key)
    if isinstance(points, bool) or not 1 <= points <= MAX_POINTS:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give 1 to {MAX_POINTS:,} points.", "points")
    name = _donor_name(show_name, donor_name)
    request: RequestFields = {
        "program": program_id,
        "from": from_program_id,
        "points": points,
        "showName": int(show_name),
        "name": name or "",
    }

    async def work(sql: Sql) -> DonationDone:
        event = await get_program(sql, program_id)
        _check_event(event, now)
        source = await get_program(sql, from_program_id, "fromProgramId")
        same_value = source.yen_per_point == event.yen_per_point  # the organiser is paid at the event's
        if source.municipality_id != event.municipality_id or source.takes_donations or not same_value:
            raise DomainError(
                ErrorCode.NOT_ACCEPTED_HERE,
                "Give this event points of its own municipality's program or held events, at the same yen"
                " per point.",
                "fromProgramId",
            )
        account = await get_account(sql, accounts.resident_program(actor.id, source.id))
        if account is None:
            raise insufficient_points(points, "points", available=0)
        gifts = await accounts.open_gifts(sql, event.id, now)
        entry = await post_entry(
            sql,
            kind="DONATE",
            actor=actor.label,
            now=now,
            legs=[Leg(account, gifts, points)],
            memo=f"{event.name} への寄付",
        )
        donation_id = await sql.fetchval(
            "INSERT INTO donations (program_id, resident_id, from_program_id, points, show_name, donor_name,"
            " entry_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            event.id,
            actor.id,
            source.id,
            points,
            show_name,
            name,
            entry.id,
            now,
        )
        await publish(sql, Event(f"resident:{actor.id}", "DONATE", {"points": -points}))
        return DonationDone(int(donation_id), event.id, points, show_name, now)

    return await idempotent(
        actor=actor.label, key=key, request=request, now=now, work=work, answer=DonationDone
    )


@dataclass(frozen=True)
class NamedDonor:
    name: str
    points: int
    at: datetime


@dataclass(frozen=True)
class EventProgress:
    points: int  # everything the event received: donations and reserved points given to it
    gifts: int  # how many times
    donors: list[NamedDonor]  # only those who agreed to be named, newest first


async def event_progress(program_id: int, limit: int = 100) -> EventProgress:
    """A support event's public progress (no sign-in): what it received, and the named donors."""
    sql = reader()
    event = await get_program(sql, program_id)
    if event.kind is not ProgramKind.SUPPORT_EVENT:
        raise DomainError(ErrorCode.NOT_FOUND, "No such support event.", "programId")
    totals = await received(sql, [program_id])
    donors = await sql.fetch_as(
        NamedDonor,
        "SELECT COALESCE(d.donor_name, r.my_key_id) AS name, d.points, d.created_at AS at FROM donations d"
        " JOIN residents r ON r.id = d.resident_id WHERE d.program_id = $1 AND d.show_name"
        " ORDER BY d.id DESC LIMIT $2",
        program_id,
        limit,
    )
    points, gifts = totals.get(program_id, (0, 0))
    return EventProgress(points, gifts, donors)


async def received(sql: Sql, program_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Points given to each event (reserved points given, and donations), and in how many gifts."""
    rows = await sql.fetch(
        "SELECT pot.program_id, COALESCE(SUM(g.amount), 0) AS points, COUNT(*) AS gifts FROM postings g"
        " JOIN accounts pot ON pot.id = g.account_id JOIN journal_entries e ON e.id = g.entry_id"
        " WHERE pot.kind = 'EVENT_GIFTS' AND e.kind IN ('GIFT', 'DONATE') AND g.amount > 0"
        f" AND {sql.any_of('pot.program_id', 1)} GROUP BY pot.program_id",
        sql.ids(program_ids),
    )
    return {int(r["program_id"]): (int(r["points"]), int(r["gifts"])) for r in rows}
