"""Money movements over HTTP (``make bench``): voucher redemptions (GraphQL and a plain Starlette
endpoint) and card payments (``spendPoints``), each as a ratio of what PostgreSQL itself does with a
spend transaction in the same run (pgbench, ``bench/pgbench_spend.py``; issue 18 aims at GraphQL
>= 20 % of it and >= 70 % of the plain route).

Both servers run under uvicorn with 2 workers on PostgreSQL; the plain route calls the same service
function (``redeem_voucher``) as the GraphQL one. The load comes from wrk (Debian package ``wrk``;
bench/bodies.lua): 32 connections sending prepared bodies, each once — a distinct voucher to redeem,
or a payment of 1 point with its own card proof and idempotency key (bench/spend.py) — every answer
checked. A third GraphQL run asks ``{ __typename }`` with the terminal's token: what the HTTP and
GraphQL stack costs a request before any domain work (the ceiling no operation can pass). Without
wrk, an httpx client does the same (slower: it competes for the same 2 cores).
Vouchers are printed in bulk beforehand through the ledger's bulk path. BENCH_SECONDS sets each
run's length (default 8); BENCH_SPENDS the payments prepared (default 12,000: a run must not use
them up).

Before the servers start, pgbench sends a redemption's own statements with no server (the floor
of PostgreSQL's work per redemption, split between the reads, the NOTIFY and the function, and
beside a twin that writes the same rows and nothing else); with the GraphQL stack's floor that
gives the ceiling any GraphQL redemption can reach on this machine, printed as a ratio too.

It also prints p50/p99 latencies, the CPU milliseconds each request cost by process group (from
/proc), a signed-in resident's balance read offered at BENCH_READS_PER_SECOND (default 1,000) over
32 keep-alive connections, and the GraphQL workers' RSS. With BENCH_PYSPY=1 and py-spy installed
(``pip install py-spy``), one GraphQL worker is sampled during each GraphQL run (``python -m
bench.stacks``).
"""

import asyncio
import json
import os
import shutil
import socket
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import mkdtemp
from urllib.parse import urlsplit

import asyncpg
import httpx

from api.database import close_database, migrate_database, open_database
from api.settings import Settings
from bench.cpu import children_cpu_ms
from bench.pgbench_spend import PgbenchRun, run_pgbench, spend_rate
from bench.spend import PAID, prepare_spends
from bench.verify import verify_after
from domain.auth.sessions import SESSION_ACTOR, open_session
from domain.auth.tokens import digest
from domain.events import CHANNEL, NOTIFY, Event
from domain.ledger.accounts import open_account
from domain.ledger.bulk import Credit, post_credits
from domain.ledger.journal import Funder, Leg, post_entry
from domain.municipalities.queries import get_municipality_by_code
from domain.points import accounts
from domain.sql import bulk_insert, transaction
from domain.vouchers.actions import REDEEM_IN_SERVER
from domain.vouchers.queries import VOUCHER_AT_SHOP
from domain.vouchers.tokens import VoucherKey, new_serial
from models.ledger import FunderKind
from models.sessions import SubjectKind

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
CLIENTS = 32
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
PER_SERVER = int(os.environ.get("BENCH_REDEMPTIONS", "30000"))  # more than a run can use
SPENDS = int(os.environ.get("BENCH_SPENDS", "12000"))  # signed beforehand: ~1 ms each
FLOOR = '{"query":"{ __typename }"}'
FLOOR_REQUESTS = 200_000  # more than a run can send
LUA = Path(__file__).with_name("bodies.lua")
READS_PER_SECOND = int(os.environ.get("BENCH_READS_PER_SECOND", "1000"))
NOW = datetime.now(UTC)
EXPIRES = NOW + timedelta(days=30)
REDEEM = "mutation($t: String!) { redeemVoucher(token: $t) { voucher { status } userErrors { code } } }"


