"""Writing one balanced journal entry inside the caller's transaction.

An entry is a list of :class:`Leg` s: "move ``amount`` points from ``source`` to ``dest``". Posting it

1. applies every account's net change with one guarded UPDATE per account, in primary-key order
   (the rows stay locked until commit, and the order rules out deadlocks between entries);
2. for a source that tracks lots, takes the points from its unexpired lots, earliest expiry first
   (expires_at, created_at, id), each with a guarded UPDATE;
3. for a destination that tracks lots, opens lots that keep the funder (and, unless the leg sets a
   new expiry, the expiry) of the points they received;
4. writes the entry with the SHA-256 digest of its content and postings, then the postings.

Nothing here commits: the calling action owns the transaction (``domain.sql.transaction``), so a
refusal anywhere rolls back every row written before it.

On PostgreSQL the four steps run inside the server, in one round trip: ``mk_post_entry`` (installed
by migration 0018) does exactly what the Python below does for SQLite, and hashes the same
canonical JSON. The suite runs every money path on both, and ``mykey ledger verify`` recomputes
each entry's digest from its postings.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from domain.ledger.accounts import AccountRef
from domain.ledger.errors import insufficient_points
from domain.ledger.rules import LotBalance, PostingLine, allocate_fifo, entry_digest
from domain.sql import Sql, as_datetime, copy_rows, raised
from models.ledger import FunderKind

LOT_PAGE = 50


@dataclass(frozen=True)
class Funder:
    """Who pays for points in yen when they are spent (kept by every lot they move through)."""

    kind: FunderKind
    ref: str


@dataclass(frozen=True)
class Leg:
    """Move ``amount`` points from ``source`` to ``dest``.

    ``funder`` and ``expires_at`` are required when new points enter lot-tracked accounts from a
    source without lots (a grant, an exchange); ``expires_at`` alone re-dates moved lots (reserved
    points entering a program take the program's validity).
    """

    source: AccountRef
    dest: AccountRef
    amount: int
    funder: Funder | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Piece:
    """Points taken from one place: a source lot (``lot_id``) or a source without lots."""

    lot_id: int | None
    amount: int
    funder: Funder | None
    expires_at: datetime | None


@dataclass(frozen=True)
class PostedEntry:
    id: int
    kind: str
    created_at: datetime
    digest: str
    postings: tuple[PostingLine, ...]


def _check_leg(leg: Leg) -> None:
    if isinstance(leg.amount, bool) or not isinstance(leg.amount, int) or leg.amount <= 0:
        raise ValueError("a leg moves a positive whole number of points")
    if leg.source.id == leg.dest.id:
        raise ValueError("a leg must move points between two different accounts")
    new_points = leg.dest.tracks_lots and not leg.source.tracks_lots
    if new_points and (leg.funder is None or leg.expires_at is None):
        raise ValueError("new points need a funder and an expiry")


async def _apply_balances(sql: Sql, legs: list[Leg]) -> None:
    deltas: dict[int, int] = defaultdict(int)
    accounts: dict[int, AccountRef] = {}
    for leg in legs:
        deltas[leg.source.id] -= leg.amount
        deltas[leg.dest.id] += leg.amount
        accounts[leg.source.id] = leg.source
        accounts[leg.dest.id] = leg.dest
    for account_id in sorted(deltas):
        delta = deltas[account_id]
        if delta < 0 and not accounts[account_id].negative_allowed:
            changed = await sql.execute(
                "UPDATE accounts SET balance = balance - $2, version = version + 1"
                " WHERE id = $1 AND balance >= $2",
                account_id,
                -delta,
            )
            if changed != 1:
                raise insufficient_points(-delta)
        else:
            await sql.execute(
                "UPDATE accounts SET balance = balance + $2, version = version + 1 WHERE id = $1",
                account_id,
                delta,
            )


async def _take_lots(sql: Sql, account: AccountRef, amount: int, now: datetime) -> list[Piece]:
    """Points from ``account``'s lots still usable at ``now``, earliest expiry first."""
    pieces: list[Piece] = []
    left = amount
    while left > 0:
        rows = await sql.fetch(
            "SELECT id, remaining, funder_kind, funder_ref, expires_at FROM lots"
            " WHERE account_id = $1 AND remaining > 0 AND expires_at > $2"
            f" ORDER BY expires_at, created_at, id LIMIT {LOT_PAGE}",
            account.id,
            now,
        )
        if not rows:
            raise insufficient_points(amount)
        by_id = {int(r["id"]): r for r in rows}
        lots = [LotBalance(int(r["id"]), int(r["remaining"])) for r in rows]
        for lot_id, take in allocate_fifo(lots, left):
            changed = await sql.execute(
                "UPDATE lots SET remaining = remaining - $2 WHERE id = $1 AND remaining >= $2",
                lot_id,
                take,
            )
            if changed != 1:
                raise RuntimeError(f"lot {lot_id} changed under a locked account")
            row = by_id[lot_id]
            funder = Funder(FunderKind(str(row["funder_kind"])), str(row["funder_ref"]))
            pieces.append(Piece(lot_id, take, funder, as_datetime(row["expires_at"])))
            left -= take
    return pieces


async def _open_lots(sql: Sql, leg: Leg, pieces: list[Piece], now: datetime) -> list[PostingLine]:
    """Credit ``leg.dest`` with new lots, one per (funder, expiry) among the pieces it receives."""
    groups: dict[tuple[Funder, datetime], list[Piece]] = defaultdict(list)
    for piece in pieces:
        funder = leg.funder or piece.funder
        expires_at = leg.expires_at or piece.expires_at
        assert funder is not None
        assert expires_at is not None
        groups[(funder, expires_at)].append(piece)
    lines = []
    for (funder, expires_at), group in groups.items():
        amount = sum(p.amount for p in group)
        origin = group[0].lot_id if len(group) == 1 else None
        lot_id = await sql.fetchval(
            "INSERT INTO lots (account_id, funder_kind, funder_ref, original, remaining,"
            " expires_at, created_at, origin_id) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)"
            " RETURNING id",
            leg.dest.id,
            funder.kind.value,
            funder.ref,
            amount,
            expires_at,
            now,
            origin,
        )
        lines.append(PostingLine(leg.dest.id, int(lot_id), amount))
    return lines


async def _leg_postings(sql: Sql, leg: Leg, now: datetime, lots_as_of: datetime) -> list[PostingLine]:
    if leg.source.tracks_lots:
        pieces = await _take_lots(sql, leg.source, leg.amount, lots_as_of)
        lines = [PostingLine(leg.source.id, p.lot_id, -p.amount) for p in pieces]
    else:
        pieces = [Piece(None, leg.amount, leg.funder, leg.expires_at)]
        lines = [PostingLine(leg.source.id, None, -leg.amount)]
    if leg.dest.tracks_lots:
        lines += await _open_lots(sql, leg, pieces, now)
    else:
        lines.append(PostingLine(leg.dest.id, None, leg.amount))
    return lines


POSTING_COLUMNS = (
    ("entry_id", "bigint"),
    ("account_id", "bigint"),
    ("lot_id", "bigint"),
    ("amount", "bigint"),
)


async def insert_postings(sql: Sql, rows: list[tuple[int, PostingLine]]) -> None:
    """Write ``(entry_id, line)`` pairs as postings (COPY when there are many)."""
    await copy_rows(
        sql,
        "postings",
        POSTING_COLUMNS,
        [(entry_id, line.account_id, line.lot_id, line.amount) for entry_id, line in rows],
    )


async def write_entry(
    sql: Sql,
    kind: str,
    actor: str,
    idempotency_key: str | None,
    memo: str,
    now: datetime,
    lines: list[PostingLine],
) -> tuple[int, str]:
    """The entry row with the digest of its content and postings, then the postings: (id, digest)."""
    digest = entry_digest(
        kind=kind, actor=actor, idempotency_key=idempotency_key, memo=memo, created_at=now, postings=lines
    )
    entry_id = int(
        await sql.fetchval(
            "INSERT INTO journal_entries (kind, actor, idempotency_key, memo, created_at, digest)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            kind,
            actor,
            idempotency_key,
            memo,
            now,
            digest,
        )
    )
    await insert_postings(sql, [(entry_id, line) for line in lines])
    return entry_id, digest


async def post_entry(
    sql: Sql,
    *,
    kind: str,
    actor: str,
    now: datetime,
    legs: list[Leg],
    memo: str = "",
    idempotency_key: str | None = None,
    lots_as_of: datetime | None = None,
) -> PostedEntry:
    """Write one balanced entry made of ``legs``; raises LedgerError(INSUFFICIENT_POINTS).

    Source lots are taken as usable at ``now``, or at ``lots_as_of`` when given: the auto-move of
    reserved points takes lots at the instant before their move time, after that time has passed.
    """
    if not legs:
        raise ValueError("an entry needs at least one leg")
    for leg in legs:
        _check_leg(leg)
    if sql.postgres:
        return await _post_in_server(sql, kind, actor, now, legs, memo, idempotency_key, lots_as_of or now)
    await _apply_balances(sql, legs)
    lines: list[PostingLine] = []
    for leg in legs:
        lines += await _leg_postings(sql, leg, now, lots_as_of or now)
    entry_id, digest = await write_entry(sql, kind, actor, idempotency_key, memo, now, lines)
    return PostedEntry(entry_id, kind, now, digest, tuple(lines))


INSUFFICIENT_SQLSTATE = "MKP01"  # raised by mk_post_entry; its DETAIL is the points the debit needed
POST_IN_SERVER = "SELECT * FROM mk_post_entry(" + ", ".join(f"${i}" for i in range(1, 16)) + ")"


async def _post_in_server(
    sql: Sql,
    kind: str,
    actor: str,
    now: datetime,
    legs: list[Leg],
    memo: str,
    idempotency_key: str | None,
    lots_as_of: datetime,
) -> PostedEntry:
    """``post_entry`` on PostgreSQL: one call of ``mk_post_entry``."""
    may_go_negative = {a.id for leg in legs for a in (leg.source, leg.dest) if a.negative_allowed}
    try:
        row = await sql.fetchrow(
            POST_IN_SERVER,
            kind,
            actor,
            idempotency_key,
            memo,
            now,
            lots_as_of,
            [leg.source.id for leg in legs],
            [leg.dest.id for leg in legs],
            [leg.amount for leg in legs],
            [leg.source.tracks_lots for leg in legs],
            [leg.dest.tracks_lots for leg in legs],
            sorted(may_go_negative),
            [leg.funder.kind.value if leg.funder else None for leg in legs],
            [leg.funder.ref if leg.funder else None for leg in legs],
            [leg.expires_at for leg in legs],
        )
    except Exception as exc:
        needed = raised(exc, INSUFFICIENT_SQLSTATE)
        if needed is None:
            raise
        raise insufficient_points(int(needed)) from None
    assert row is not None
    lines = tuple(
        PostingLine(int(account), None if lot is None else int(lot), int(amount))
        for account, lot, amount in zip(
            row["posting_accounts"], row["posting_lots"], row["posting_amounts"], strict=True
        )
    )
    return PostedEntry(int(row["entry_id"]), kind, now, str(row["digest"]), lines)
