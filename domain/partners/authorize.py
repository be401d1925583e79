"""The exchange widget's consent: OAuth 2.0 authorization code with PKCE S256 (RFC 6749 §4.1, RFC 7636).

A partner registers the exact URIs the resident may be sent back to. The resident, signed in on
MyKey's own page, sees the partner, its points and their yen value, and confirms. That issues a code:
- random (256 bits), stored as SHA-256;
- valid for 5 minutes;
- bound to the partner, the redirect URI and the PKCE challenge.
The partner's server redeems the code once, with its client credentials and the PKCE verifier, and the
exchange happens then, idempotent under the code. A code that is used, expired, another partner's, or
redeemed with the wrong URI or verifier gives nothing.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge

from domain.audit.log import audit
from domain.auth import ratelimit
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.auth.tokens import digest
from domain.errors import DomainError, ErrorCode
from domain.partners.actions import own_partner
from domain.points.exchanges import ExchangeDone, ExchangeInput, exchange_authorized, exchange_quote
from domain.sql import Sql, reader, transaction

CODE_LIFETIME = timedelta(minutes=5)
MAX_URIS = 5
CHALLENGE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class AuthorizeRefused(DomainError):
    """A request the authorization endpoint refuses. ``redirect`` says whether the error may go back
    to the partner's redirect URI (it may not when the client or the URI itself is wrong)."""

    def __init__(self, error: str, message: str, redirect: bool) -> None:
        super().__init__(ErrorCode.INVALID_INPUT, message, "authorize", f"authorize.{error}")
        self.error = error
        self.redirect = redirect


def _uri_ok(uri: str) -> bool:
    parts = urlsplit(uri)
    local = parts.hostname in {"localhost", "127.0.0.1"}
    return (
        len(uri) <= 500
        and (parts.scheme == "https" or (parts.scheme == "http" and local))
        and bool(parts.netloc)
        and not parts.fragment
        and "*" not in uri
    )


async def set_redirect_uris(actor: Actor | None, client_id: str, uris: list[str], now: datetime) -> list[str]:
    """The exact URIs the widget may send a resident back to (https; http only on localhost). The
    operator, or the partner's own staff."""
    actor = permit(actor, Permission.PARTNER_KEYS)
    cleaned = sorted({u.strip() for u in uris if u.strip()})
    if len(cleaned) > MAX_URIS or not all(_uri_ok(u) for u in cleaned):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"Up to {MAX_URIS} exact https URIs without a fragment (http only for localhost).",
            "redirectUris",
        )

    async def work(sql: Sql) -> list[str]:
        partner_id = await own_partner(sql, actor, client_id)
        await sql.execute(
            "UPDATE partners SET redirect_uris = $2 WHERE id = $1", partner_id, " ".join(cleaned) or None
        )
        await audit(sql, actor, "redirect_uris.set", " ".join(cleaned) or "(none)", None, now, partner_id)
        return cleaned

    return await transaction(work)


@dataclass(frozen=True)
class AuthorizationRequest:
    response_type: str
    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str
    code_challenge_method: str
    partner_points: str
    external_ref: str


@dataclass(frozen=True)
class Authorizing:
    """A request that may be shown to the resident: the partner and what its points are worth."""

    partner_id: int
    partner_name: str
    redirect_uri: str
    state: str
    code_challenge: str
    partner_points: int
    yen: int
    external_ref: str