async def _town(dsn: str) -> tuple[int, int, int]:
    conn = await asyncpg.connect(dsn)
    municipality = await conn.fetchval(
        "INSERT INTO municipalities (code, name, prefecture, kana, created_at)"
        " VALUES ('141305', '川崎市', '神奈川県', 'カワサキシ', $1) RETURNING id",
        NOW,
    )
    program = await conn.fetchval(
        "INSERT INTO programs (municipality_id, kind, name, validity_days, yen_per_point, uses, created_at)"
        " VALUES ($1, 'REGULAR', '川崎市ポイント', 100, 1, 'SHOPS', $2) RETURNING id",
        municipality,
        NOW,
    )
    shop = await conn.fetchval(
        "INSERT INTO shops (municipality_id, name, category, created_at) VALUES ($1, '商店', 'SHOP', $2)"
        " RETURNING id",
        municipality,
        NOW,
    )
    await conn.execute("INSERT INTO shop_programs (shop_id, program_id) VALUES ($1, $2)", shop, program)
    clerk = await conn.fetchval(
        "INSERT INTO staff (login, password_hash, role, municipality_id, shop_id, active, created_at)"
        " VALUES ('clerk', 'x', 'SHOP_STAFF', $1, $2, TRUE, $3) RETURNING id",
        municipality,
        shop,
        NOW,
    )
    await conn.close()
    return int(program), int(shop), int(clerk)


async def _print_vouchers(program: int, serials: list[str]) -> list[int]:
    """Vouchers of 100 points with these serials, printed through the ledger's bulk path: their ids."""
    expires = EXPIRES

    async def work(sql):  # type: ignore[no-untyped-def]
        rows = await bulk_insert(
            sql,
            "vouchers",
            (
                ("serial", "text"),
                ("program_id", "bigint"),
                ("face_value", "bigint"),
                ("source", "text"),
                ("issued_by", "text"),
                ("status", "text"),
                ("issued_at", "timestamptz"),
                ("expires_at", "timestamptz"),
            ),
            [(s, program, 100, "BUDGET", "bench", "ISSUED", NOW, expires) for s in serials],
            returning="id",
        )
        ids = [int(r["id"]) for r in rows]
        town = await get_municipality_by_code(sql, "141305", "code")
        budget = await accounts.open_budget(sql, town, NOW)
        credits = [Credit(accounts.voucher(i), 100) for i in ids]
        await post_credits(
            sql,
            kind="VOUCHER_PRINT",
            actor="bench",
            now=NOW,
            source=budget,
            credits=credits,
            funder=Funder(FunderKind.MUNICIPALITY, "141305"),
            expires_at=expires,
        )
        return ids

    return list(await transaction(work))


async def _tokens(program: int, count: int, key: VoucherKey) -> list[str]:
    """``count`` vouchers printed, as the tokens a shop scans."""
    serials = list({new_serial() for _ in range(count * 2)})[:count]
    await _print_vouchers(program, serials)
    return [key.token(s, 100, program, EXPIRES) for s in serials]


def _named(statement: str, *names: str) -> str:
    """``statement`` with its $1, $2… as pgbench variables (``-M prepared`` sends them as parameters)."""
    for number, name in reversed(list(enumerate(names, 1))):  # $10 before $1
        statement = statement.replace(f"${number}", f":{name}")
    return statement + ";"


