"""Ledger-wide actions that own their transactions: expiring lots."""

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from domain.clock import Clock
from domain.ledger.accounts import SystemAccount, open_system_account
from domain.ledger.journal import insert_postings
from domain.ledger.rules import PostingLine, entry_digest
from domain.sql import Sql, bulk_insert, transaction

EXPIRY_ACTOR = "system:expiry"
EXPIRY_BATCH = 5_000


@dataclass
class ExpiryReport:
    lots: int = 0
    points: int = 0
    entries: int = 0
    batches: int = 0
    accounts: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Expired:
    """What one EXPIRE entry took from one account, and whose account it was."""

    entry_id: int
    account_id: int
    resident_id: int | None
    program_id: int | None
    points: int


@dataclass(frozen=True)
class _Owners:
    id: int
    resident_id: int | None
    program_id: int | None


ExpiryHook = Callable[[Sql, list[Expired]], Awaitable[None]]


async def expire_lots(
    clock: Clock, batch_size: int = EXPIRY_BATCH, on_expired: ExpiryHook | None = None
) -> ExpiryReport:
    """Move what is left of every lot past its expiry to the expired sink.

    Works in batches, each its own transaction of set-based statements: a batch takes the accounts
    owning the next ``batch_size`` due lots and expires every due lot of those accounts (so a batch
    holds at most ``batch_size`` accounts), writing one EXPIRE entry per account. Re-running after
    a crash expires only what is still unexpired: a second run changes nothing. ``on_expired`` runs
    in each batch's transaction (e.g. to write the e-mail that reports it). Reserved points never
    expire: when their time comes they move (domain.points.reserved). Nor do a donation event's
    gifts: they are its organiser's, paid at the event's close (domain.settlement.actions).
    """
    now = clock.now()
    report = ExpiryReport()
    while True:
        lots, points, accounts = await transaction(
            lambda sql: _expire_batch(sql, now, batch_size, on_expired)
        )
        if lots == 0:
            return report
        report.lots += lots
        report.points += points
        report.entries += len(accounts)
        report.batches += 1
        report.accounts.update(accounts)


async def _expire_batch(
    sql: Sql, now: datetime, batch_size: int, on_expired: ExpiryHook | None
) -> tuple[int, int, list[int]]:
    sink = await open_system_account(sql, SystemAccount.EXPIRED, now)
    if sql.postgres:  # one round trip: migrations/0020_expiry_function.py
        rows = await sql.fetch(
            "SELECT account, entry, points, lots FROM mk_expire_batch($1, $2, $3, $4)",
            now,
            batch_size,
            sink.id,
            EXPIRY_ACTOR,
        )
        written = {int(r["account"]): (int(r["entry"]), int(r["points"])) for r in rows}
        lots = sum(int(r["lots"]) for r in rows)
    else:
        written, lots = await _expire_statements(sql, now, batch_size, sink.id)
    if on_expired is not None and written:
        owners = {
            o.id: o
            for o in await sql.fetch_as(
                _Owners,
                f"SELECT id, resident_id, program_id FROM accounts WHERE {sql.any_of('id', 1)}",
                sql.ids(list(written)),
            )
        }
        await on_expired(
            sql,
            [Expired(e, a, owners[a].resident_id, owners[a].program_id, p) for a, (e, p) in written.items()],
        )
    return lots, sum(points for _, points in written.values()), sorted(written)


async def _expire_statements(
    sql: Sql, now: datetime, batch_size: int, sink_id: int
) -> tuple[dict[int, tuple[int, int]], int]:
    """One batch, statement by statement (SQLite): account id → (entry id, points), and the lots."""
    candidates = await sql.fetch(
        "SELECT DISTINCT account_id FROM (SELECT l.account_id FROM lots l JOIN accounts a ON a.id ="
        " l.account_id"
        " WHERE l.remaining > 0 AND l.expires_at <= $1"
        " AND a.kind NOT IN ('RESIDENT_RESERVED', 'VOUCHER', 'EVENT_GIFTS')"
        " ORDER BY l.expires_at LIMIT $2) due",
        now,
        batch_size,
    )
    if not candidates:
        return {}, 0
    account_ids = sorted({int(r["account_id"]) for r in candidates} | {sink_id})
    await sql.fetch(
        f"SELECT id FROM accounts WHERE {sql.any_of('id', 1)} ORDER BY id{sql.for_update}",
        sql.ids(account_ids),
    )
    lots = await sql.fetch(
        "SELECT id, account_id, remaining FROM lots"
        f" WHERE {sql.any_of('account_id', 1)} AND remaining > 0 AND expires_at <= $2"
        f" ORDER BY account_id, id{sql.for_update}",
        sql.ids(account_ids),
        now,
    )
    lot_ids = [int(r["id"]) for r in lots]
    changed = await sql.execute(
        f"UPDATE lots SET remaining = 0 WHERE {sql.any_of('id', 1)} AND remaining > 0",
        sql.ids(lot_ids),
    )
    if changed != len(lot_ids):
        raise RuntimeError("expiring lots changed under locked accounts")
    per_account: dict[int, list[PostingLine]] = defaultdict(list)
    for row in lots:
        account_id = int(row["account_id"])
        per_account[account_id].append(PostingLine(account_id, int(row["id"]), -int(row["remaining"])))
    await _debit_accounts(sql, per_account, sink_id)
    return await _write_expiry_entries(sql, per_account, sink_id, now), len(lot_ids)


async def _debit_accounts(sql: Sql, per_account: dict[int, list[PostingLine]], sink_id: int) -> None:
    total = 0
    for account_id, lines in per_account.items():
        amount = -sum(line.amount for line in lines)
        total += amount
        await sql.execute(
            "UPDATE accounts SET balance = balance - $2, version = version + 1 WHERE id = $1",
            account_id,
            amount,
        )
    await sql.execute(
        "UPDATE accounts SET balance = balance + $2, version = version + 1 WHERE id = $1",
        sink_id,
        total,
    )


async def _write_expiry_entries(
    sql: Sql, per_account: dict[int, list[PostingLine]], sink_id: int, now: datetime
) -> dict[int, tuple[int, int]]:
    """One EXPIRE entry per account; account id → (entry id, points expired)."""
    entries = []
    lines_by_digest: dict[str, list[PostingLine]] = {}
    for lines in per_account.values():
        all_lines = [*lines, PostingLine(sink_id, None, -sum(line.amount for line in lines))]
        digest = entry_digest(
            kind="EXPIRE",
            actor=EXPIRY_ACTOR,
            idempotency_key=None,
            memo="",
            created_at=now,
            postings=all_lines,
        )
        lines_by_digest[digest] = all_lines
        entries.append(("EXPIRE", EXPIRY_ACTOR, "", now, digest))
    inserted = await bulk_insert(
        sql,
        "journal_entries",
        (
            ("kind", "text"),
            ("actor", "text"),
            ("memo", "text"),
            ("created_at", "timestamptz"),
            ("digest", "text"),
        ),
        entries,
        returning="id, digest",
    )
    await insert_postings(
        sql,
        [(int(r["id"]), line) for r in inserted for line in lines_by_digest[str(r["digest"])]],
    )
    written = {}
    for row in inserted:
        lines = lines_by_digest[str(row["digest"])]
        written[lines[0].account_id] = (int(row["id"]), -sum(line.amount for line in lines[:-1]))
    return written
