"""What a resident holds and what happened to it; who gave to a support event."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from domain.auth.access import require_municipality
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.cursors import decode_cursor
from domain.errors import DomainError, ErrorCode
from domain.programs.queries import get_program
from domain.sql import Sql, reader
from models.programs import ProgramKind


@dataclass(frozen=True)
class Balance:
    program_id: int
    points: int
    next_expiry_points: int
    next_expiry_at: datetime | None


@dataclass(frozen=True)
class ReservedLot:
    points: int
    auto_move_at: datetime


@dataclass(frozen=True)
class Movement:
    entry_id: int
    kind: str
    points: int  # + in, - out, for this resident
    program_id: int | None  # None: reserved points
    counterpart: str
    created_at: datetime


@dataclass(frozen=True)
class _LiveLot:
    program_id: int
    expires_at: datetime | None
    remaining: int | None


async def list_balances(sql: Sql, resident_id: int, now: datetime) -> list[Balance]:
    rows = await sql.fetch_as(
        _LiveLot,
        "SELECT a.program_id, l.expires_at, l.remaining FROM accounts a"
        " LEFT JOIN lots l ON l.account_id = a.id AND l.remaining > 0 AND l.expires_at > $2"
        " WHERE a.resident_id = $1 AND a.kind = 'RESIDENT_PROGRAM' ORDER BY a.program_id, l.expires_at",
        resident_id,
        now,
    )
    live: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for row in rows:
        live.setdefault(row.program_id, [])
        if row.expires_at is not None and row.remaining is not None:
            live[row.program_id].append((row.expires_at, row.remaining))
    balances = []
    for program_id, lots in live.items():
        first = lots[0][0] if lots else None
        soonest = sum(n for at, n in lots if at == first)
        balances.append(Balance(program_id, sum(n for _, n in lots), soonest, first))
    return [b for b in balances if b.points > 0]


@dataclass(frozen=True)
class _ReservedRow:
    remaining: int
    expires_at: datetime


async def list_reserved(sql: Sql, resident_id: int, now: datetime) -> list[ReservedLot]:
    rows = await sql.fetch_as(
        _ReservedRow,
        "SELECT l.remaining, l.expires_at FROM lots l JOIN accounts a ON a.id = l.account_id"
        " WHERE a.kind = 'RESIDENT_RESERVED' AND a.resident_id = $1 AND l.remaining > 0 AND l.expires_at > $2"
        " ORDER BY l.expires_at, l.id",
        resident_id,
        now,
    )
    return [ReservedLot(r.remaining, r.expires_at) for r in rows]


COUNTERPART = {
    "GRANT": "行政ポイント",
    "EXCHANGE": "ポイント交換",
    "COUPON": "クーポン",
    "MOVE_RESERVED": "留保ポイントから移行",
    "AUTO_MOVE": "留保ポイントから自動移行",
    "PREMIUM": "プレミアム",
    "GIFT": "応援",
    "DONATE": "寄付",
    "ORDER": "オンライン注文",
    "ORDER_CANCEL": "オンライン注文の取消（返還）",
    "EXPIRE": "有効期限切れ（失効）",
}


async def list_history(
    sql: Sql, resident_id: int, first: int, after: str | None
) -> tuple[list[Movement], bool]:
    """The resident's movements of ``first`` entries, newest first, after the cursor; and whether more"
    " exist."""
    before = decode_cursor(after)
    page = await sql.fetchints(
        "SELECT DISTINCT p.entry_id FROM postings p JOIN accounts a ON a.id = p.account_id"
        " WHERE a.resident_id = $1 AND ($2 = 0 OR p.entry_id < $2) ORDER BY p.entry_id DESC LIMIT $3",
        resident_id,
        before or 0,
        first + 1,
    )
    rows = await sql.fetch_as(
        _MovementRow,
        "SELECT e.id, e.kind, e.memo, e.created_at, a.program_id, SUM(p.amount) AS points"
        " FROM postings p JOIN accounts a ON a.id = p.account_id JOIN journal_entries e ON e.id = p.entry_id"
        f" WHERE a.resident_id = $1 AND {sql.any_of('e.id', 2)}"
        " GROUP BY e.id, e.kind, e.memo, e.created_at, a.id, a.kind, a.program_id"
        " ORDER BY e.id DESC, a.kind, a.program_id",
        resident_id,
        sql.ids(page[:first]),
    )
    parties = {
        r.entry_id: r.name
        for r in await sql.fetch_as(
            _Party,
            "SELECT p.entry_id, MIN(COALESCE(s.name, pt.name)) AS name FROM postings p"
            " JOIN accounts a ON a.id = p.account_id LEFT JOIN shops s ON s.id = a.shop_id"
            f" LEFT JOIN partners pt ON pt.id = a.partner_id WHERE {sql.any_of('p.entry_id', 1)}"
            " AND (a.shop_id IS NOT NULL OR a.partner_id IS NOT NULL) GROUP BY p.entry_id",
            sql.ids(page[:first]),
        )
    }
    movements = [
        Movement(r.id, r.kind, r.points, r.program_id, _counterpart(r, parties.get(r.id)), r.created_at)
        for r in rows
    ]
    return movements, len(page) > first


def _counterpart(row: "_MovementRow", party: str | None) -> str:
    """Who was on the other side, in a few words: the shop or the partner by name (never its order
    reference), a grant's reason, or what kind of move it was."""
    if party:
        return party
    if row.kind == "GRANT" and ": " in row.memo:
        return row.memo.split(": ", 1)[1]
    if row.kind == "PREMIUM" and "プレミアム" in row.memo:  # the campaign's rate is worth keeping
        return row.memo[row.memo.index("プレミアム") :]
    return COUNTERPART.get(row.kind) or row.memo or row.kind


@dataclass(frozen=True)
class _Party:
    entry_id: int
    name: str


@dataclass(frozen=True)
class _MovementRow:
    id: int
    kind: str
    memo: str
    created_at: datetime
    program_id: int | None
    points: int


@dataclass(frozen=True)
class Gift:
    my_key_id: str
    points: int


async def list_event_gifts(actor: Actor | None, program_id: int) -> list[Gift]:
    """Who gave how many points to a support event: its municipality's staff (or the operator)."""
    permit(actor, Permission.MUNICIPALITY_STAFF)
    sql = reader()
    program = await get_program(sql, program_id)
    require_municipality(actor, program.municipality_id)
    if program.kind is not ProgramKind.SUPPORT_EVENT:
        raise DomainError(ErrorCode.INVALID_INPUT, "Only support events receive gifts.", "programId")
    # the giver of a gift is the resident whose account the same GIFT entry took the points from
    return await sql.fetch_as(
        Gift,
        "SELECT r.my_key_id, SUM(g.amount) AS points FROM postings g"
        " JOIN accounts pot ON pot.id = g.account_id JOIN journal_entries e ON e.id = g.entry_id"
        " JOIN residents r ON r.id = (SELECT MIN(src.resident_id) FROM postings q"
        " JOIN accounts src ON src.id = q.account_id WHERE q.entry_id = g.entry_id AND q.amount < 0)"
        " WHERE pot.kind = 'EVENT_GIFTS' AND pot.program_id = $1 AND e.kind IN ('GIFT', 'DONATE')"
        " GROUP BY r.my_key_id ORDER BY SUM(g.amount) DESC, r.my_key_id",
        program_id,
    )