# One GraphQL redemption's statements, as its server sends them, without the server: the caller's
# session, the voucher at the shop, mk_redeem_voucher, the live event (one NOTIFY each; the server
# batches concurrent ones). Each client redeems its own run of vouchers, each once. The reads alone
# and the NOTIFY alone run after it, to split PostgreSQL's CPU between them and the function.
# Before it, on the same vouchers (still issued: rolled back), mk_redeem_voucher beside TWIN, a
# bench-only function that writes the same rows with nothing else: what the function's generality
# costs above the rows themselves.
PICK = [
    "\\set i :i + 1",
    "\\set voucher :first + :client_id * :per + :i - 1",
    "\\set serial :serials + :voucher",
    f"\\set shard random(0, {accounts.SHOP_SHARDS - 1})",
]
READS = [_named(SESSION_ACTOR, "hash", "now"), _named(VOUCHER_AT_SHOP, "serial", "shop")]
REDEEM_NAMES = ("voucher", "shop", "shard", "actor", "memo", "now")
REDEEMS = [_named(REDEEM_IN_SERVER, *REDEEM_NAMES)]
NOTIFIES = [_named(NOTIFY, "channel", "events")]
TWINS = [_named(REDEEM_IN_SERVER.replace("mk_redeem_voucher", "bench_redeem_twin"), *REDEEM_NAMES)]
DATABASE_SCRIPTS = {
    "function, rolled back": "\n".join([*PICK, "BEGIN;", *REDEEMS, "ROLLBACK;"]) + "\n",
    "twin, rolled back": "\n".join([*PICK, "BEGIN;", *TWINS, "ROLLBACK;"]) + "\n",
    "redemption": "\n".join(PICK + READS + REDEEMS + NOTIFIES) + "\n",
    "reads": "\n".join(PICK + READS) + "\n",
    "notify": "\n".join(PICK + NOTIFIES) + "\n",
}
# mk_redeem_voucher's rows and nothing else, for a voucher of one lot (bench vouchers are): the
# flip, both balances, the lot, the entry and its digest, two postings, the redemption row
TWIN = r"""
CREATE FUNCTION bench_redeem_twin(
    p_voucher bigint, p_shop bigint, p_shard int, p_actor text, p_memo text, p_now timestamptz
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_value bigint; v_source bigint; v_shop bigint; v_lot bigint; v_entry bigint; v_body text;
BEGIN
    SELECT id INTO STRICT v_shop FROM accounts WHERE kind = 'SHOP' AND shop_id = p_shop AND shard = p_shard;
    UPDATE vouchers SET status = 'REDEEMED', closed_at = p_now
        WHERE id = p_voucher AND status = 'ISSUED' AND expires_at > p_now
        RETURNING face_value INTO STRICT v_value;
    UPDATE accounts SET balance = balance - v_value, version = version + 1
        WHERE kind = 'VOUCHER' AND voucher_id = p_voucher AND balance >= v_value
        RETURNING id INTO STRICT v_source;
    UPDATE accounts SET balance = balance + v_value, version = version + 1 WHERE id = v_shop;
    UPDATE lots SET remaining = 0 WHERE account_id = v_source AND remaining = v_value
        RETURNING id INTO STRICT v_lot;
    v_body := '{"actor":' || to_json(p_actor)::text
        || ',"at":"' || to_char(p_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00"'
        || ',"key":null,"kind":"REDEEM","memo":' || to_json(p_memo)::text
        || ',"postings":[[' || v_source || ',' || v_lot || ',' || -v_value || '],[' || v_shop || ',0,'
        || v_value || ']]}';
    INSERT INTO journal_entries (kind, actor, idempotency_key, memo, created_at, digest)
        VALUES ('REDEEM', p_actor, NULL, p_memo, p_now, encode(sha256(convert_to(v_body, 'UTF8')), 'hex'))
        RETURNING id INTO v_entry;
    INSERT INTO postings (entry_id, account_id, lot_id, amount)
        VALUES (v_entry, v_source, v_lot, -v_value), (v_entry, v_shop, NULL, v_value);
    INSERT INTO voucher_redemptions (voucher_id, shop_id, actor, kind, entry_id, created_at)
        VALUES (p_voucher, p_shop, p_actor, 'REDEEM', v_entry, p_now);
    RETURN v_entry;
END
$$
"""
SERIALS = 90_000_000  # the pgbench vouchers' serials: this plus their id, as text
DATABASE_PER_CLIENT = int(os.environ.get("BENCH_DATABASE_REDEMPTIONS", "250"))


