"""Ledger accounts: opened once for an owner, found again by that owner.

An account's owner is columns (``resident_id``, ``program_id``, ``shop_id`` and ``shard``…; which ones
each kind needs is :data:`OWNED_BY`, and a CHECK in the database holds every row to it). Its
``code`` (``resident:42:program:7``, ``system:expired``) is a unique label for people reading logs,
made from the owner by :meth:`Owner.label` and checked against it by ``mykey ledger verify``;
queries never take an owner out of a code.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.sql import Sql, bulk_insert
from models.ledger import AccountKind

LOT_TRACKED = frozenset(
    {
        AccountKind.RESIDENT_PROGRAM,
        AccountKind.RESIDENT_RESERVED,
        AccountKind.VOUCHER,
        AccountKind.EVENT_GIFTS,
    }
)
MAY_GO_NEGATIVE = frozenset({AccountKind.MUNICIPALITY, AccountKind.PARTNER, AccountKind.SYSTEM})

OWNER_COLUMNS = (
    "resident_id",
    "municipality_id",
    "program_id",
    "shop_id",
    "shard",
    "partner_id",
    "voucher_id",
)

# which owner columns each kind needs; all others are NULL (migrations/0006 installs it as a CHECK)
OWNED_BY: dict[AccountKind, tuple[str, ...]] = {
    AccountKind.RESIDENT_PROGRAM: ("resident_id", "program_id"),
    AccountKind.RESIDENT_RESERVED: ("resident_id",),
    AccountKind.MUNICIPALITY: ("municipality_id",),
    AccountKind.SHOP: ("shop_id", "shard"),
    AccountKind.PARTNER: ("partner_id",),
    AccountKind.VOUCHER: ("voucher_id",),
    AccountKind.EVENT_GIFTS: ("program_id",),
    AccountKind.SYSTEM: (),
}
# the same, as which of OWNER_COLUMNS are set (checked for every owner built: keep it cheap)
_SHAPES = {kind: tuple(c in needed for c in OWNER_COLUMNS) for kind, needed in OWNED_BY.items()}


class SystemAccount(StrEnum):
    """The platform's own accounts (they have no owner: their label is their name)."""

    EXPIRED = "system:expired"  # points that lapsed unspent
    FEES = "system:fees"  # fees withheld on conversions


@dataclass(frozen=True)
class Owner:
    """Who an account belongs to. Build one with the constructors of ``domain.points.accounts``."""

    kind: AccountKind
    resident_id: int | None = None
    municipality_id: int | None = None
    program_id: int | None = None
    shop_id: int | None = None
    shard: int | None = None
    partner_id: int | None = None
    voucher_id: int | None = None
    name: str = ""  # a system account's name; a budget's municipality code (for the label only)

    def __post_init__(self) -> None:
        given = (
            self.resident_id is not None,
            self.municipality_id is not None,
            self.program_id is not None,
            self.shop_id is not None,
            self.shard is not None,
            self.partner_id is not None,
            self.voucher_id is not None,
        )
        if given != _SHAPES[self.kind]:
            needed = OWNED_BY[self.kind]
            raise ValueError(f"a {self.kind.value} account is owned by {', '.join(needed) or 'nobody'}")

    def columns(self) -> tuple[int | None, ...]:
        return (
            self.resident_id,
            self.municipality_id,
            self.program_id,
            self.shop_id,
            self.shard,
            self.partner_id,
            self.voucher_id,
        )

    def label(self) -> str:
        match self.kind:
            case AccountKind.RESIDENT_PROGRAM:
                return f"resident:{self.resident_id}:program:{self.program_id}"
            case AccountKind.RESIDENT_RESERVED:
                return f"resident:{self.resident_id}:reserved"
            case AccountKind.MUNICIPALITY:
                return f"municipality:{self.name}"
            case AccountKind.SHOP:
                return f"shop:{self.shop_id}:{self.shard}"
            case AccountKind.PARTNER:
                return f"partner:{self.partner_id}"
            case AccountKind.VOUCHER:
                return f"voucher:{self.voucher_id}"
            case AccountKind.EVENT_GIFTS:
                return f"program:{self.program_id}:gifts"
            case AccountKind.SYSTEM:
                return self.name


def system_owner(which: SystemAccount) -> Owner:
    return Owner(AccountKind.SYSTEM, name=which.value)


@dataclass(frozen=True)
class AccountRef:
    id: int
    code: str
    kind: AccountKind
    tracks_lots: bool
    negative_allowed: bool


_SELECT = "SELECT id, code, kind, tracks_lots, negative_allowed FROM accounts"


@dataclass(frozen=True)
class _AccountRow:
    id: int
    code: str
    kind: str
    tracks_lots: bool
    negative_allowed: bool

    def ref(self) -> AccountRef:
        return AccountRef(self.id, self.code, AccountKind(self.kind), self.tracks_lots, self.negative_allowed)


def _where(owner: Owner, first: int) -> tuple[str, list[object]]:
    """``kind = $n AND <each owner column> = $n+1…``: the owner's row, through its unique index."""
    if owner.kind is AccountKind.SYSTEM:
        return f"code = ${first}", [owner.label()]
    needed = OWNED_BY[owner.kind]
    terms = [f"kind = ${first}"] + [f"{c} = ${first + 1 + i}" for i, c in enumerate(needed)]
    return " AND ".join(terms), [owner.kind.value, *(getattr(owner, c) for c in needed)]


