"""Every integration test runs twice: on SQLite and on PostgreSQL.

The session-scoped ``database`` fixture is parametrised over both backends; each backend gets a
fresh database (a temporary SQLite file; a PostgreSQL database created and dropped by the run),
migrated with the project's own migrations. Without a reachable PostgreSQL the PostgreSQL half is
skipped with one loud line, unless REQUIRE_POSTGRES=1 (set by .ci/run), which makes it fail.

After every test that used the database, ``mykey ledger verify``'s checks run on what it left
(tests that break the books on purpose say so with the ``ledger_breached`` marker).
"""

import os
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from tortoise import connections

from api.app import create_app
from api.database import close_database, migrate_database, open_database
from api.settings import Settings
from domain.cards.authority import CardAuthority
from domain.clock import ManualClock
from domain.events import sender
from domain.ledger.accounts import AccountRef, Owner, open_account
from domain.ledger.journal import Funder, Leg, PostedEntry, post_entry
from domain.ledger.signing import LedgerKey
from domain.ledger.verify import verify_ledger
from domain.points import accounts
from domain.sql import Sql, reader, transaction
from models.ledger import AccountKind, FunderKind
from tests.integration.identity.people import People
from tests.integration.town import Town, build_town

PG_HOST = os.environ.get("MYKEY_TEST_PG", "postgres://postgres@127.0.0.1:5432")
PG_POOL = 24  # the suite shares PostgreSQL (100 connections) with others: stay at or under 40 in all
START = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)  # 12:00 JST
TABLES = [
    "orders",
    "item_programs",
    "items",
    "donations",
    "published_figures",
    "webhook_deliveries",
    "authorization_codes",
    "audit_events",
    "grant_files",
    "grant_batches",
    "settlement_statements",
    "settlement_lines",
    "settlement_entries",
    "settlements",
    "voucher_redemptions",
    "vouchers",
    "outbox",
    "job_leases",
    "exchanges",
    "coupons",
    "coupon_batches",
    "acceptance_agreements",
    "shop_programs",
    "premium_campaigns",
    "postings",
    "lots",
    "journal_entries",
    "checkpoints",
    "idempotency_records",
    "accounts",
    "sessions",
    "service_lookup_counts",
    "service_links",
    "terminals",
    "staff",
    "cards",
    "residents",
    "registrations",
    "card_challenges",
    "revoked_certificates",
    "revocation_lists",
    "services",
    "programs",
    "departments",
    "shops",
    "partners",
    "municipalities",
    "rate_limit_windows",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ledger_breached: the test breaks the books on purpose")


@dataclass
class Backend:
    name: str
    settings: Settings
    key: LedgerKey

    @property
    def postgres(self) -> bool:
        return self.name == "postgres"


async def _postgres_reachable() -> bool:
    try:
        conn = await asyncpg.connect(f"{PG_HOST}/postgres", timeout=3)
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


def _settings(url: str, var: Path) -> Settings:
    env = {
        "DATABASE_URL": url,
        "MYKEY_ENV": "test",
        "MYKEY_VAR_DIR": str(var),
        "MYKEY_DB_POOL_SIZE": str(PG_POOL),
        "MYKEY_CHECKPOINT_SECONDS": "0",
        "MYKEY_OUTBOX_SECONDS": "0",
        # argon2id stays argon2id, at a cost that keeps hundreds of sign-ins in the suite fast
        "MYKEY_ARGON2_MEMORY_KIB": "1024",
        "MYKEY_ARGON2_TIME_COST": "1",
    }
    return Settings.from_env(env)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Backend]:
    var = tmp_path_factory.mktemp(f"var-{request.param}")
    name = f"mykey_test_{uuid.uuid4().hex[:12]}"
    if request.param == "postgres":
        if not await _postgres_reachable():
            message = f"PostgreSQL at {PG_HOST} is unreachable: the PostgreSQL half of the suite did not run"
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                pytest.fail(message + " (REQUIRE_POSTGRES=1)")
            print(f"\n\n!!!!! {message.upper()} !!!!!\n", file=sys.stderr)
            pytest.skip(message)
        admin = await asyncpg.connect(f"{PG_HOST}/postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = f"{PG_HOST}/{name}"
    else:
        url = f"sqlite://{var / 'test.sqlite3'}"
    settings = _settings(url, var)
    CardAuthority.init(settings.card_ca_dir, START - timedelta(days=30))  # the trusted test CA
    await migrate_database(settings)
    await open_database(settings)
    try:
        yield Backend(request.param, settings, LedgerKey.load_or_create(settings.ledger_key_path))
    finally:
        await close_database()
        if request.param == "postgres":
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


async def _wipe(backend: Backend) -> None:
    client = connections.get("default")
    if backend.postgres:
        await client.execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    else:
        deletes = "; ".join(f"DELETE FROM {table}" for table in TABLES)
        await client.execute_script(
            f"PRAGMA foreign_keys = OFF; {deletes}; DELETE FROM sqlite_sequence; PRAGMA foreign_keys = ON"
        )


@pytest.fixture
async def db(database: Backend, request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    """A clean database for one test; the ledger's invariants are checked when it ends."""
    if request.node.get_closest_marker("postgres_only") and not database.postgres:
        pytest.skip("needs PostgreSQL's row locks and real concurrency")
    await _wipe(database)
    yield database
    await sender.drained()  # a test's live events leave before the next test wipes the tables
    if not request.node.get_closest_marker("ledger_breached"):
        breaches = await verify_ledger(reader(), database.key)
        assert breaches == [], [str(b) for b in breaches]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def api(db: Backend, clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(db.settings, clock, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


class Books:
    """Test helpers that open accounts and fund them through the real ledger code."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock

    async def account(self, owner: Owner) -> AccountRef:
        """``owner``'s account, with the rows its foreign keys name made up if missing (municipality
        1 is 141305; program P is municipality P's): ledger tests need owners, not a whole town."""
        await self.owner_rows(owner)
        return await transaction(lambda sql: open_account(sql, owner, self.clock.now()))

    async def owner_rows(self, owner: Owner) -> None:
        now = self.clock.now()

        async def work(sql: Sql) -> None:
            await sql.execute(
                "INSERT INTO municipalities (id, code, name, prefecture, kana, created_at)"
                " VALUES (1, '141305', '川崎市', '神奈川県', 'カワサキシ', $1) ON CONFLICT (id) DO NOTHING",
                now,
            )
            if owner.program_id is not None:  # program P is the regular program of municipality P
                await sql.execute(
                    "INSERT INTO municipalities (id, code, name, prefecture, kana, created_at)"
                    " VALUES ($1, $2, $3, '東京都', 'テスト', $4) ON CONFLICT (id) DO NOTHING",
                    owner.program_id,
                    f"{owner.program_id:06d}",
                    f"テスト市{owner.program_id}",
                    now,
                )
                await sql.execute(
                    "INSERT INTO programs (id, municipality_id, kind, name, validity_days, yen_per_point,"
                    " uses, created_at) VALUES ($1, $1, 'REGULAR', $2, 180, 1, 'SPEND', $3)"
                    " ON CONFLICT (id) DO NOTHING",
                    owner.program_id,
                    f"テスト{owner.program_id}",
                    now,
                )
            if owner.resident_id is not None:
                await sql.execute(
                    "INSERT INTO residents (id, my_key_id, password_hash, notify_points_granted,"
                    " notify_points_expired, notify_password_changed, notify_my_key_id_changed, status,"
                    " created_at) VALUES ($1, $2, 'x', false, false, false, false, 'ACTIVE', $3)"
                    " ON CONFLICT (id) DO NOTHING",
                    owner.resident_id,
                    f"TEST{owner.resident_id:04d}",
                    now,
                )
            if owner.shop_id is not None:
                await sql.execute(
                    "INSERT INTO shops (id, municipality_id, name, category, created_at)"
                    " VALUES ($1, 1, $2, 'SHOP', $3) ON CONFLICT (id) DO NOTHING",
                    owner.shop_id,
                    f"商店{owner.shop_id}",
                    now,
                )

        await transaction(work)

    async def budget(self) -> AccountRef:
        return await self.account(Owner(AccountKind.MUNICIPALITY, municipality_id=1, name="141305"))

    async def grant(
        self,
        dest: AccountRef,
        amount: int,
        days: int = 100,
        funder: str = "141305",
        source: AccountRef | None = None,
    ) -> PostedEntry:
        source = source or await self.budget()
        leg = Leg(
            source,
            dest,
            amount,
            funder=Funder(FunderKind.MUNICIPALITY, funder),
            expires_at=self.clock.now() + timedelta(days=days),
        )
        return await self.post([leg], kind="GRANT")

    async def resident_and_shop(self, points: int = 0) -> tuple[AccountRef, AccountRef]:
        """Resident 1's account in program 1, granted ``points`` (if any), and shop 1's account."""
        resident = await self.account(accounts.resident_program(1, 1))
        shop = await self.account(accounts.shop(1, 0))
        if points:
            await self.grant(resident, points)
        return resident, shop

    async def post(self, legs: list[Leg], kind: str = "TRANSFER") -> PostedEntry:
        now = self.clock.now()
        return await transaction(lambda sql: post_entry(sql, kind=kind, actor="test", now=now, legs=legs))

    async def balance(self, account: AccountRef) -> int:
        return int(await reader().fetchval("SELECT balance FROM accounts WHERE id = $1", account.id))

    async def lots(self, account: AccountRef) -> list[dict[str, object]]:
        return await reader().fetch(
            "SELECT id, funder_kind, funder_ref, original, remaining, expires_at, origin_id FROM lots"
            " WHERE account_id = $1 ORDER BY id",
            account.id,
        )


@pytest.fixture
def books(db: Backend, clock: ManualClock) -> Books:
    return Books(clock)


@pytest.fixture
async def people(api: httpx.AsyncClient, clock: ManualClock, db: Backend) -> People:
    return People(api, clock, db.settings.card_ca_dir)


@pytest.fixture
async def town(people: People, clock: ManualClock) -> Town:
    """A municipality, its program, a shop with PAY terminal and staff, a resident with 1,000 points."""
    return await build_town(people, clock)
