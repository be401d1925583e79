"""Administrative points (行政ポイント): one grant or tens of thousands in one batch.

A batch is checked row by row first (unknown or suspended MyKey ID, bad amount, a MyKey ID twice);
any bad row refuses the whole batch with every bad row reported, and nothing is applied. A good
batch is one journal entry from the municipality's budget, written with bulk statements, idempotent
as a whole under (caller, idempotency key). Who may grant: the municipality's staff and admins, its
GRANT terminals, and the operator.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from domain.audit.log import audit
from domain.auth.actor import Actor, Role
from domain.auth.permissions import Permission, permit
from domain.cards.proof import CardProof, terminal_purpose, verify_card_proof
from domain.cards.trust import CardTrust
from domain.clock import japan_date
from domain.collector import collector_held
from domain.errors import DomainError, ErrorCode
from domain.events import Event, publish
from domain.ledger.bulk import Credit, post_credits
from domain.ledger.idempotency import RequestFields, check_key, idempotent
from domain.ledger.journal import Funder
from domain.ledger.rules import expiry_instant
from domain.municipalities.queries import list_municipalities_by_id
from domain.notifications.outbox import enqueue, opted_in, points_granted
from domain.points import accounts
from domain.programs.access import access_program_by_id
from domain.programs.queries import ProgramView
from domain.programs.rules import event_open
from domain.residents.registration import card_owner
from domain.sql import Sql, reader
from models.ledger import FunderKind
from models.programs import ProgramKind

MAX_POINTS_PER_ROW = 1_000_000
MAX_ROWS = 200_000
LIVE_EVENTS_UP_TO = 1_000  # grants to more residents than this send no live events


@dataclass(frozen=True)
class GrantRow:
    my_key_id: str
    points: int


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based, as in the department's list
    my_key_id: str
    code: ErrorCode
    message: str
    reason: str  # which rule: points, unknown, twice, format (a page words it in its language)


@dataclass(frozen=True)
class GrantRequest:
    program_id: int
    reason: str
    idempotency_key: str
    rows: list[GrantRow]
    file_name: str | None = None  # a department's list: its file, for the history of batches


Progress = Callable[[int], Awaitable[None]]  # told how many rows have been checked so far
CHECK_CHUNK = 10_000


@dataclass
class GrantResult:
    entry_id: int | None = None
    granted: int = 0
    points: int = 0
    row_errors: list[RowError] = field(default_factory=list)


class GrantRefused(DomainError):
    def __init__(self, row_errors: list[RowError]) -> None:
        super().__init__(
            ErrorCode.INVALID_INPUT,
            f"{len(row_errors)} rows cannot be granted; nothing was granted.",
            "grants",
        )
        self.row_errors = row_errors


def row_errors(rows: list[GrantRow], residents: dict[str, int]) -> list[RowError]:
    errors, seen = [], set()
    for number, row in enumerate(rows, start=1):
        if isinstance(row.points, bool) or not 1 <= row.points <= MAX_POINTS_PER_ROW:
            errors.append(
                RowError(
                    number, row.my_key_id, ErrorCode.INVALID_INPUT, "Points are 1 to 1,000,000.", "points"
                )
            )
        elif row.my_key_id not in residents:
            errors.append(
                RowError(
                    number, row.my_key_id, ErrorCode.NOT_FOUND, "No active MyKey ID like this.", "unknown"
                )
            )
        elif row.my_key_id in seen:
            errors.append(
                RowError(
                    number, row.my_key_id, ErrorCode.INVALID_INPUT, "This MyKey ID appears twice.", "twice"
                )
            )
        seen.add(row.my_key_id)
    return errors


async def active_residents(sql: Sql, ids: list[str], progress: Progress | None = None) -> dict[str, int]:
    """The resident id of each MyKey ID that is active."""
    found: dict[str, int] = {}
    for start in range(0, len(ids), CHECK_CHUNK):
        chunk = ids[start : start + CHECK_CHUNK]
        rows = await sql.rows(
            f"SELECT id, my_key_id FROM residents WHERE {sql.any_text('my_key_id', 1)} AND status = 'ACTIVE'",
            sql.texts(chunk),
        )
        found.update({str(r["my_key_id"]): int(r["id"]) for r in rows})
        if progress is not None:
            await progress(start + len(chunk))
    return found


async def grantable(
    actor: Actor | None, program_id: int, reason: str, rows: int, now: datetime
) -> tuple[Actor, ProgramView, str]:
    """Who grants, into which program, and why — checked before any row is looked at."""
    actor, program = await access_program_by_id(actor, Permission.GRANT, reader(), program_id)
    reason = reason.strip()
    if not 1 <= len(reason) <= 200:
        raise DomainError(ErrorCode.INVALID_INPUT, "Say why, in 1–200 characters.", "reason")
    if not 1 <= rows <= MAX_ROWS:
        raise DomainError(ErrorCode.INVALID_INPUT, f"A batch has 1 to {MAX_ROWS:,} rows.", "grants")
    if program.kind is ProgramKind.SUPPORT_EVENT and not event_open(
        program.starts_on, program.ends_on, japan_date(now)
    ):
        raise DomainError(ErrorCode.EXPIRED, "This support event is not running.", "programId")
    return actor, program, reason


async def grant_points(
    actor: Actor | None, request: GrantRequest, now: datetime, progress: Progress | None = None
) -> GrantResult:
    check_key(request.idempotency_key)
    actor, program, reason = await grantable(
        actor, request.program_id, request.reason, len(request.rows), now
    )
    with collector_held():
        ids = sorted({r.my_key_id for r in request.rows})
        residents = await active_residents(reader(), ids, progress)
        errors = row_errors(request.rows, residents)
        if errors:
            raise GrantRefused(errors)
        payload: RequestFields = {
            "program": program.id,
            "reason": reason,
            "rows": [[r.my_key_id, r.points] for r in request.rows],
        }

        async def work(sql: Sql) -> _Granted:
            return await _apply(sql, actor, program, reason, request, residents, now)

        done = await idempotent(
            actor=actor.label,
            key=request.idempotency_key,
            request=payload,
            now=now,
            work=work,
            answer=_Granted,
        )
    return GrantResult(done.entry, done.granted, done.points)


@dataclass(frozen=True)
class _Granted:
    """What a batch's idempotency record remembers."""

    entry: int
    granted: int
    points: int