_INSERT_COLUMNS = ("code", "kind", "tracks_lots", "negative_allowed", "balance", "version", "created_at")


async def open_account(sql: Sql, owner: Owner, now: datetime) -> AccountRef:
    """``owner``'s account of its kind, created on first use. Safe under concurrency: ``ON CONFLICT``
    names no index, so every unique index arbitrates. With ``(code)`` alone, two first opens that
    passed the conflict check together made the second fail on the owner's own unique index (a
    shop's shard: a good voucher refused as used)."""
    columns = _INSERT_COLUMNS + OWNER_COLUMNS
    await sql.execute(
        f"INSERT INTO accounts ({', '.join(columns)})"
        f" VALUES ({', '.join(f'${i + 1}' for i in range(len(columns)))}) ON CONFLICT DO NOTHING",
        *_values(owner, owner.label(), now),
    )
    found = await get_account(sql, owner)
    if found is None:
        raise ValueError(f"account {owner.label()} exists with another owner or kind")
    return found


def _values(owner: Owner, label: str, now: datetime, balance: int = 0) -> tuple[object, ...]:
    kind = owner.kind
    return (
        label,
        kind.value,
        kind in LOT_TRACKED,
        kind in MAY_GO_NEGATIVE,
        balance,
        1 if balance else 0,
        now,
        *owner.columns(),
    )


async def get_account(sql: Sql, owner: Owner) -> AccountRef | None:
    where, params = _where(owner, 1)
    row = await sql.fetchrow_as(_AccountRow, f"{_SELECT} WHERE {where}", *params)
    return None if row is None else row.ref()


async def open_system_account(sql: Sql, which: SystemAccount, now: datetime) -> AccountRef:
    return await open_account(sql, system_owner(which), now)


async def get_balance(sql: Sql, owner: Owner | SystemAccount) -> int:
    """The stored balance of ``owner``'s account (0 for an account not opened yet)."""
    where, params = _where(system_owner(owner) if isinstance(owner, SystemAccount) else owner, 1)
    return await sql.fetchint(f"SELECT balance FROM accounts WHERE {where}", *params)


@dataclass(frozen=True)
class OwnedRow(_AccountRow):
    """An accounts row with its owner columns (what verify compares with each code)."""

    resident_id: int | None
    municipality_id: int | None
    program_id: int | None
    shop_id: int | None
    shard: int | None
    partner_id: int | None
    voucher_id: int | None


async def open_crediting(
    sql: Sql, amounts: Mapping[Owner, int], now: datetime
) -> tuple[dict[Owner, AccountRef], dict[Owner, AccountRef]]:
    """Open the accounts of ``amounts``' owners that do not exist yet, each with its amount as its
    opening balance; (those opened, those that existed).

    One bulk insert (ON CONFLICT DO NOTHING): the rows inserted come back from the insert itself;
    only those that existed are read again (and checked to be the same owner's). A bulk credit
    (domain.ledger.bulk) opens its new accounts this way, already credited, and locks and updates
    only the accounts that existed: the entry it writes in the same transaction explains both.
    """
    labelled = {owner.label(): owner for owner in amounts}
    labels = sorted(labelled)
    values = [_values(labelled[label], label, now, amounts[labelled[label]]) for label in labels]
    types = ("text", "text", "boolean", "boolean", "bigint", "bigint", "timestamptz")
    inserted = await bulk_insert(
        sql,
        "accounts",
        tuple(zip(_INSERT_COLUMNS + OWNER_COLUMNS, types + ("bigint",) * len(OWNER_COLUMNS), strict=True)),
        values,
        returning="id, code",
        on_conflict="DO NOTHING",
    )
    opened: dict[Owner, AccountRef] = {}
    for row in inserted:
        code = str(row["code"])
        opened[labelled[code]] = _ref(int(row["id"]), code, labelled[code].kind)
    existing: dict[Owner, AccountRef] = {}
    inserted_codes = {str(row["code"]) for row in inserted}
    missing = [label for label in labels if label not in inserted_codes]
    for start in range(0, len(missing), 20_000):
        # read as the rows come (ints and text on both databases): no record built for each
        found = await sql.rows(
            f"SELECT id, code, kind, tracks_lots, negative_allowed, {', '.join(OWNER_COLUMNS)} FROM accounts"
            f" WHERE {sql.any_text('code', 1)}",
            sql.texts(missing[start : start + 20_000]),
        )
        for row in found:
            owner = labelled[row["code"]]
            if row["kind"] != owner.kind.value or tuple(row[c] for c in OWNER_COLUMNS) != owner.columns():
                raise ValueError(f"account {row['code']} exists with another owner or kind")
            lots, negative = bool(row["tracks_lots"]), bool(row["negative_allowed"])
            existing[owner] = AccountRef(int(row["id"]), str(row["code"]), owner.kind, lots, negative)
    return opened, existing


def _ref(account_id: int, code: str, kind: AccountKind) -> AccountRef:
    """An account's reference; its flags follow from its kind, as they did when it was opened."""
    return AccountRef(account_id, code, kind, kind in LOT_TRACKED, kind in MAY_GO_NEGATIVE)
