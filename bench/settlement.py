"""Closing a month on PostgreSQL (``make bench``): a figure, not a test.

One municipality, 10,000 shops, 100,000 residents, and a November of 1,000,000 journal entries
(BENCH_MOVEMENTS): 95 % payments at a shop (two postings each), 5 % partner points moved from reserved
points into the program (a partner-funded lot each). The rows are written set-based (the ledger's
own write path is measured by bench/ledger.py); then ``close_settlement`` closes the month, as the
``closeSettlement`` mutation does, and the figures are checked against plain sums.

It creates and drops its own database. BENCH_PG overrides the server (default 127.0.0.1:5432).
"""

import asyncio
import os
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from tempfile import mkdtemp

import asyncpg

from api.database import close_database, migrate_database, open_database
from api.settings import Settings
from domain.auth.actor import Actor, Role
from domain.settlement.actions import close_settlement
from domain.sql import reader

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
MOVEMENTS = int(os.environ.get("BENCH_MOVEMENTS", "1000000"))
SHOPS = int(os.environ.get("BENCH_SHOPS", "10000"))
RESIDENTS = 100_000
ARRIVAL_EVERY = 20  # one entry in 20 brings a partner's points in
START = datetime(2026, 10, 31, 15, 0, tzinfo=UTC)  # 2026-11-01 00:00 JST
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


