"""Webhooks: the final state of each of a partner's exchanges, sent server to server.

A notice is queued in the transaction that makes the exchange, so no exchange goes without one and
none is sent for an exchange that did not happen. It is sent later:
- its body is JSON;
- its header `MyKey-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the partner's
  secret>` lets the partner check who sent it and when (and refuse replays);
- it is retried with growing waits until the endpoint answers 2xx, then given up after the last wait.

Each attempt is claimed first (a guarded UPDATE), so two servers never send the same notice at once.
"""

import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from domain.audit.log import audit
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.errors import DomainError, ErrorCode
from domain.partners.actions import own_partner
from domain.sql import Sql, reader, transaction

BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
)
CLAIM = timedelta(minutes=2)  # an attempt in flight: nobody else takes the notice meanwhile

Post = Callable[[str, bytes, dict[str, str]], Awaitable[int]]  # (url, body, headers) → HTTP status


def _url_ok(url: str) -> bool:
    parts = urlsplit(url)
    local = parts.hostname in {"localhost", "127.0.0.1"}
    return (
        len(url) <= 500
        and (parts.scheme == "https" or (parts.scheme == "http" and local))
        and bool(parts.netloc)
    )


async def set_webhook(actor: Actor | None, client_id: str, url: str | None, now: datetime) -> str | None:
    """Where a partner's notices go; a new signing secret is made and shown once (None: no webhook).
    The operator, or the partner's own staff."""
    actor = permit(actor, Permission.PARTNER_KEYS)
    url = (url or "").strip() or None
    if url is not None and not _url_ok(url):
        raise DomainError(
            ErrorCode.INVALID_INPUT, "A webhook is an https URL (http only for localhost).", "url"
        )
    secret = None if url is None else secrets.token_urlsafe(32)

    async def work(sql: Sql) -> str | None:
        partner_id = await own_partner(sql, actor, client_id)
        await sql.execute(
            "UPDATE partners SET webhook_url = $2, webhook_secret = $3 WHERE id = $1", partner_id, url, secret
        )
        await audit(sql, actor, "webhook.set", url or "(none)", None, now, partner_id)
        return secret

    return await transaction(work)


async def queue_notice(
    sql: Sql, partner_id: int, event: str, data: dict[str, str | int], now: datetime
) -> None:
    """Queue a notice, inside the transaction of what it tells (nothing when there is no webhook)."""
    await sql.execute(
        "INSERT INTO webhook_deliveries (partner_id, event, payload, attempts, next_attempt_at, created_at)"
        " SELECT id, $2, $3, 0, $4, $4 FROM partners WHERE id = $1 AND webhook_url IS NOT NULL",
        partner_id,
        event,
        json.dumps({"type": event, "data": data}, ensure_ascii=False, sort_keys=True),
        now,
    )


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


@dataclass(frozen=True)
class Sent:
    delivered: int = 0
    retrying: int = 0
    given_up: int = 0


@dataclass(frozen=True)
class _Due:
    id: int
    event: str
    payload: str
    attempts: int
    webhook_url: str
    webhook_secret: str


async def send_due(post: Post, now: datetime, limit: int = 50) -> Sent:
    """Send the notices that are due, once each, and schedule the next try of those that fail."""
    due = await reader().fetch_as(
        _Due,
        "SELECT d.id, d.event, d.payload, d.attempts, p.webhook_url, p.webhook_secret"
        " FROM webhook_deliveries d JOIN partners p ON p.id = d.partner_id"
        " WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= $1"
        " AND p.webhook_url IS NOT NULL ORDER BY d.next_attempt_at, d.id LIMIT $2",
        now,
        limit,
    )
    delivered = retrying = given_up = 0
    for notice in due:
        claimed = await reader().execute(
            "UPDATE webhook_deliveries SET next_attempt_at = $2 WHERE id = $1 AND next_attempt_at <= $3"
            " AND delivered_at IS NULL AND failed_at IS NULL",
            notice.id,
            now + CLAIM,
            now,
        )
        if not claimed:
            continue  # another server took it
        body = notice.payload.encode()
        headers = {
            "Content-Type": "application/json",
            "MyKey-Event": notice.event,
            "MyKey-Delivery": str(notice.id),
            "MyKey-Signature": signature(notice.webhook_secret, int(now.timestamp()), body),
        }
        try:
            status = await post(notice.webhook_url, body, headers)
            error = None if 200 <= status < 300 else f"HTTP {status}"
        except Exception as exc:  # the partner's endpoint is down, slow or refuses: try again later
            error = f"{type(exc).__name__}: {exc}"[:200]
        attempts = notice.attempts + 1
        if error is None:
            delivered += 1
            await reader().execute(
                "UPDATE webhook_deliveries SET delivered_at = $2, attempts = $3, last_error = NULL"
                " WHERE id = $1",
                notice.id,
                now,
                attempts,
            )
        elif attempts > len(BACKOFF):
            given_up += 1
            await reader().execute(
                "UPDATE webhook_deliveries SET failed_at = $2, attempts = $3, last_error = $4 WHERE id = $1",
                notice.id,
                now,
                attempts,
                error,
            )
        else:
            retrying += 1
            await reader().execute(
                "UPDATE webhook_deliveries SET next_attempt_at = $2, attempts = $3, last_error = $4"
                " WHERE id = $1",
                notice.id,
                now + BACKOFF[attempts - 1],
                attempts,
                error,
            )
    return Sent(delivered, retrying, given_up)
