"""One entry that credits many accounts at once: bulk grants of tens of thousands of rows.

The same guarantees as :func:`domain.ledger.journal.post_entry`, with set-based statements: the
accounts not opened yet are opened already credited (one bulk insert); the rows that existed are
locked in primary-key order with the source, and their balances change with one UPDATE … FROM
unnest (PostgreSQL); the new lots are one bulk insert, the postings a COPY, and the entry is
written with the digest of all its postings. Runs inside the caller's transaction.
"""

from dataclasses import dataclass
from datetime import datetime

from domain.ledger.accounts import LOT_TRACKED, AccountRef, Owner, open_crediting
from domain.ledger.errors import insufficient_points
from domain.ledger.journal import Funder, write_entry
from domain.ledger.rules import PostingLine
from domain.sql import Sql, bulk_insert


@dataclass(frozen=True)
class Credit:
    """``amount`` points into ``owner``'s account (opened on first use)."""

    owner: Owner
    amount: int


async def _lock(sql: Sql, ids: list[int]) -> None:
    for start in range(0, len(ids), 20_000):
        chunk = ids[start : start + 20_000]
        await sql.rows(
            f"SELECT id FROM accounts WHERE {sql.any_of('id', 1)} ORDER BY id{sql.for_update}", sql.ids(chunk)
        )


async def _credit_balances(sql: Sql, amounts: dict[int, int]) -> None:
    if not amounts:
        return
    if sql.postgres:
        await sql.execute(
            "UPDATE accounts AS a SET balance = a.balance + d.amount, version = a.version + 1"
            " FROM unnest($1::bigint[], $2::bigint[]) AS d(id, amount) WHERE a.id = d.id",
            list(amounts),
            list(amounts.values()),
        )
        return
    for account_id, amount in amounts.items():
        await sql.execute(
            "UPDATE accounts SET balance = balance + $2, version = version + 1 WHERE id = $1",
            account_id,
            amount,
        )


async def _debit_source(sql: Sql, source: AccountRef, total: int) -> None:
    guard = "" if source.negative_allowed else " AND balance >= $2"
    changed = await sql.execute(
        f"UPDATE accounts SET balance = balance - $2, version = version + 1 WHERE id = $1{guard}",
        source.id,
        total,
    )
    if changed != 1:
        raise insufficient_points(total)


LOT_COLUMNS = (
    ("account_id", "bigint"),
    ("funder_kind", "text"),
    ("funder_ref", "text"),
    ("original", "bigint"),
    ("remaining", "bigint"),
    ("expires_at", "timestamptz"),
    ("created_at", "timestamptz"),
)


async def _open_lots(
    sql: Sql, amounts: dict[int, int], funder: Funder, expires_at: datetime, now: datetime
) -> dict[int, int]:
    """One new lot per credited account; account id → lot id. One INSERT … unnest … RETURNING on
    PostgreSQL: measured faster than taking the ids from the sequence first and COPYing (1.6 s
    against 1.9 s for 100,000 lots)."""
    inserted = await bulk_insert(
        sql,
        "lots",
        LOT_COLUMNS,
        [(a, funder.kind.value, funder.ref, n, n, expires_at, now) for a, n in amounts.items()],
        returning="id, account_id",
    )
    return {int(r["account_id"]): int(r["id"]) for r in inserted}


async def post_credits(
    sql: Sql,
    *,
    kind: str,
    actor: str,
    now: datetime,
    source: AccountRef,
    credits: list[Credit],
    funder: Funder,
    expires_at: datetime,
    memo: str = "",
    idempotency_key: str | None = None,
) -> int:
    """Move ``credits`` from ``source`` (which keeps no lots) into lot-tracked accounts, opening those
    not opened yet; the entry's id."""
    amounts: dict[Owner, int] = {}
    for credit in credits:
        if credit.amount <= 0 or credit.owner.kind not in LOT_TRACKED or source.tracks_lots:
            raise ValueError("credits are positive and go from an account without lots to accounts with lots")
        amounts[credit.owner] = amounts.get(credit.owner, 0) + credit.amount
    total = sum(amounts.values())
    opened, existing = await open_crediting(sql, amounts, now)
    await _lock(sql, sorted({*(a.id for a in existing.values()), source.id}))
    await _debit_source(sql, source, total)
    await _credit_balances(sql, {a.id: amounts[o] for o, a in existing.items()})
    by_id = {(opened.get(o) or existing[o]).id: n for o, n in amounts.items()}
    lot_of = await _open_lots(sql, by_id, funder, expires_at, now)
    lines = [PostingLine(source.id, None, -total)]
    lines += [PostingLine(a, lot_of[a], n) for a, n in sorted(by_id.items())]
    entry_id, _ = await write_entry(sql, kind, actor, idempotency_key, memo, now, lines)
    return entry_id
