"""What PostgreSQL itself does: the spend transaction under pgbench, the yardstick of ``make bench``.

BEGIN; a guarded UPDATE of a balance (``balance >= amount``, a CHECK behind it); an INSERT of the
movement; COMMIT — pgbench with the bench's number of connections, prepared statements, on tables of
its own in the bench's database. pgbench comes with Debian's ``postgresql-client`` (installed here if
missing). The services' figures are printed as ratios of this one, measured in the same run: these
machines are shared, so only ratios taken together mean something.
"""

import asyncio
import re
import shutil
from pathlib import Path
from tempfile import mkdtemp

import asyncpg

ACCOUNTS = 10_000
SCRIPT = """\\set aid random(1, {accounts})
BEGIN;
UPDATE bench_balances SET balance = balance - 1 WHERE id = :aid AND balance >= 1;
INSERT INTO bench_spends (account_id, amount, created_at) VALUES (:aid, 1, now());
COMMIT;
"""


async def ensure_pgbench() -> str:
    found = shutil.which("pgbench")
    apt = shutil.which("apt-get")
    if found is None and apt is not None:
        installing = await asyncio.create_subprocess_exec(apt, "install", "-y", "-q", "postgresql-client")
        await installing.wait()
        found = shutil.which("pgbench")
    if found is None:
        raise RuntimeError("pgbench is missing: apt-get install postgresql-client")
    return found


async def prepare(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_balances (id INT PRIMARY KEY, balance BIGINT NOT NULL"
            " CHECK (balance >= 0));"
            "CREATE TABLE IF NOT EXISTS bench_spends (id BIGSERIAL PRIMARY KEY, account_id INT NOT NULL,"
            " amount BIGINT NOT NULL, created_at TIMESTAMPTZ NOT NULL);"
            "TRUNCATE bench_balances, bench_spends;"
        )
        await conn.execute(
            f"INSERT INTO bench_balances SELECT g, 1000000 FROM generate_series(1, {ACCOUNTS}) g"
        )
        await conn.execute("ANALYZE bench_balances")
    finally:
        await conn.close()


async def spend_rate(dsn: str, clients: int, seconds: int) -> float:
    """Spend transactions a second (pgbench's tps, without the connections' set-up)."""
    pgbench = await ensure_pgbench()
    await prepare(dsn)
    script = Path(mkdtemp(prefix="mykey-pgbench-")) / "spend.sql"
    script.write_text(SCRIPT.format(accounts=ACCOUNTS))
    process = await asyncio.create_subprocess_exec(
        pgbench,
        "-n",
        f"-c{clients}",
        "-j2",
        "-M",
        "prepared",
        f"-T{seconds}",
        "-f",
        str(script),
        dsn,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    output, errors = await process.communicate()
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", output.decode())
    if process.returncode or found is None:
        raise RuntimeError(f"pgbench failed: {errors.decode()[-2000:]}")
    return float(found.group(1))
