"""Where one voucher redemption spends its time (issue 18): ``python -m bench.profile_redeem``.

On a fresh PostgreSQL database with printed vouchers (as ``bench.vouchers`` makes them), REDEMPTIONS
redemptions run one after another in this process through ``redeem_voucher`` — the service function
both HTTP routes call — under cProfile. It prints the SQL statements one redemption sends (counted
at ``domain.sql.Sql``, the only way SQL leaves the domain) and the functions that took the most
time. No HTTP and no GraphQL: this is the service's own share.
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
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import asyncpg

from api.database import close_database, migrate_database, open_database
from api.settings import Settings
from bench.vouchers import NOW, SERVER, _print_vouchers, _town
from domain.auth.actor import Actor, Role
from domain.sql import Sql
from domain.vouchers.actions import redeem_voucher
from domain.vouchers.tokens import VoucherKey

REDEMPTIONS = int(os.environ.get("BENCH_PROFILE_REDEMPTIONS", "500"))
TOP = 25
CPU_SAMPLE = 500


def _postgres_cpu_ms() -> float:
    """CPU used so far by every PostgreSQL process on this machine (backends, WAL writer…), from /proc."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1 :].startswith("postgres"):
            fields = text[text.rindex(")") + 2 :].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


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


async def main() -> int:
    name = f"mykey_profile_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{SERVER}/{name}"
    env = {**os.environ, "DATABASE_URL": dsn, "MYKEY_VAR_DIR": str(Path(mkdtemp(prefix="mykey-profile-")))}
    settings = Settings.from_env(env)
    try:
        await migrate_database(settings)
        await open_database(settings)
        program, shop, clerk = await _town(dsn)
        key = VoucherKey.load_or_create(settings.voucher_key_path)
        tokens = await _print_vouchers(program, REDEMPTIONS + CPU_SAMPLE + 20, key)
        actor = Actor(Role.SHOP_STAFF, clerk, municipality_id=None, shop_id=shop)
        for token in tokens[:20]:  # warm caches and connections
            await redeem_voucher(actor, token, key, NOW)
        counted = _counting()
        database_before, own_before = _postgres_cpu_ms(), time.process_time()
        for token in tokens[20 : 20 + CPU_SAMPLE]:  # CPU first, without the profiler's overhead
            await redeem_voucher(actor, token, key, NOW)
        database_ms = (_postgres_cpu_ms() - database_before) / CPU_SAMPLE
        own_ms = (time.process_time() - own_before) * 1000 / CPU_SAMPLE
        counted.clear()
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for token in tokens[20 + CPU_SAMPLE :]:
            await redeem_voucher(actor, token, key, NOW)
        profile.disable()
        elapsed = time.perf_counter() - started
        print(
            f"{REDEMPTIONS} redemptions one after another in one process:"
            f" {elapsed / REDEMPTIONS * 1000:.2f} ms each"
        )
        print(
            f"CPU per redemption ({CPU_SAMPLE} without the profiler): PostgreSQL's processes"
            f" {database_ms:.2f} ms, this process {own_ms:.2f} ms"
        )
        print(f"SQL statements per redemption: {sum(counted.values()) / REDEMPTIONS:.1f}")
        for statement, n in counted.most_common():
            print(f"  {n / REDEMPTIONS:4.1f}  {statement}")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(TOP)
        print(out.getvalue())
    finally:
        await close_database()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
