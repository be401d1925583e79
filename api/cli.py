"""``mykey``: the command line (serve, migrate, ledger, jobs, ca, crl, demo, operator)."""

import argparse
import asyncio
import os
import secrets
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn

from api.database import close_database, migrate_database, open_database
from api.demo import seed_demo
from api.settings import Settings, mail_transport
from domain.auth.passwords import Argon2Cost
from domain.auth.passwords import configure as configure_passwords
from domain.cards.authority import CardAuthority
from domain.cards.revocation import import_crl
from domain.cards.trust import CardTrust
from domain.cards.virtual import VirtualCard
from domain.clock import Clock, ManualClock
from domain.errors import DomainError
from domain.jobs.daily import run_daily
from domain.ledger.checkpoints import seal_all
from domain.ledger.signing import LedgerKey
from domain.ledger.verify import verify_ledger
from domain.notifications.sender import send_pending
from domain.private_files import write_private
from domain.sql import reader
from domain.staff.actions import ensure_operator


async def _with_database(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    await open_database(settings)
    try:
        return await work()
    finally:
        await close_database()


def proxy_options(settings: Settings) -> tuple[bool, str | None]:
    """(proxy_headers, forwarded_allow_ips) for uvicorn. X-Forwarded-For is believed only from the
    proxies named in MYKEY_TRUSTED_PROXIES (none by default): anyone else could pick the address that
    rate limits count."""
    if not settings.trusted_proxies:
        return False, None
    return True, ",".join(settings.trusted_proxies)


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    if settings.sqlite and args.workers > 1:
        print("mykey serve: SQLite allows one writer; use --workers 1 or PostgreSQL.", file=sys.stderr)
        return 2
    asyncio.run(migrate_database(settings))
    host = args.host or settings.host
    port = args.port or settings.port
    # the app (built by app_from_env, in each worker) reads its public URL from these
    os.environ["HOST"], os.environ["PORT"] = host, str(port)
    print(f"MyKey Points: http://{host}:{port}/", flush=True)
    proxy_headers, forwarded_allow_ips = proxy_options(settings)
    uvicorn.run(
        "api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level="info",
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    asyncio.run(migrate_database(settings))
    print("migrations applied")
    return 0


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    async def work() -> int:
        key = LedgerKey.load_or_create(settings.ledger_key_path)
        breaches = await verify_ledger(reader(), key)
        for breach in breaches:
            print(f"BREACH {breach}")
        entries = await reader().fetchval("SELECT COUNT(*) FROM journal_entries")
        checkpoints = await reader().fetchval("SELECT COUNT(*) FROM checkpoints")
        print(f"ledger: {entries} entries, {checkpoints} checkpoints, {len(breaches)} breaches")
        return 1 if breaches else 0

    return asyncio.run(_with_database(settings, work))


def _clock(settings: Settings, args: argparse.Namespace) -> Clock:
    if getattr(args, "at", None):
        return ManualClock(datetime.fromisoformat(args.at))
    return settings.clock()


def _seal(settings: Settings, args: argparse.Namespace) -> int:
    async def work() -> int:
        sealed = await seal_all(LedgerKey.load_or_create(settings.ledger_key_path), _clock(settings, args))
        print(f"sealed {sum(c.entry_count for c in sealed)} entries in {len(sealed)} checkpoints")
        return 0

    return asyncio.run(_with_database(settings, work))


def _published_crl(settings: Settings) -> bytes | None:
    source = settings.crl_source
    if not source.exists():
        print(f"CRL: no file at {source} (MYKEY_CRL_SOURCE); nothing imported")
        return None
    return source.read_bytes()


async def _refresh_crl(settings: Settings, data: bytes | None, now: datetime) -> str:
    if data is None:
        return f"CRL: no file at {settings.crl_source} (MYKEY_CRL_SOURCE); nothing imported"
    try:
        done = await import_crl(data, CardTrust.from_file(settings.trusted_ca_path), now)
    except DomainError as exc:
        return f"CRL: {exc.message}"
    ended = done.sessions_ended
    return f"CRL: imported {done.revoked} revoked certificates of {done.issuer}; {ended} sessions ended"


def _daily(settings: Settings, args: argparse.Namespace) -> int:
    crl = settings.crl_source.read_bytes() if settings.crl_source.exists() else None

    async def work() -> int:
        clock = _clock(settings, args)
        report = await run_daily(clock, lambda: _refresh_crl(settings, crl, clock.now()))
        if report is None:
            print("the daily job is running on another server; nothing done here")
            return 0
        print(report.crl)
        moved = report.auto_move
        print(f"auto-moved {moved.points} reserved points of {moved.residents} residents", end="")
        print(f"; {len(moved.stuck)} residents have no basic municipality program" if moved.stuck else "")
        print(f"expired vouchers: {report.vouchers.vouchers} ({report.vouchers.points} points returned)")
        expired = report.expiry
        print(f"expired {expired.points} points in {expired.lots} lots of {len(expired.accounts)} accounts")
        print(f"warnings and reminders due: {report.warnings}")
        if moved.failed:
            print(f"auto-move FAILED for {len(moved.failed)} residents (see the log); retried tomorrow")
        for failure in report.failed:
            print(f"step FAILED: {failure}")
        sealed = await seal_all(LedgerKey.load_or_create(settings.ledger_key_path), clock)
        print(f"sealed {sum(c.entry_count for c in sealed)} entries in {len(sealed)} checkpoints")
        sent = await send_pending(mail_transport(settings), settings.mail_from, clock.now())
        print(f"e-mail sent: {sent}")
        return 1 if report.failed or moved.failed else 0

    return asyncio.run(_with_database(settings, work))


def _outbox(settings: Settings, args: argparse.Namespace) -> int:
    async def work() -> int:
        sent = await send_pending(mail_transport(settings), settings.mail_from, _clock(settings, args).now())
        print(f"e-mail sent: {sent}")
        return 0

    return asyncio.run(_with_database(settings, work))


def _ca(settings: Settings, args: argparse.Namespace) -> int:
    now = _clock(settings, args).now()
    directory = Path(args.dir)
    if args.sub == "init":
        CardAuthority.init(directory, now)
        print(f"card authority created in {directory}; trust it with MYKEY_TRUSTED_CA={directory / 'ca.pem'}")
        return 0
    authority = CardAuthority.open(directory)
    if args.sub == "issue-card":
        write_private(Path(args.out), authority.issue_card(now, years=args.years))  # holds the card's key
        print(f"virtual card written to {args.out}")
    elif args.sub == "revoke":
        authority.revoke(VirtualCard.load(Path(args.card)).certificate, now)
        print(f"revoked; publish a new CRL with: mykey ca crl {directory} --out CRL.pem")
    else:
        Path(args.out).write_bytes(authority.crl(now))
        print(f"CRL written to {args.out}")
    return 0


def _crl_import(settings: Settings, args: argparse.Namespace) -> int:
    data = Path(args.file).read_bytes()
    trust = CardTrust.from_file(settings.trusted_ca_path)

    async def work() -> int:
        try:
            done = await import_crl(data, trust, _clock(settings, args).now())
        except DomainError as exc:
            print(f"mykey crl import: {exc.message}", file=sys.stderr)
            return 1
        print(
            f"imported: {done.revoked} revoked certificates of {done.issuer}; {done.sessions_ended}"
            f" sessions ended"
        )
        return 0

    return asyncio.run(_with_database(settings, work))


def _demo_seed(settings: Settings, args: argparse.Namespace) -> int:
    async def work() -> int:
        configure_passwords(
            Argon2Cost(time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib)
        )
        credentials = await seed_demo(settings, _clock(settings, args), Path(args.out))
        print(
            f"demo data loaded; credentials for {len(credentials['residents'])} residents and more in"
            f" {args.out}"
        )
        return 0

    asyncio.run(migrate_database(settings))
    return asyncio.run(_with_database(settings, work))


def _operator(settings: Settings, args: argparse.Namespace) -> int:
    async def work() -> int:
        password = secrets.token_urlsafe(18)
        await ensure_operator(args.login, password, settings.clock().now())
        print(f"operator {args.login}: password {password}")
        return 0

    return asyncio.run(_with_database(settings, work))


def _add_ca_commands(commands: Any) -> None:
    ca = commands.add_parser("ca", help="the test card authority").add_subparsers(dest="sub", required=True)
    init = ca.add_parser("init", help="create a root CA in DIR")
    init.add_argument("dir")
    issue = ca.add_parser("issue-card", help="issue a virtual card (key + certificate PEM)")
    issue.add_argument("dir")
    issue.add_argument("--out", required=True)
    issue.add_argument("--years", type=int, default=5)
    revoke = ca.add_parser("revoke", help="revoke a card")
    revoke.add_argument("dir")
    revoke.add_argument("card")
    crl = ca.add_parser("crl", help="write a signed CRL")
    crl.add_argument("dir")
    crl.add_argument("--out", required=True)
    for sub in (init, issue, revoke, crl):
        sub.add_argument("--at", help="ISO time to use as now (tests)")
        sub.set_defaults(run=_ca)
    crl_import = commands.add_parser("crl", help="revocation lists").add_subparsers(dest="sub", required=True)
    imp = crl_import.add_parser("import", help="import a CRL (PEM or DER) signed by a trusted CA")
    imp.add_argument("file")
    imp.add_argument("--at", help="ISO time to use as now (tests)")
    imp.set_defaults(run=_crl_import)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="mykey", description="MyKey Points")
    commands = top.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the server (migrates first)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=_serve)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=_migrate)
    ledger = commands.add_parser("ledger", help="the point ledger").add_subparsers(dest="sub", required=True)
    ledger.add_parser("verify", help="check every invariant; exit 1 on a breach").set_defaults(run=_verify)
    seal = ledger.add_parser("seal", help="seal unsealed entries into signed checkpoints")
    seal.add_argument("--at", help="ISO time to use as now (tests, replays)")
    seal.set_defaults(run=_seal)
    jobs = commands.add_parser("jobs", help="batch jobs").add_subparsers(dest="sub", required=True)
    daily = jobs.add_parser("daily", help="CRL, tidy-up, reserved auto-move, expiry, warnings, seal, e-mail")
    daily.add_argument("--at", help="ISO time to use as now (tests, replays)")
    daily.set_defaults(run=_daily)
    _add_ca_commands(commands)
    outbox = commands.add_parser("outbox", help="e-mail").add_subparsers(dest="sub", required=True)
    send = outbox.add_parser("send", help="send what the outbox holds (SMTP_URL, or .eml files)")
    send.add_argument("--at", help="ISO time to use as now (tests)")
    send.set_defaults(run=_outbox)
    demo = commands.add_parser("demo", help="demo data").add_subparsers(dest="sub", required=True)
    seed = demo.add_parser("seed", help="load demo data and write the credentials file")
    seed.add_argument("--out", required=True)
    seed.add_argument("--at", help="ISO time to use as now (tests)")
    seed.set_defaults(run=_demo_seed)
    operator = commands.add_parser("operator", help="create the operator account or reset its password")
    operator.add_argument("login")
    operator.set_defaults(run=_operator)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"mykey: {exc}", file=sys.stderr)
        return 2
    code: int = args.run(settings, args)
    return code


if __name__ == "__main__":
    sys.exit(main())
