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


async def test_migrations_apply_roll_back_and_apply_again(database, tmp_path):
    if database.postgres:
        name = f"mykey_migrations_{uuid.uuid4().hex[:10]}"
        admin = await asyncpg.connect(f"{PG_HOST}/postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = f"{PG_HOST}/{name}"
    else:
        url = f"sqlite://{tmp_path / 'migrations.sqlite3'}"
    try:
        result = _run(database, env_extra={"DATABASE_URL": url}, code=MIGRATION_ROUND_TRIP)
    finally:
        if database.postgres:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "up ['accounts', 'lots', 'postings']",
        "down []",
        "up again ['accounts', 'lots', 'postings']",
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
