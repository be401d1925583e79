"""The `mykey` command line, run as a separate process against the test database."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta

import asyncpg
import pytest

from domain.ledger.accounts import SystemAccount, get_balance
from domain.points import accounts
from domain.sql import reader
from tests.conftest import PG_HOST

MIGRATION_ROUND_TRIP = """
import asyncio, sys
from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate
from api.database import tortoise_config
from api.settings import Settings

async def tables():
    await Tortoise.init(config=tortoise_config(Settings.from_env()))
    client = Tortoise.get_connection("default")
    if client.capabilities.dialect == "sqlite":
        rows = await client.execute_query_dict("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = await client.execute_query_dict(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        )
    await Tortoise.close_connections()
    return sorted(r["name"] for r in rows if r["name"] in ("accounts", "lots", "postings"))

async def main():
    config = tortoise_config(Settings.from_env())
    await migrate(config=config); await Tortoise.close_connections()
    print("up", await tables())
    await migrate(config=config, target="models.__first__", direction="backward")
    await Tortoise.close_connections()
    print("down", await tables())
    await migrate(config=config); await Tortoise.close_connections()
    print("up again", await tables())

asyncio.run(main())
"""

BACKFILL = """
import asyncio
from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate
from api.database import tortoise_config
from api.settings import Settings

OLD = [  # accounts as 0001-0005 wrote them: the owner only in the code
    ("resident:1:program:1", "RESIDENT_PROGRAM"), ("resident:1:reserved", "RESIDENT_RESERVED"),
    ("program:1:gifts", "RESIDENT_PROGRAM"), ("municipality:141305", "MUNICIPALITY"),
    ("shop:1:3", "SHOP"), ("partner:1", "PARTNER"), ("system:expired", "SYSTEM"),
]

async def sql(statement, *rows):
    await Tortoise.init(config=tortoise_config(Settings.from_env()))
    client = Tortoise.get_connection("default")
    found = await client.execute_query_dict(statement) if not rows else None
    for row in rows:
        await client.execute_query(statement, list(row))
    await Tortoise.close_connections()
    return found

async def main():
    config = tortoise_config(Settings.from_env())
    before = "models.0005_purpose_and_suspension"
    await migrate(config=config, target=before); await Tortoise.close_connections()
    now = "2026-11-21T03:00:00+00:00"
    await sql("INSERT INTO municipalities (id, code, name, prefecture, kana, created_at) VALUES (1, '141305',"
              " '川崎市', '神奈川県', 'カワサキシ', '" + now + "')")
    await sql("INSERT INTO programs (id, municipality_id, kind, name, validity_days, yen_per_point, uses,"
              " created_at) VALUES (1, 1, 'REGULAR', 'p', 180, 1, 'SHOPS', '" + now + "')")
    await sql("INSERT INTO residents (id, my_key_id, password_hash, notify_points_granted,"
              " notify_points_expired, notify_password_changed, notify_my_key_id_changed, status, created_at)"
              " VALUES (1, 'ABCD1234', 'x', false, false, false, false, 'ACTIVE', '" + now + "')")
    await sql("INSERT INTO shops (id, municipality_id, name, category, created_at)"
              " VALUES (1, 1, 's', 'SHOP', '" + now + "')")
    await sql("INSERT INTO partners (id, name, client_id, client_secret_hash, active, rate_points, rate_yen,"
              " created_at) VALUES (1, 'p', 'c', 'h', true, 1, 1, '" + now + "')")
    for code, kind in OLD:
        await sql("INSERT INTO accounts (code, kind, tracks_lots, negative_allowed, balance, version,"
                  " created_at) VALUES ('" + code + "', '" + kind + "', false, true, 0, 0, '" + now + "')")
    await migrate(config=config); await Tortoise.close_connections()
    for row in await sql("SELECT code, kind, resident_id, municipality_id, program_id, shop_id, shard,"
                         " partner_id, voucher_id FROM accounts ORDER BY id"):
        print(" ".join(str(v) for v in row.values()))
    await migrate(config=config, target=before, direction="backward")
    await Tortoise.close_connections()
    print("back", [r["kind"] for r in await sql("SELECT kind FROM accounts WHERE code = 'program:1:gifts'")])

asyncio.run(main())
"""


def _run(db, *args, env_extra=None, code=None):
    env = {
        **os.environ,
        "DATABASE_URL": db.settings.database_url,
        "MYKEY_VAR_DIR": str(db.settings.var_dir),
        "MYKEY_LEDGER_KEY": str(db.settings.ledger_key_path),
        **(env_extra or {}),
    }
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "api.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


async def test_jobs_daily_expires_due_lots_then_seals_the_journal(db, books, clock):
    resident = await books.account(accounts.resident_program(1, 1))
    await books.grant(resident, 120, days=10)
    await books.grant(resident, 80, days=40)
    at = (clock.now() + timedelta(days=10)).isoformat()
    result = _run(db, "jobs", "daily", "--at", at)
    assert result.returncode == 0, result.stderr
    assert "expired 120 points in 1 lots of 1 accounts" in result.stdout
    assert "sealed 3 entries in 1 checkpoints" in result.stdout
    assert await books.balance(resident) == 80
    assert await get_balance(reader(), SystemAccount.EXPIRED) == 120
    again = _run(db, "jobs", "daily", "--at", at)
    assert "expired 0 points in 0 lots of 0 accounts" in again.stdout


async def test_serve_refuses_several_workers_on_sqlite(db):
    if db.postgres:
        pytest.skip("the refusal is about SQLite")
    result = _run(db, "serve", "--workers", "2")
    assert result.returncode == 2
    assert "SQLite allows one writer" in result.stderr


async def _in_an_empty_database(database, tmp_path, script):
    """Run ``script`` in a subprocess against a database of its own, made and dropped here."""
    if not database.postgres:
        url = f"sqlite://{tmp_path / 'empty.sqlite3'}"
        return _run(database, env_extra={"DATABASE_URL": url}, code=script)
    name = f"mykey_migrations_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{PG_HOST}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return _run(database, env_extra={"DATABASE_URL": f"{PG_HOST}/{name}"}, code=script)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_migrations_apply_roll_back_and_apply_again(database, tmp_path):
    result = await _in_an_empty_database(database, tmp_path, MIGRATION_ROUND_TRIP)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "up ['accounts', 'lots', 'postings']",
        "down []",
        "up again ['accounts', 'lots', 'postings']",
    ]


async def test_the_owner_migration_reads_each_existing_code_once_into_columns(database, tmp_path):
    result = await _in_an_empty_database(database, tmp_path, BACKFILL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "resident:1:program:1 RESIDENT_PROGRAM 1 None 1 None None None None",
        "resident:1:reserved RESIDENT_RESERVED 1 None None None None None None",
        "program:1:gifts EVENT_GIFTS None None 1 None None None None",
        "municipality:141305 MUNICIPALITY None 1 None None None None None",
        "shop:1:3 SHOP None None None 1 3 None None",
        "partner:1 PARTNER None None None None None 1 None",
        "system:expired SYSTEM None None None None None None None",
        "back ['RESIDENT_PROGRAM']",
    ]


async def test_ledger_seal_seals_what_is_unsealed_and_nothing_twice(db, books):
    resident = await books.account(accounts.resident_program(1, 1))
    await books.grant(resident, 10)
    await books.grant(resident, 20)
    first = _run(db, "ledger", "seal")
    assert first.returncode == 0, first.stderr
    assert "sealed 2 entries in 1 checkpoints" in first.stdout
    again = _run(db, "ledger", "seal")
    assert "sealed 0 entries in 0 checkpoints" in again.stdout
    checkpoints = await reader().fetch("SELECT sequence, entry_count FROM checkpoints")
    assert [(int(c["sequence"]), int(c["entry_count"])) for c in checkpoints] == [(1, 2)]
