"""Where one voucher redemption and one card payment spend their time (issue 18):
``python -m bench.profile_redeem``.

On a fresh PostgreSQL database prepared as ``bench.vouchers`` prepares it (printed vouchers; a PAY
terminal, residents with cards and points, signed proofs), REDEMPTIONS redemptions run one after
another in this process through ``redeem_voucher`` — the service function both HTTP routes call —
then as many payments through ``spend_points``, each under cProfile. For each it prints the CPU
PostgreSQL and this process used, the SQL statements sent (counted at ``domain.sql.Sql``, the only
way SQL leaves the domain) and the functions that took the most time. No HTTP and no GraphQL: this
is the service's own share.
"""

import asyncio
import cProfile
import io
import os
import pstats
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import asyncpg

from api.database import close_database, migrate_database, open_database
from api.settings import Settings
from bench.cpu import postgres_cpu_ms, postgres_cpu_since
from bench.spend import payment_key, prepare_spends
from bench.vouchers import NOW, SERVER, _print_vouchers, _town
from domain.auth.actor import Actor, Role
from domain.cards.proof import CardProof
from domain.cards.trust import CardTrust
from domain.spending.actions import spend_points
from domain.sql import Sql
from domain.vouchers.actions import redeem_voucher
from domain.vouchers.tokens import VoucherKey
from models.terminals import TerminalKind

REDEMPTIONS = int(os.environ.get("BENCH_PROFILE_REDEMPTIONS", "500"))  # and as many payments
TOP = 25
CPU_SAMPLE = 500


def _counting() -> Counter[str]:
    """Count each statement that leaves through ``Sql`` (the first words say which)."""
    counted: Counter[str] = Counter()
    for name in ("fetch", "execute"):
        original = getattr(Sql, name)

        async def wrapped(self: Sql, query: str, *params: Any, _original: Any = original) -> Any:
            counted[" ".join(query.split()[:4])] += 1
            return await _original(self, query, *params)

        setattr(Sql, name, wrapped)
    return counted


async def _profile(what: str, calls: list[Callable[[], Awaitable[object]]]) -> None:
    """Warm up on 20 calls, take the CPU of CPU_SAMPLE without the profiler, profile the rest."""
    for call in calls[:20]:  # warm caches and connections
        await call()
    counted = _counting()
    database_before, own_before = postgres_cpu_ms(), time.process_time()
    for call in calls[20 : 20 + CPU_SAMPLE]:
        await call()
    database_ms = postgres_cpu_since(database_before)[0] / CPU_SAMPLE
    own_ms = (time.process_time() - own_before) * 1000 / CPU_SAMPLE
    counted.clear()
    profiled = calls[20 + CPU_SAMPLE :]
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for call in profiled:
        await call()
    profile.disable()
    elapsed = time.perf_counter() - started
    each = elapsed / len(profiled) * 1000
    print(f"{len(profiled)} {what}s one after another in one process: {each:.2f} ms each")
    print(
        f"CPU per {what} ({CPU_SAMPLE} without the profiler): PostgreSQL's processes"
        f" {database_ms:.2f} ms, this process {own_ms:.2f} ms"
    )
    print(f"SQL statements per {what}: {sum(counted.values()) / len(profiled):.1f}")
    for statement, n in counted.most_common():
        print(f"  {n / len(profiled):4.1f}  {statement}")
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(TOP)
    print(out.getvalue())


async def main() -> int:
    name = f"mykey_profile_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{SERVER}/{name}"
    var = Path(mkdtemp(prefix="mykey-profile-"))
    settings = Settings.from_env({**os.environ, "DATABASE_URL": dsn, "MYKEY_VAR_DIR": str(var)})
    count = REDEMPTIONS + CPU_SAMPLE + 20
    try:
        await migrate_database(settings)
        await open_database(settings)
        program, shop, clerk = await _town(dsn)
        key = VoucherKey.load_or_create(settings.voucher_key_path)
        tokens = await _print_vouchers(program, count, key)
        payments = await prepare_spends(var, program, shop, count, NOW)
        trust = CardTrust.from_file(settings.trusted_ca_path)
        clerk_actor = Actor(Role.SHOP_STAFF, clerk, municipality_id=None, shop_id=shop)
        terminal = Actor(
            Role.TERMINAL,
            payments.terminal,
            municipality_id=None,
            shop_id=shop,
            terminal_kind=TerminalKind.PAY,
        )

        def redeem(token: str) -> Callable[[], Awaitable[object]]:
            return lambda: redeem_voucher(clerk_actor, token, key, NOW)

        def pay(n: int, proof: dict[str, str]) -> Callable[[], Awaitable[object]]:
            return lambda: spend_points(terminal, CardProof(**proof), 1, payment_key(n), trust, NOW)

        await _profile("redemption", [redeem(token) for token in tokens])
        await _profile("payment", [pay(n, proof) for n, proof in enumerate(payments.proofs)])
    finally:
        await close_database()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