async def _seed(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    await conn.execute(
        "INSERT INTO municipalities (code, name, prefecture, kana, created_at)"
        " VALUES ('141305', '川崎市', '神奈川県', 'カワサキシ', $1)",
        START,
    )
    await conn.execute(
        "INSERT INTO programs (municipality_id, kind, name, validity_days, yen_per_point, uses, created_at)"
        " VALUES (1, 'REGULAR', '川崎市ポイント', 100, 1, 'SHOPS', $1)",
        START,
    )
    await conn.execute(
        "INSERT INTO partners (name, client_id, client_secret_hash, active, created_at)"
        " VALUES ('パートナー', 'partner-bench', '', true, $1)",
        START,
    )
    await conn.execute(
        "INSERT INTO residents (my_key_id, password_hash, notify_points_granted, notify_points_expired,"
        " notify_password_changed, notify_my_key_id_changed, status, created_at)"
        " SELECT 'T' || lpad(g::text, 7, '0'), 'not-a-hash', false, false, false, false, 'ACTIVE', $1"
        " FROM generate_series(1, $2) g",
        START,
        RESIDENTS,
    )
    await conn.execute(
        "INSERT INTO shops (municipality_id, name, category, created_at)"
        " SELECT 1, '商店' || g, 'SHOP', $1 FROM generate_series(1, $2) g",
        START,
        SHOPS,
    )
    # accounts: residents' program accounts 1..RESIDENTS, shops' RESIDENTS+1.., their reserved after
    await conn.execute(
        "INSERT INTO accounts (code, kind, tracks_lots, negative_allowed, balance, version, created_at,"
        " resident_id, program_id) SELECT 'resident:' || g || ':program:1', 'RESIDENT_PROGRAM', true, false,"
        " 0, 0, $1, g, 1 FROM generate_series(1, $2) g",
        START,
        RESIDENTS,
    )
    await conn.execute(
        "INSERT INTO accounts (code, kind, tracks_lots, negative_allowed, balance, version, created_at,"
        " shop_id, shard) SELECT 'shop:' || g || ':0', 'SHOP', false, false, 0, 0, $1, g, 0"
        " FROM generate_series(1, $2) g",
        START,
        SHOPS,
    )
    await conn.execute(
        "INSERT INTO accounts (code, kind, tracks_lots, negative_allowed, balance, version, created_at,"
        " resident_id) SELECT 'resident:' || g || ':reserved', 'RESIDENT_RESERVED', true, false, 0, 0, $1, g"
        " FROM generate_series(1, $2) g",
        START,
        RESIDENTS,
    )
    # the month: entry g at START + g seconds·(30 days / MOVEMENTS)
    step = timedelta(days=30) / (MOVEMENTS + 1)
    await conn.execute(
        "INSERT INTO journal_entries (kind, actor, memo, created_at, digest)"
        " SELECT CASE WHEN g % $3 = 0 THEN 'MOVE_RESERVED' ELSE 'SPEND' END, 'bench', '',"
        " $1::timestamptz + g * $2::interval, '' FROM generate_series(1, $4) g",
        START,
        step,
        ARRIVAL_EVERY,
        MOVEMENTS,
    )
    spend = (
        "SELECT id, 1 + id % $1::bigint AS resident, 1 + id % $2::bigint AS shop, 1 + id % 97 AS points"
        " FROM journal_entries"
    )
    await conn.execute(
        "INSERT INTO postings (entry_id, account_id, amount)"
        f" SELECT id, resident, -points FROM ({spend} WHERE kind = 'SPEND') s"
        f" UNION ALL SELECT id, $1::bigint + shop, points FROM ({spend} WHERE kind = 'SPEND') s",
        RESIDENTS,
        SHOPS,
    )
    await conn.execute(
        "INSERT INTO lots (account_id, funder_kind, funder_ref, original, remaining, expires_at, created_at)"
        " SELECT 1 + e.id % $1, 'PARTNER', '1', 50, 50, e.created_at + interval '100 days', e.created_at"
        " FROM journal_entries e WHERE e.kind = 'MOVE_RESERVED' ORDER BY e.id",
        RESIDENTS,
    )
    await conn.execute(
        "INSERT INTO postings (entry_id, account_id, lot_id, amount)"
        " SELECT e.id, l.account_id, l.id, 50 FROM journal_entries e JOIN lots l"
        " ON l.created_at = e.created_at WHERE e.kind = 'MOVE_RESERVED'"
        " UNION ALL SELECT e.id, $1::bigint + $2::bigint + 1 + e.id % $1::bigint, NULL, -50"
        " FROM journal_entries e"
        " WHERE e.kind = 'MOVE_RESERVED'",
        RESIDENTS,
        SHOPS,
    )
    await conn.execute("VACUUM ANALYZE")  # a month of rows, as autovacuum leaves them by the cut
    await conn.close()


async def main() -> int:
    name = f"mykey_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{SERVER}/{name}"
    settings = Settings.from_env({"DATABASE_URL": dsn, "MYKEY_VAR_DIR": mkdtemp(prefix="mykey-bench-")})
    try:
        await migrate_database(settings)
        started = time.perf_counter()
        await _seed(dsn)
        print(f"Settlement close: {MOVEMENTS:,} movements across {SHOPS:,} shops (PostgreSQL)")
        print(f"  seeded in {time.perf_counter() - started:.1f} s")
        await open_database(settings)
        operator = Actor(Role.OPERATOR, 1)
        started = time.perf_counter()
        run = await close_settlement(operator, "141305", date(2026, 11, 30), NOW)
        elapsed = time.perf_counter() - started
        print(f"  close: {elapsed:.1f} s, {run.entry_count:,} entries (aim: < 30 s)")
        used = await reader().fetchval(
            "SELECT SUM(amount) FROM postings p JOIN accounts a ON a.id = p.account_id WHERE a.kind = 'SHOP'"
        )
        arrived = await reader().fetchval("SELECT SUM(remaining) FROM lots")
        shops = await reader().fetchval("SELECT COUNT(*) FROM settlement_statements WHERE kind = 'SHOP'")
        print(f"  payable {run.payable_yen:,} yen to {shops:,} shops, receivable {run.receivable_yen:,} yen")
        assert run.entry_count == MOVEMENTS, "the close missed entries"
        assert (run.payable_yen, run.receivable_yen) == (used, arrived), (
            "the close does not match the journal"
        )
        started = time.perf_counter()
        again = await close_settlement(operator, "141305", date(2026, 11, 30), NOW)
        print(
            f"  closing again: {time.perf_counter() - started:.2f} s,"
            f" the same digest: {again.digest == run.digest}"
        )
    finally:
        await close_database()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
