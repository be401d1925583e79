"""``mykey``: the command line (serve, migrate, ledger, jobs)."""

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

import uvicorn

from api.database import close_database, migrate_database, open_database
from api.settings import Settings
from domain.clock import Clock, ManualClock, SystemClock
from domain.ledger.actions import expire_lots
from domain.ledger.checkpoints import seal_all
from domain.ledger.signing import LedgerKey
from domain.ledger.verify import verify_ledger
from domain.sql import reader


async def _with_database(settings: Settings, work: Callable[[], Awaitable[int]]) -> int:
    await open_database(settings)
    try:
        return await work()
    finally:
        await close_database()


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    if settings.sqlite and args.workers > 1:
        print("mykey serve: SQLite allows one writer; use --workers 1 or PostgreSQL.", file=sys.stderr)
        return 2
    asyncio.run(migrate_database(settings))
    host = args.host or settings.host
    port = args.port or settings.port
    print(f"MyKey Points: http://{host}:{port}/", flush=True)
    uvicorn.run(
        "api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level="info",
        proxy_headers=True,
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


def _clock(args: argparse.Namespace) -> Clock:
    if getattr(args, "at", None):
        return ManualClock(datetime.fromisoformat(args.at))
    return SystemClock()


def _seal(settings: Settings, args: argparse.Namespace) -> int:
    async def work() -> int:
        sealed = await seal_all(LedgerKey.load_or_create(settings.ledger_key_path), _clock(args))
        print(f"sealed {sum(c.entry_count for c in sealed)} entries in {len(sealed)} checkpoints")
        return 0

    return asyncio.run(_with_database(settings, work))


def _daily(settings: Settings, args: argparse.Namespace) -> int:
    async def work() -> int:
        clock = _clock(args)
        report = await expire_lots(clock)
        print(f"expired {report.points} points in {report.lots} lots of {len(report.accounts)} accounts")
        sealed = await seal_all(LedgerKey.load_or_create(settings.ledger_key_path), clock)
        print(f"sealed {sum(c.entry_count for c in sealed)} entries in {len(sealed)} checkpoints")
        return 0

    return asyncio.run(_with_database(settings, work))


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
    daily = jobs.add_parser("daily", help="expire lots, then seal the journal")
    daily.add_argument("--at", help="ISO time to use as now (tests, replays)")
    daily.set_defaults(run=_daily)
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
