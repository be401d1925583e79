"""``mykey jobs daily``: one run at a time across servers, each step safe to re-run after a crash.

Steps, in order: refresh the CRL, tidy short-lived rows, move due reserved points, close expired
vouchers (their value goes back), expire lots (and write the notices), write the day's warnings and
reminders. The caller seals the journal and sends
the outbox afterwards. A database lease (:mod:`domain.jobs.lease`) lets one server run it; another
that starts meanwhile reports that it is running elsewhere and does nothing.
"""

import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

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


@dataclass
class DailyReport:
    crl: str = ""
    auto_move: AutoMoveReport = field(default_factory=AutoMoveReport)
    expiry: ExpiryReport = field(default_factory=ExpiryReport)
    warnings: int = 0
    vouchers: VoucherExpiry = field(default_factory=VoucherExpiry)


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
        if refresh_crl is not None:
            report.crl = await refresh_crl()
        await transaction(lambda sql: _tidy(sql, clock))
        report.auto_move = await auto_move_due(clock)
        report.vouchers = await expire_vouchers(clock)
        report.expiry = await expire_lots(clock, on_expired=expiry_notifier(clock.now()))
        report.warnings = await send_warnings(clock.now())
        return report
    finally:
        await release(JOB, holder, clock.now())
