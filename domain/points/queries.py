"""What a resident holds and what happened to it; who gave to a support event."""

import base64
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from domain.auth.access import require, require_municipality
from domain.auth.actor import Actor, Role
from domain.errors import DomainError, ErrorCode
from domain.numbers import ascii_int
from domain.points import accounts
from domain.programs.queries import get_program
from domain.sql import Sql, as_datetime, reader
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


def _program_of(code: str) -> int | None:
    parts = code.split(":")
    return int(parts[3]) if len(parts) == 4 and parts[2] == "program" else None


async def list_balances(sql: Sql, resident_id: int, now: datetime) -> list[Balance]:
    rows = await sql.fetch(
        "SELECT a.code, a.balance, l.expires_at, l.remaining FROM accounts a"
        " LEFT JOIN lots l ON l.account_id = a.id AND l.remaining > 0 AND l.expires_at > $2"
        " WHERE a.code LIKE $1 AND a.kind = 'RESIDENT_PROGRAM' ORDER BY a.code, l.expires_at",
        f"resident:{resident_id}:program:%",
        now,
    )
    live: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for row in rows:
        live.setdefault(str(row["code"]), [])
        if row["expires_at"] is not None:
            live[str(row["code"])].append((as_datetime(row["expires_at"]), int(row["remaining"])))
    balances = []
    for code, lots in live.items():
        first = lots[0][0] if lots else None
        soonest = sum(n for at, n in lots if at == first)
        program_id = _program_of(code)
        assert program_id is not None
        balances.append(Balance(program_id, sum(n for _, n in lots), soonest, first))
    return [b for b in balances if b.points > 0]


async def list_reserved(sql: Sql, resident_id: int, now: datetime) -> list[ReservedLot]:
    rows = await sql.fetch(
        "SELECT l.remaining, l.expires_at FROM lots l JOIN accounts a ON a.id = l.account_id"
        " WHERE a.code = $1 AND l.remaining > 0 AND l.expires_at > $2 ORDER BY l.expires_at, l.id",
        accounts.resident_reserved(resident_id),
        now,
    )
    return [ReservedLot(int(r["remaining"]), as_datetime(r["expires_at"])) for r in rows]


def encode_cursor(entry_id: int) -> str:
    return base64.urlsafe_b64encode(f"entry:{entry_id}".encode()).decode()


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind == "entry" and (entry := ascii_int(value)) is not None:
            return entry
    except (ValueError, UnicodeDecodeError):
        pass
    raise DomainError(ErrorCode.INVALID_INPUT, "This cursor is not one we gave out.", "after")


COUNTERPART = {
    "GRANT": "行政ポイント",
    "EXCHANGE": "ポイント交換",
    "COUPON": "クーポン",
    "MOVE_RESERVED": "留保ポイントから移行",
    "AUTO_MOVE": "留保ポイントから自動移行",
    "PREMIUM": "プレミアム",
    "GIFT": "応援",
    "EXPIRE": "有効期限切れ（失効）",
}


async def list_history(
    sql: Sql, resident_id: int, first: int, after: str | None
) -> tuple[list[Movement], bool]:
    """The resident's movements of ``first`` entries, newest first, after the cursor; and whether more"
    " exist."""
    before = decode_cursor(after)
    pattern = f"resident:{resident_id}:%"
    page = await sql.fetch(
        "SELECT DISTINCT p.entry_id FROM postings p JOIN accounts a ON a.id = p.account_id"
        " WHERE a.code LIKE $1 AND ($2 = 0 OR p.entry_id < $2) ORDER BY p.entry_id DESC LIMIT $3",
        pattern,
        before or 0,
        first + 1,
    )
    ids = [int(r["entry_id"]) for r in page][:first]
    rows = await sql.fetch(
        "SELECT e.id, e.kind, e.memo, e.created_at, a.code, SUM(p.amount) AS points FROM postings p"
        " JOIN accounts a ON a.id = p.account_id JOIN journal_entries e ON e.id = p.entry_id"
        f" WHERE a.code LIKE $1 AND {sql.any_of('e.id', 2)}"
        " GROUP BY e.id, e.kind, e.memo, e.created_at, a.code ORDER BY e.id DESC, a.code",
        pattern,
        sql.ids(ids),
    )
    movements = []
    for row in rows:
        memo = str(row["memo"]) or COUNTERPART.get(str(row["kind"]), str(row["kind"]))
        movements.append(
            Movement(
                int(row["id"]),
                str(row["kind"]),
                int(row["points"]),
                _program_of(str(row["code"])),
                memo,
                as_datetime(row["created_at"]),
            )
        )
    return movements, len(page) > first


@dataclass(frozen=True)
class Gift:
    my_key_id: str
    points: int


async def list_event_gifts(actor: Actor | None, program_id: int) -> list[Gift]:
    """Who gave how many points to a support event: its municipality's staff (or the operator)."""
    require(actor, Role.OPERATOR, Role.MUNICIPALITY_ADMIN, Role.MUNICIPALITY_STAFF)
    sql = reader()
    program = await get_program(sql, program_id)
    require_municipality(actor, program.municipality_id, Role.MUNICIPALITY_ADMIN, Role.MUNICIPALITY_STAFF)
    if program.kind is not ProgramKind.SUPPORT_EVENT:
        raise DomainError(ErrorCode.INVALID_INPUT, "Only support events receive gifts.", "programId")
    rows = await sql.fetch(
        "SELECT e.actor, SUM(p.amount) AS points FROM postings p JOIN journal_entries e ON e.id = p.entry_id"
        " JOIN accounts a ON a.id = p.account_id WHERE a.code = $1 AND e.kind = 'GIFT'"
        " GROUP BY e.actor ORDER BY SUM(p.amount) DESC, e.actor",
        accounts.event_gifts(program_id),
    )
    ids = {int(str(r["actor"]).split(":")[1]): int(r["points"]) for r in rows}
    names = await sql.fetch(
        f"SELECT id, my_key_id FROM residents WHERE {sql.any_of('id', 1)}", sql.ids(list(ids))
    )
    by_id = {int(r["id"]): str(r["my_key_id"]) for r in names}
    return [Gift(by_id[i], n) for i, n in ids.items()]
