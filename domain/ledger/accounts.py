"""Ledger accounts: opened once by code, found again by code.

Codes are stable names (``resident:42:program:7``, ``system:expired``) so that every area can find
the account it needs without a lookup table of its own.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.sql import Sql, bulk_insert
from models.ledger import AccountKind

LOT_TRACKED = frozenset({AccountKind.RESIDENT_PROGRAM, AccountKind.RESIDENT_RESERVED, AccountKind.VOUCHER})
MAY_GO_NEGATIVE = frozenset({AccountKind.MUNICIPALITY, AccountKind.PARTNER, AccountKind.SYSTEM})


class SystemAccount(StrEnum):
    """The platform's own accounts."""

    EXPIRED = "system:expired"  # points that lapsed unspent
    FEES = "system:fees"  # fees withheld on conversions


@dataclass(frozen=True)
class AccountRef:
    id: int
    code: str
    kind: AccountKind
    tracks_lots: bool
    negative_allowed: bool


def _ref(row: dict[str, object]) -> AccountRef:
    return AccountRef(
        id=int(row["id"]),  # type: ignore[call-overload]
        code=str(row["code"]),
        kind=AccountKind(str(row["kind"])),
        tracks_lots=bool(row["tracks_lots"]),
        negative_allowed=bool(row["negative_allowed"]),
    )


_SELECT = "SELECT id, code, kind, tracks_lots, negative_allowed FROM accounts"


async def open_account(sql: Sql, code: str, kind: AccountKind, now: datetime) -> AccountRef:
    """The account named ``code``, created on first use. Safe under concurrency (ON CONFLICT)."""
    await sql.execute(
        "INSERT INTO accounts (code, kind, tracks_lots, negative_allowed, balance, version, created_at)"
        " VALUES ($1, $2, $3, $4, 0, 0, $5) ON CONFLICT (code) DO NOTHING",
        code,
        kind.value,
        kind in LOT_TRACKED,
        kind in MAY_GO_NEGATIVE,
        now,
    )
    found = await get_account(sql, code)
    if found is None or found.kind is not kind:
        raise ValueError(f"account {code} exists with another kind")
    return found


async def get_account(sql: Sql, code: str) -> AccountRef | None:
    row = await sql.fetchrow(f"{_SELECT} WHERE code = $1", code)
    return None if row is None else _ref(row)


async def open_system_account(sql: Sql, which: SystemAccount, now: datetime) -> AccountRef:
    return await open_account(sql, which.value, AccountKind.SYSTEM, now)


async def get_balance(sql: Sql, code: str) -> int:
    """The stored balance of the account named ``code`` (0 for an account not opened yet)."""
    value = await sql.fetchval("SELECT balance FROM accounts WHERE code = $1", code)
    return int(value or 0)


async def open_accounts(
    sql: Sql, codes: list[str], kind: AccountKind, now: datetime
) -> dict[str, AccountRef]:
    """Many accounts of one kind at once (bulk insert, ON CONFLICT DO NOTHING), by code."""
    unique = sorted(set(codes))
    await bulk_insert(
        sql,
        "accounts",
        (
            ("code", "text"),
            ("kind", "text"),
            ("tracks_lots", "boolean"),
            ("negative_allowed", "boolean"),
            ("balance", "bigint"),
            ("version", "bigint"),
            ("created_at", "timestamptz"),
        ),
        [(code, kind.value, kind in LOT_TRACKED, kind in MAY_GO_NEGATIVE, 0, 0, now) for code in unique],
        on_conflict="(code) DO NOTHING",
    )
    found: dict[str, AccountRef] = {}
    for start in range(0, len(unique), 20_000):
        chunk = unique[start : start + 20_000]
        rows = await sql.fetch(f"{_SELECT} WHERE {sql.any_text('code', 1)}", sql.texts(chunk))
        for row in rows:
            ref = _ref(row)
            if ref.kind is not kind:
                raise ValueError(f"account {ref.code} exists with another kind")
            found[ref.code] = ref
    return found
