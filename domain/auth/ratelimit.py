"""Fixed-window rate limits kept in the database, so every server process shares them.

A hit is counted in its own transaction, before the work it guards: a refused or failed request
still counts. Old windows are deleted by the daily job.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.errors import DomainError, ErrorCode
from domain.sql import Sql, transaction


@dataclass(frozen=True)
class Limit:
    name: str
    hits: int
    seconds: int


LOGIN_PER_ID = Limit("login-id", 10, 15 * 60)  # failed password sign-ins per MyKey ID / login
# failed suspensions per MyKey ID *and* address: a stranger's failures lock out the stranger, never the
# owner reporting a lost card (the per-address limit still bounds each guesser)
SUSPEND_PER_ID_ADDRESS = Limit("suspend-id-ip", 10, 15 * 60)
LOGIN_PER_ADDRESS = Limit("login-ip", 60, 15 * 60)  # sign-in attempts per client address
CHECK_PER_REGISTRATION = Limit("check-reg", 10, 24 * 3600)  # duplicate checks per registration
CHECK_PER_ADDRESS = Limit("check-ip", 30, 3600)  # duplicate checks per client address
TOKEN_PER_ADDRESS = Limit("oauth-ip", 60, 60)  # /oauth/token requests per client address
CHALLENGE_PER_ADDRESS = Limit("challenge-ip", 120, 60)  # card challenges per client address
ACTIVATION_PER_ADDRESS = Limit("activate-ip", 20, 3600)  # terminal activation attempts
PARTNER_UNKNOWN_IDS = Limit("partner-unknown-id", 100, 3600)  # unknown MyKey IDs a partner sends
COUPON_FAILURES = Limit("coupon-resident", 10, 3600)  # wrong, used or expired coupon codes per resident
COUPON_PER_ADDRESS = Limit("coupon-ip", 30, 3600)  # coupon redemptions per client address
AUTHORIZE_PER_ADDRESS = Limit("authorize-ip", 60, 60)  # exchange widget pages per client address
CONSENTS_PER_RESIDENT = Limit("consent-resident", 20, 3600)  # widget codes a resident grants


def _window(limit: Limit, now: datetime) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % limit.seconds, UTC)


async def _add(sql: Sql, bucket: str, window: datetime) -> int:
    hits = await sql.fetchval(
        "INSERT INTO rate_limit_windows (bucket, window_start, hits) VALUES ($1, $2, 1)"
        " ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_windows.hits + 1"
        " RETURNING hits",
        bucket,
        window,
    )
    return int(hits)


def _refuse(limit: Limit) -> DomainError:
    minutes = max(1, limit.seconds // 60)
    return DomainError(ErrorCode.RATE_LIMITED, f"Too many attempts. Try again within {minutes} minutes.")


async def hit(limit: Limit, key: str, now: datetime) -> None:
    """Count one attempt; refuse it with RATE_LIMITED once the window's allowance is spent."""
    hits = await transaction(lambda sql: _add(sql, f"{limit.name}:{key}", _window(limit, now)))
    if hits > limit.hits:
        raise _refuse(limit)


async def ensure_below(sql: Sql, limit: Limit, key: str, now: datetime) -> None:
    """Refuse with RATE_LIMITED if ``key`` already used the window's allowance (counts nothing)."""
    hits = await sql.fetchval(
        "SELECT hits FROM rate_limit_windows WHERE bucket = $1 AND window_start = $2",
        f"{limit.name}:{key}",
        _window(limit, now),
    )
    if hits is not None and int(hits) >= limit.hits:
        raise _refuse(limit)


async def record_failure(limit: Limit, key: str, now: datetime) -> None:
    await transaction(lambda sql: _add(sql, f"{limit.name}:{key}", _window(limit, now)))


async def forget_old_windows(sql: Sql, now: datetime) -> int:
    return await sql.execute(
        "DELETE FROM rate_limit_windows WHERE window_start < $1", now - timedelta(days=2)
    )