async def _database_redemptions(
    dsn: str, program: int, shop: int, clerk: int, bearer: str
) -> dict[str, PgbenchRun]:
    """What one redemption costs PostgreSQL alone: DATABASE_SCRIPTS under pgbench, CLIENTS clients,
    DATABASE_PER_CLIENT transactions each; every voucher must end redeemed, once."""
    count = CLIENTS * DATABASE_PER_CLIENT
    ids = await _print_vouchers(program, [f"p{n:07d}" for n in range(count)])
    first, last = min(ids), max(ids)
    assert last - first + 1 == count, "the pgbench vouchers' ids must be one run"
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "UPDATE vouchers SET serial = ($1 + id)::text WHERE id BETWEEN $2 AND $3", SERIALS, first, last
        )
        await conn.execute(TWIN)
        for shard in range(accounts.SHOP_SHARDS):  # the servers' warm-up opens them too
            await transaction(lambda sql, shard=shard: accounts.open_shop(sql, shop, NOW, shard))
        event = Event(f"shop:{shop}", "VOUCHER_REDEEMED", {"serial": "9000-0001", "faceValue": 100})
        defines = {
            "i": "0",
            "first": str(first),
            "per": str(DATABASE_PER_CLIENT),
            "serials": str(SERIALS),
            "hash": digest(bearer),
            "now": NOW.isoformat(),
            "shop": str(shop),
            "actor": f"shop_staff:{clerk}",
            "memo": "商店 でポイント券を利用",
            "channel": CHANNEL,
            "events": "{" + json.dumps(event.encode(1)) + "}",
        }
        runs = {
            name: await run_pgbench(dsn, script, CLIENTS, transactions=DATABASE_PER_CLIENT, defines=defines)
            for name, script in DATABASE_SCRIPTS.items()
        }
        redeemed = await conn.fetchval(
            "SELECT COUNT(*) FROM voucher_redemptions WHERE voucher_id BETWEEN $1 AND $2", first, last
        )
        assert redeemed == count, f"pgbench redeemed {redeemed} of its {count} vouchers"
        return runs
    finally:
        await conn.close()


@dataclass(frozen=True)
class Rate:
    per_second: float
    p50_ms: float
    p99_ms: float


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def _resident_bearer(program: int) -> str:
    """A resident with 1,000 points in the program, signed in: whose balance the reads ask for."""

    async def work(sql):  # type: ignore[no-untyped-def]
        resident = await sql.fetchval(
            "INSERT INTO residents (my_key_id, password_hash, notify_points_granted, notify_points_expired,"
            " notify_password_changed, notify_my_key_id_changed, status, created_at)"
            " VALUES ('BENCH001', 'x', false, false, false, false, 'ACTIVE', $1) RETURNING id",
            NOW,
        )
        town = await get_municipality_by_code(sql, "141305", "code")
        budget = await accounts.open_budget(sql, town, NOW)
        mine = await open_account(sql, accounts.resident_program(int(resident), program), NOW)
        funder = Funder(FunderKind.MUNICIPALITY, "141305")
        leg = Leg(budget, mine, 1000, funder=funder, expires_at=NOW + timedelta(days=100))
        await post_entry(sql, kind="GRANT", actor="bench", now=NOW, legs=[leg])
        return (await open_session(sql, SubjectKind.RESIDENT, int(resident), NOW, hours=2)).token

    return str(await transaction(work))