async def check_authorization(sql: Sql, ask: AuthorizationRequest) -> Authorizing:
    row = await sql.fetchrow(
        "SELECT id, redirect_uris FROM partners WHERE client_id = $1 AND active", ask.client_id
    )
    if row is None:
        raise AuthorizeRefused("unauthorized_client", "This partner is not known (or not active).", False)
    if ask.redirect_uri not in str(row["redirect_uris"] or "").split():
        raise AuthorizeRefused("invalid_redirect_uri", "This return address is not registered.", False)
    if ask.response_type != "code":
        raise AuthorizeRefused("unsupported_response_type", "Only response_type=code.", True)
    if not 1 <= len(ask.state) <= 200:
        raise AuthorizeRefused("invalid_request", "A state of 1–200 characters is needed.", True)
    if ask.code_challenge_method != "S256" or not (
        43 <= len(ask.code_challenge) <= 128 and set(ask.code_challenge) <= CHALLENGE_CHARS
    ):
        raise AuthorizeRefused("invalid_request", "PKCE with code_challenge_method=S256 is needed.", True)
    if not ask.partner_points.isascii() or not ask.partner_points.isdigit():
        raise AuthorizeRefused("invalid_request", "partner_points is a whole number.", True)
    if not 1 <= len(ask.external_ref) <= 100 or not ask.external_ref.isprintable():
        raise AuthorizeRefused("invalid_request", "external_ref is 1–100 printable characters.", True)
    try:
        name, yen = await exchange_quote(int(row["id"]), int(ask.partner_points))
    except DomainError as error:
        raise AuthorizeRefused("invalid_request", error.message, True) from error
    return Authorizing(
        int(row["id"]),
        name,
        ask.redirect_uri,
        ask.state,
        ask.code_challenge,
        int(ask.partner_points),
        yen,
        ask.external_ref,
    )


async def grant_code(
    actor: Actor | None, ask: AuthorizationRequest, program_id: int | None, now: datetime
) -> tuple[Authorizing, str]:
    """The resident confirmed: a fresh code for the partner (shown to it once, through the redirect)."""
    actor = permit(actor, Permission.RESIDENT)
    authorizing = await check_authorization(reader(), ask)
    await ratelimit.hit(ratelimit.CONSENTS_PER_RESIDENT, str(actor.id), now)
    code = secrets.token_urlsafe(32)

    async def work(sql: Sql) -> None:
        await sql.execute(
            "INSERT INTO authorization_codes (code_hash, partner_id, resident_id, redirect_uri,"
            " code_challenge, partner_points, external_ref, program_id, expires_at, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            digest(code),
            authorizing.partner_id,
            actor.id,
            authorizing.redirect_uri,
            authorizing.code_challenge,
            authorizing.partner_points,
            authorizing.external_ref,
            program_id,
            now + CODE_LIFETIME,
            now,
        )

    await transaction(work)
    return authorizing, code


def _invalid_grant(message: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, "code", "invalid_grant")


async def redeem_code(
    partner_id: int, code: str, redirect_uri: str, verifier: str, now: datetime
) -> ExchangeDone:
    """The partner's server turns the code into the exchange: once (a guarded claim), before it expires,
    with the same redirect URI and the PKCE verifier whose S256 is the challenge."""
    if not 43 <= len(verifier) <= 128 or not set(verifier) <= CHALLENGE_CHARS:
        raise _invalid_grant("A code_verifier of 43–128 unreserved characters is needed.")
    row = await reader().fetchrow(
        "UPDATE authorization_codes SET used_at = $3 WHERE code_hash = $1 AND partner_id = $2"
        " AND used_at IS NULL AND expires_at > $3"
        " RETURNING id, resident_id, redirect_uri, code_challenge, partner_points, external_ref, program_id",
        digest(code),
        partner_id,
        now,
    )
    if row is None:
        raise _invalid_grant("This code is unknown, used, expired or another partner's.")
    if str(row["redirect_uri"]) != redirect_uri:
        raise _invalid_grant("The redirect_uri is not the one the code was issued for.")
    if create_s256_code_challenge(verifier) != str(row["code_challenge"]):
        raise _invalid_grant("The code_verifier does not match the code_challenge.")
    program = row["program_id"]
    form = ExchangeInput(
        None,
        int(row["partner_points"]),
        str(row["external_ref"]),
        f"authorization-code-{row['id']}",
        None,
        None if program is None else int(program),
    )
    return await exchange_authorized(partner_id, int(row["resident_id"]), form, now)