async def _apply(
    sql: Sql,
    actor: Actor,
    program: ProgramView,
    reason: str,
    request: GrantRequest,
    residents: dict[str, int],
    now: datetime,
) -> "_Granted":
    municipality = (await list_municipalities_by_id(sql, [program.municipality_id]))[program.municipality_id]
    source = await accounts.open_budget(sql, municipality, now)
    credits = [
        Credit(accounts.resident_program(residents[r.my_key_id], program.id), r.points) for r in request.rows
    ]
    entry_id = await post_credits(
        sql,
        kind="GRANT",
        actor=actor.label,
        now=now,
        source=source,
        credits=credits,
        funder=Funder(FunderKind.MUNICIPALITY, municipality.code),
        expires_at=expiry_instant(now, program.validity_days),
        memo=f"{municipality.name} {program.name}: {reason}",
        idempotency_key=request.idempotency_key,
    )
    granted = sum(c.amount for c in credits)
    await sql.execute(
        "INSERT INTO grant_batches (municipality_id, program_id, entry_id, department, sent_by, reason,"
        " file_name, rows, points, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        municipality.id,
        program.id,
        entry_id,
        actor.department if actor.role in (Role.MUNICIPALITY_STAFF, Role.TERMINAL) else None,
        actor.label,
        reason,
        request.file_name,
        len(credits),
        granted,
        now,
    )
    await audit(
        sql,
        actor,
        "grant",
        f"{program.name}: {len(credits):,} × MyKey ID, {granted:,} pt ({reason})",
        municipality.id,
        now,
    )
    points_of = {residents[r.my_key_id]: r.points for r in request.rows}
    wanting = await opted_in(sql, list(points_of), "notify_points_granted")
    where = f"{municipality.name}（{program.name}）"
    await enqueue(
        sql,
        [points_granted(to, rid, entry_id, points_of[rid], where, reason) for rid, to in wanting.items()],
        now,
    )
    if len(points_of) <= LIVE_EVENTS_UP_TO:  # a department's mass list is not pushed to phones one by one
        for resident_id, points in points_of.items():
            await publish(sql, Event(f"resident:{resident_id}", "GRANT", {"points": points}))
    return _Granted(entry_id, len(credits), granted)


@dataclass(frozen=True)
class CardGrant:
    """Points given at an event to the resident whose card is on the GRANT terminal."""

    my_key_id: str
    points: int
    entry_id: int | None


async def grant_with_card(
    actor: Actor | None,
    proof: CardProof,
    trust: CardTrust,
    program_id: int,
    points: int,
    reason: str,
    key: str,
    now: datetime,
) -> CardGrant:
    """A GRANT terminal at an event (a volunteer day, a health walk): the resident presents the card,
    the terminal gives the points, as one row of an ordinary grant (same checks, idempotent)."""
    actor = permit(actor, Permission.TERMINAL_GRANT)
    if isinstance(points, bool) or not 1 <= points <= MAX_POINTS_PER_ROW:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Points are 1 to {MAX_POINTS_PER_ROW:,}.", "points")
    card = await verify_card_proof(proof, trust, now, terminal_purpose(actor.id), moves_points=True)
    owner = await card_owner(reader(), card.fingerprint)
    if owner is None or owner.unbound_at is not None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "This card has no MyKey ID yet: register first.",
            "proof",
            "card.unregistered",
        )
    my_key_id = str(
        await reader().fetchval("SELECT my_key_id FROM residents WHERE id = $1", owner.resident_id)
    )
    done = await grant_points(
        actor, GrantRequest(program_id, reason, key, [GrantRow(my_key_id, points)]), now
    )
    return CardGrant(my_key_id, done.points, done.entry_id)