async def _paced_reads(base: str, bearer: str, per_second: int, seconds: int) -> Rate:
    """``me { balances }`` at a fixed rate over CLIENTS keep-alive connections; each latency counts
    from when its request was due, so a server that falls behind shows it (no coordinated omission).
    A bare HTTP/1.1 client: it must not eat the CPU it measures."""
    address = urlsplit(base)
    body = b'{"query":"{ me { balances { points } } }"}'
    request = (
        f"POST /graphql HTTP/1.1\r\nHost: {address.netloc}\r\nAuthorization: Bearer {bearer}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    total = per_second * seconds
    latencies: list[float] = []
    failures = 0
    # one at a time, as phones arrive: a burst of connects lands on whichever worker wakes first,
    # and asyncio accepts everything pending in one go (one worker would hold most of them)
    streams = []
    for _ in range(CLIENTS):
        streams.append(await asyncio.open_connection(address.hostname, address.port))
        await asyncio.sleep(0.01)
    start = time.perf_counter() + 0.2

    async def connection(first: int) -> None:
        nonlocal failures
        reader, writer = streams[first]
        for n in range(first, total, CLIENTS):
            due = start + n / per_second
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            writer.write(request)
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            answer = await reader.readexactly(length)
            latencies.append((time.perf_counter() - due) * 1000)
            if not status.startswith(b"HTTP/1.1 200") or b'"points":1000' not in answer:
                failures += 1
        writer.close()

    await asyncio.gather(*(connection(k) for k in range(CLIENTS)))
    if failures:
        raise AssertionError(f"{failures} balance reads did not answer the balance")
    elapsed = time.perf_counter() - start
    return Rate(len(latencies) / elapsed, _percentile(latencies, 0.5), _percentile(latencies, 0.99))


def _rss_mb(server: int) -> list[float]:
    """Each worker's resident memory (VmRSS), in MB (not multiprocessing's resource tracker)."""
    sizes = []
    for pid, (_, parent, _) in _cpu().items():
        if parent == server and b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
    return sorted(sizes)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _serve(app: str, env: dict[str, str]) -> tuple[asyncio.subprocess.Process, str]:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        app,
        "--port",
        str(port),
        "--workers",
        "2",
        "--log-level",
        "critical",  # wrk drops its connections at the end of a run: uvicorn would log each one
        "--no-access-log",
        env=env,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            try:
                await client.get(base + "/healthz")
                break
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    return process, base


async def _load(url: str, bearer: str, bodies: list[str], mark: str) -> Rate:
    """The same as :func:`_wrk` with httpx, where wrk is missing."""
    queue = list(reversed(bodies))
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:

        async def worker() -> int:
            done = 0
            while queue:
                body = queue.pop()
                sent = time.perf_counter()
                response = await client.post(url, content=body)
                assert response.status_code == 200, response.text
                assert mark in response.text, response.text
                latencies.append((time.perf_counter() - sent) * 1000)
                done += 1
            return done

        started = time.perf_counter()
        total = sum(await asyncio.gather(*(worker() for _ in range(CLIENTS))))
        rate = total / (time.perf_counter() - started)
        return Rate(rate, _percentile(latencies, 0.5), _percentile(latencies, 0.99))


def _spread(rate: Rate) -> str:
    return f"p50 {rate.p50_ms:.1f} ms, p99 {rate.p99_ms:.1f} ms"


async def _wrk(url: str, bearer: str, bodies: list[str], mark: str) -> Rate:
    """Requests per second under wrk, each body sent once; every answer must contain ``mark``."""
    listing = Path(mkdtemp(prefix="mykey-bodies-")) / "bodies.txt"
    listing.write_text("\n".join(bodies) + "\n")
    env = {**os.environ, "BODIES": str(listing), "THREADS": "2", "MARK": mark, "AUTH": bearer}
    process = await asyncio.create_subprocess_exec(
        "wrk",
        "-t2",
        f"-c{CLIENTS}",
        f"-d{SECONDS}s",
        "-s",
        str(LUA),
        url,
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await process.communicate()
    line = next(x for x in output.decode().splitlines() if x.startswith("WRK "))
    succeeded, refused, _, seconds, p50, p99 = line.split()[1:]
    if int(refused):
        raise AssertionError(f"{refused} answers lacked {mark} (bodies ran out, or errors)")
    return Rate(int(succeeded) / float(seconds), float(p50), float(p99))


def _cpu() -> dict[int, tuple[str, int, int]]:
    """Every process's (name, parent, CPU ticks used so far), from /proc."""
    seen = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        seen[int(stat.parent.name)] = (name, int(fields[1]), int(fields[11]) + int(fields[12]))
    return seen


@dataclass(frozen=True)
class CpuShare:
    """CPU milliseconds per request by process group: the server's workers (and each worker alone),
    PostgreSQL's processes, the load generator, everything else on the machine."""

    groups: dict[str, float]
    workers: list[float]

    def __str__(self) -> str:
        figures = {name: f"{ms:.2f}" for name, ms in self.groups.items()}
        if len(self.workers) > 1:  # how evenly the kernel spread the connections over the workers
            figures["server"] += f" ({' + '.join(f'{ms:.2f}' for ms in self.workers)})"
        return "  ".join(f"{name} {figure}" for name, figure in figures.items())


def _where_cpu_went(
    before: dict[int, tuple[str, int, int]], server: int, client_ms: float, count: float
) -> CpuShare:
    after = _cpu()
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    groups: dict[str, float] = {"server": 0.0, "postgres": 0.0, "client": client_ms, "other": 0.0}
    workers: list[float] = []
    for pid, (name, parent, ticks) in after.items():
        used = ticks - before.get(pid, (name, parent, 0))[2]
        if pid == os.getpid():
            group = "client" if not shutil.which("wrk") else "other"
        elif server in (pid, parent):
            group = "server"
            if parent == server and used > 0:
                workers.append(used * tick_ms / count)
        elif name.startswith("postgres"):
            group = "postgres"
        else:
            group = "other"
        groups[group] += used * tick_ms
    return CpuShare({name: ms / count for name, ms in groups.items()}, sorted(workers, reverse=True))


async def _measure(url: str, bearer: str, bodies: list[str], mark: str, server: int) -> tuple[Rate, CpuShare]:
    """Requests per second, and the CPU milliseconds each cost, by process group."""
    before = _cpu()
    children = children_cpu_ms()
    started = time.perf_counter()
    if shutil.which("wrk"):
        rate = await _wrk(url, bearer, bodies, mark)
    else:
        rate = await _load(url, bearer, bodies[:4000], mark)
    count = rate.per_second * (time.perf_counter() - started)
    return rate, _where_cpu_went(before, server, children_cpu_ms() - children, count)


def _redeem_bodies(tokens: list[str], graphql: bool) -> list[str]:
    if graphql:
        return [json.dumps({"query": REDEEM, "variables": {"t": t}}, separators=(",", ":")) for t in tokens]
    return [json.dumps({"token": t}) for t in tokens]


async def _spy(server: int, output: Path) -> asyncio.subprocess.Process | None:
    """With BENCH_PYSPY=1 and py-spy installed: sample one worker of ``server`` while it is measured
    (collapsed stacks, for bench/stacks.py)."""
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if not os.environ.get("BENCH_PYSPY") or spy is None:
        return None
    workers = (
        await (
            await asyncio.create_subprocess_exec("pgrep", "-P", str(server), stdout=asyncio.subprocess.PIPE)
        ).communicate()
    )[0].split()
    return await asyncio.create_subprocess_exec(
        spy,
        "record",
        "--pid",
        workers[-1].decode(),
        "--duration",
        str(SECONDS),
        "--format",
        "raw",
        "--nonblocking",
        "-o",
        str(output),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def main() -> int:
    name = f"mykey_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{SERVER}/{name}"
    var = Path(mkdtemp(prefix="mykey-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "MYKEY_VAR_DIR": str(var),
        "MYKEY_CHECKPOINT_SECONDS": "0",
        "MYKEY_OUTBOX_SECONDS": "0",
        "MYKEY_DB_POOL_SIZE": "20",
    }
    settings = Settings.from_env(env)
    processes = []
    try:
        await migrate_database(settings)
        await open_database(settings)
        program, shop, clerk = await _town(dsn)
        key = VoucherKey.load_or_create(settings.voucher_key_path)
        tokens = await _tokens(program, PER_SERVER * 2 + 200, key)
        payments = await prepare_spends(var, program, shop, SPENDS + 100, NOW)
        payment_bodies = payments.bodies()
        bearer = (
            await transaction(lambda sql: open_session(sql, SubjectKind.STAFF, clerk, NOW, hours=2))
        ).token
        # first, while no server holds connections (PostgreSQL here allows 100)
        yardstick = await spend_rate(dsn, CLIENTS, SECONDS)
        database_rate = yardstick.per_second
        database = await _database_redemptions(dsn, program, shop, clerk, bearer)
        alone = database["redemption"]
        graphql, graphql_url = await _serve("api.app:app_from_env", env)
        plain, plain_url = await _serve("bench.plain_redeem:app_from_env", env)
        processes = [graphql, plain]
        plain_bodies = _redeem_bodies(tokens[: 100 + PER_SERVER], graphql=False)
        graphql_bodies = _redeem_bodies(tokens[100 + PER_SERVER :], graphql=True)
        await _load(plain_url + "/redeem", bearer, plain_bodies[:100], '"REDEEMED"')  # warm-up
        await _load(graphql_url + "/graphql", bearer, graphql_bodies[:100], '"REDEEMED"')
        await _load(graphql_url + "/graphql", payments.bearer, payment_bodies[:100], PAID)
        plain_rate, plain_cpu = await _measure(
            plain_url + "/redeem", bearer, plain_bodies[100:], '"REDEEMED"', plain.pid
        )
        spy = await _spy(graphql.pid, var / "graphql.pyspy.txt")
        graphql_rate, graphql_cpu = await _measure(
            graphql_url + "/graphql", bearer, graphql_bodies[100:], '"REDEEMED"', graphql.pid
        )
        if spy is not None:
            await spy.wait()
            print(f"  py-spy of one GraphQL worker redeeming: {var / 'graphql.pyspy.txt'}")
        spy = await _spy(graphql.pid, var / "spend.pyspy.txt")
        spend, spend_cpu = await _measure(
            graphql_url + "/graphql", payments.bearer, payment_bodies[100:], PAID, graphql.pid
        )
        if spy is not None:
            await spy.wait()
            print(f"  py-spy of one GraphQL worker paying: {var / 'spend.pyspy.txt'}")
        # the stack's own floor: an authenticated request that asks nothing of the domain
        spy = await _spy(graphql.pid, var / "floor.pyspy.txt")
        floor, floor_cpu = await _measure(
            graphql_url + "/graphql", payments.bearer, [FLOOR] * FLOOR_REQUESTS, '"__typename"', graphql.pid
        )
        if spy is not None:
            await spy.wait()
            print(f"  py-spy of one GraphQL worker answering the floor: {var / 'floor.pyspy.txt'}")
        reader_bearer = await _resident_bearer(program)
        before = _cpu()
        reads = await _paced_reads(graphql_url, reader_bearer, READS_PER_SECOND, SECONDS)
        reads_cpu = _where_cpu_went(before, graphql.pid, 0.0, READS_PER_SECOND * SECONDS)
        rss = _rss_mb(graphql.pid)
        client = "wrk" if shutil.which("wrk") else "httpx (install wrk for the real figure)"
        print(f"Voucher redemptions over HTTP, uvicorn 2 workers, {CLIENTS} connections by {client}")
        print(
            f"  plain Starlette endpoint : {plain_rate.per_second:8.0f} redemptions/s  {_spread(plain_rate)}"
        )
        print(
            f"  GraphQL redeemVoucher    : {graphql_rate.per_second:8.0f} redemptions/s"
            f"  {_spread(graphql_rate)}"
        )
        print(
            f"  GraphQL / plain          : {graphql_rate.per_second / plain_rate.per_second:8.0%}"
            "  (aim: >= 70 %)"
        )
        print(f"  PostgreSQL's own spend   : {database_rate:8.0f} transactions/s  (pgbench -M prepared)")
        print(f"  plain / PostgreSQL       : {plain_rate.per_second / database_rate:8.0%}")
        print(f"  GraphQL / PostgreSQL     : {graphql_rate.per_second / database_rate:8.0%}  (aim: >= 20 %)")
        print(f"  GraphQL spendPoints      : {spend.per_second:8.0f} payments/s     {_spread(spend)}")
        print(f"  spendPoints / PostgreSQL : {spend.per_second / database_rate:8.0%}  (aim: >= 20 %)")
        print(
            f"  GraphQL floor {{ __typename }}: {floor.per_second:8.0f} requests/s  {_spread(floor)}"
            f"  ({floor.per_second / database_rate:.0%} of PostgreSQL's spend; the terminal's token checked)"
        )
        cores = os.cpu_count() or 1
        print(
            f"  pgbench's spend, CPU ms each  : postgres {yardstick.postgres_ms:.2f}"
            f"  client {yardstick.client_ms:.2f}"
            f"  ({cores} cores / rate: {cores * 1000 / database_rate:.2f} ms of the machine each)"
        )
        print(
            f"  a redemption's statements under pgbench, no server: {alone.per_second:8.0f}/s"
            f" = {alone.per_second / database_rate:.0%} of the spend;"
            f" CPU ms each: postgres {alone.postgres_ms:.2f}  client {alone.client_ms:.2f}"
        )
        read_ms, notify_ms = database["reads"].postgres_ms, database["notify"].postgres_ms
        print(
            f"    of which PostgreSQL's CPU for the two reads {read_ms:.2f}, the NOTIFY {notify_ms:.2f},"
            f" mk_redeem_voucher and its commit (the rest) {alone.postgres_ms - read_ms - notify_ms:.2f} ms"
        )
        function, twin = database["function, rolled back"], database["twin, rolled back"]
        generality_ms = max(0.0, function.postgres_ms - twin.postgres_ms)
        print(
            f"    rolled back, PostgreSQL's CPU: mk_redeem_voucher {function.postgres_ms:.2f} ms,"
            f" a twin writing its rows and nothing else {twin.postgres_ms:.2f} ms"
            f" (the spend, committed: {yardstick.postgres_ms:.2f})"
        )
        # PostgreSQL's share of a redemption (measured without any server) plus the server's CPU for
        # a request that asks nothing of the domain: no GraphQL redemption on these cores can be cheaper
        least_ms = alone.postgres_ms + floor_cpu.groups["server"]
        ceiling = cores * 1000 / least_ms
        print(
            f"  ceiling on these {cores} cores: postgres {alone.postgres_ms:.2f} + the floor's server"
            f" {floor_cpu.groups['server']:.2f} = {least_ms:.2f} ms per redemption ->"
            f" {ceiling:.0f}/s = {ceiling / database_rate:.0%} of the spend (aim: >= 20 %)"
        )
        ceiling = cores * 1000 / (least_ms - generality_ms)
        print(
            f"    with the function cut to its rows (-{generality_ms:.2f} ms): {ceiling:.0f}/s ="
            f" {ceiling / database_rate:.0%} of the spend"
        )
        paying_ms = spend_cpu.groups["postgres"] + floor_cpu.groups["server"]
        print(
            f"  payments' ceiling: postgres {spend_cpu.groups['postgres']:.2f} (in the payments' run) + the"
            f" floor's server {floor_cpu.groups['server']:.2f} -> {cores * 1000 / paying_ms:.0f}/s ="
            f" {cores * 1000 / paying_ms / database_rate:.0%} of the spend (aim: >= 20 %)"
        )
        print(f"  CPU ms per redemption, plain  : {plain_cpu}")
        print(f"  CPU ms per redemption, GraphQL: {graphql_cpu}")
        print(f"  CPU ms per payment, GraphQL   : {spend_cpu}")
        print(f"  CPU ms per floor request      : {floor_cpu}")
        print(
            f"  balance reads (me {{ balances }}) at {READS_PER_SECOND:,}/s for {SECONDS} s:"
            f" {reads.per_second:,.0f}/s answered, {_spread(reads)}  (aim: p99 < 50 ms)"
        )
        print(f"  CPU ms per balance read       : {reads_cpu}  (the reads' client is this process: other)")
        print(
            f"  GraphQL workers' memory (RSS): {', '.join(f'{mb:.0f} MB' for mb in rss)}"
            "  (aim: < 200 MB each)"
        )
        redeemed = await _count(dsn, "SELECT COUNT(*) FROM voucher_redemptions")
        paid = await _count(dsn, "SELECT COUNT(*) FROM journal_entries WHERE kind = 'SPEND'")
        print(f"  redemptions recorded: {redeemed:,} (each voucher once); payments recorded: {paid:,}")
        await verify_after(settings)
    finally:
        for process in processes:
            process.terminate()
            await process.wait()
        await close_database()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return 0


async def _count(dsn: str, query: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(query))
    finally:
        await conn.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
