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
from dataclasses import dataclass
from pathlib import Path
from tempfile import mkdtemp

import asyncpg

from bench.cpu import children_cpu_ms, postgres_cpu_ms, postgres_cpu_since

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


@dataclass(frozen=True)
class PgbenchRun:
    """One pgbench run: transactions a second (without the connections' set-up), and the CPU
    milliseconds each cost PostgreSQL (all its processes, from /proc) and pgbench itself."""

    per_second: float
    postgres_ms: float
    client_ms: float


async def run_pgbench(
    dsn: str,
    script: str,
    clients: int,
    *,
    seconds: int | None = None,
    transactions: int | None = None,
    defines: dict[str, str] | None = None,
) -> PgbenchRun:
    """``script`` under pgbench (``-M prepared``, 2 threads) for ``seconds``, or ``transactions``
    per client."""
    pgbench = await ensure_pgbench()
    path = Path(mkdtemp(prefix="mykey-pgbench-")) / "script.sql"
    path.write_text(script)
    length = f"-T{seconds}" if transactions is None else f"-t{transactions}"
    variables = [f"-D{name}={value}" for name, value in (defines or {}).items()]
    before = postgres_cpu_ms()
    children = children_cpu_ms()
    process = await asyncio.create_subprocess_exec(
        pgbench,
        "-n",
        f"-c{clients}",
        "-j2",
        "-M",
        "prepared",
        length,
        *variables,
        "-f",
        str(path),
        dsn,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    output, errors = await process.communicate()
    postgres, _ = postgres_cpu_since(before)
    client = children_cpu_ms() - children
    text = output.decode()
    rate = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", text)
    done = re.search(r"number of transactions actually processed: ([0-9]+)", text)
    failed = re.search(r"number of failed transactions: ([1-9][0-9]*)", text)
    if process.returncode or rate is None or done is None or failed is not None:
        raise RuntimeError(f"pgbench failed: {errors.decode()[-2000:]}{text[-2000:]}")
    count = int(done.group(1))
    return PgbenchRun(float(rate.group(1)), postgres / count, client / count)


async def spend_rate(dsn: str, clients: int, seconds: int) -> PgbenchRun:
    """PostgreSQL's own spend transaction under pgbench: the yardstick."""
    await prepare(dsn)
    return await run_pgbench(dsn, SCRIPT.format(accounts=ACCOUNTS), clients, seconds=seconds)
