"""``mykey jobs daily``: one run at a time across servers, each step safe to re-run after a crash.

Steps, in order: refresh the CRL, tidy short-lived rows, move due reserved points, close expired
vouchers (their value goes back), expire lots (and write the notices), write the day's warnings and
reminders. The caller seals the journal and sends the outbox afterwards. A step that fails is logged
and reported (``DailyReport.failed``) and the next step runs all the same; within the reserved-point
move, one resident's failure is isolated the same way. A database lease (:mod:`domain.jobs.lease`)
lets one server run it; another that starts meanwhile reports that it is running elsewhere and does
nothing.
"""

import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from domain.auth.ratelimit import forget_old_windows
from domain.auth.sessions import forget_expired_sessions
from domain.cards.proof import forget_old_challenges
from domain.clock import Clock
from domain.jobs.lease import acquire, release
from domain.ledger.actions import ExpiryReport, expire_lots
from domain.points.notices import expiry_notifier, send_warnings
from domain.points.reserved import AutoMoveReport, auto_move_due
from domain.sql import Sql, transaction
from domain.vouchers.actions import VoucherExpiry, expire_vouchers

JOB = "daily"
T = TypeVar("T")
log = logging.getLogger("mykey.jobs")


@dataclass
class DailyReport:
    crl: str = ""
    auto_move: AutoMoveReport = field(default_factory=AutoMoveReport)
    expiry: ExpiryReport = field(default_factory=ExpiryReport)
    warnings: int = 0
    vouchers: VoucherExpiry = field(default_factory=VoucherExpiry)
    failed: list[str] = field(default_factory=list)  # steps that raised: "step: error"


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def _tidy(sql: Sql, clock: Clock) -> None:
    now = clock.now()
    await forget_old_challenges(sql, now)
    await forget_expired_sessions(sql, now)
    await forget_old_windows(sql, now)


async def run_daily(
    clock: Clock, refresh_crl: Callable[[], Awaitable[str]] | None = None
) -> DailyReport | None:
    """The daily steps, or None when another server holds the lease."""
    holder = holder_name()
    if not await acquire(JOB, holder, clock.now()):
        return None
    try:
        report = DailyReport()

        async def step(name: str, work: Callable[[], Awaitable[T]], default: T) -> T:
            try:
                return await work()
            except Exception as exc:
                log.exception("daily job: step %s failed; the next steps run all the same", name)
                report.failed.append(f"{name}: {type(exc).__name__}: {exc}")
                return default

        if refresh_crl is not None:
            report.crl = await step("crl", refresh_crl, "CRL: refresh failed")
        await step("tidy", lambda: transaction(lambda sql: _tidy(sql, clock)), None)
        report.auto_move = await step("auto-move", lambda: auto_move_due(clock), AutoMoveReport())
        report.vouchers = await step("vouchers", lambda: expire_vouchers(clock), VoucherExpiry())
        report.expiry = await step(
            "expiry", lambda: expire_lots(clock, on_expired=expiry_notifier(clock.now())), ExpiryReport()
        )
        report.warnings = await step("warnings", lambda: send_warnings(clock.now()), 0)
        return report
    finally:
        await release(JOB, holder, clock.now())
