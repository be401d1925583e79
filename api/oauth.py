"""``POST /oauth/token``: OAuth 2.0 client credentials for partner servers, built on authlib.

authlib has no async Starlette server, so its framework-neutral ``AuthorizationServer`` is driven
directly: the endpoint reads the form, loads the partner (async, before authlib runs), then lets
authlib authenticate the client (``client_secret_basic`` or ``client_secret_post``), validate the
grant and shape the response and errors exactly as RFC 6749 says. The hooks stay thin; the token
itself is a short-lived JWT made with joserfc (:mod:`domain.auth.access_tokens`).
"""

import base64
import binascii
import hmac
import secrets
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, ClassVar
from urllib.parse import parse_qsl

from authlib.oauth2 import OAuth2Request
from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.auth import ratelimit
from domain.auth.access_tokens import AccessTokens
from domain.auth.tokens import digest
from domain.clock import Clock
from domain.errors import DomainError
from domain.partners.actions import PartnerView, partner_by_client_id, previous_secret
from domain.partners.authorize import redeem_code
from domain.sql import reader

SCOPES = ("exchange", "coupons")
MAX_FORM_BYTES = 4_096


class PartnerClient(ClientMixin):  # type: ignore[misc]
    def __init__(self, partner: PartnerView, secret_hash: str, previous_hash: str | None = None) -> None:
        self.partner = partner
        self.secret_hash = secret_hash
        self.previous_hash = previous_hash  # the secret before a rotation, during its overlap

    def get_client_id(self) -> str:
        return self.partner.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        given = digest(client_secret)
        matches = hmac.compare_digest(given, self.secret_hash)  # always compared, both
        previous = hmac.compare_digest(given, self.previous_hash or self.secret_hash[::-1])
        return self.partner.active and (matches or previous)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in {"client_secret_basic", "client_secret_post"}

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"

    def get_allowed_scope(self, scope: str | None) -> str:
        asked = (scope or " ".join(SCOPES)).split()
        return " ".join(s for s in asked if s in SCOPES)


class FormRequest(OAuth2Request):  # type: ignore[misc]
    def __init__(self, uri: str, headers: Mapping[str, str], form: dict[str, str]) -> None:
        super().__init__("POST", uri, headers=headers)
        self.payload = BasicOAuth2Payload(form)
        self._form = form

    @property
    def form(self) -> dict[str, str]:
        return self._form


class PartnerCredentialsGrant(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["client_secret_basic", "client_secret_post"]


_client: ContextVar[PartnerClient | None] = ContextVar("oauth_client", default=None)


class TokenServer(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, tokens: AccessTokens, clock: Clock) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.register_grant(PartnerCredentialsGrant)
        self.register_token_generator("default", self._generate)
        self.tokens = tokens
        self.clock = clock

    def _generate(
        self, grant_type: str, client: PartnerClient, scope: str | None = None, **_: Any
    ) -> dict[str, Any]:
        issued = self.tokens.issue(client.get_client_id(), client.get_allowed_scope(scope), self.clock.now())
        return dict(issued.as_json())

    def query_client(self, client_id: str) -> PartnerClient | None:
        client = _client.get()
        return client if client is not None and client.get_client_id() == client_id else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Nothing to store: the JWT carries its own expiry; each use checks that the partner is active."""

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request  # the endpoint builds it (after reading the body asynchronously)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        return JSONResponse(body, status_code=status, headers=dict(headers))


def _form(request: Request, body: bytes) -> dict[str, str] | None:
    """The form body; None unless it is form-encoded with no parameter twice (RFC 6749 §3.2)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return None
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True)
    except UnicodeDecodeError:
        return None
    form = dict(pairs)
    return form if len(form) == len(pairs) else None


def _client_id(request: Request, form: dict[str, str]) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value, validate=True).decode().partition(":")[0] or None
        except (binascii.Error, UnicodeDecodeError):
            return None
    return form.get("client_id")


def _two_methods(request: Request, form: dict[str, str]) -> bool:
    """HTTP Basic and a secret in the form together (RFC 6749 §2.3: one method per request)."""
    basic = request.headers.get("authorization", "").lower().startswith("basic ")
    return basic and "client_secret" in form


def _nobody(client_id: str) -> PartnerClient:
    """An unknown client that fails exactly as a known one with a wrong secret does (same answer,
    same work: its secret is still compared)."""
    return PartnerClient(PartnerView(0, "", client_id, False), digest(secrets.token_urlsafe(32)))


def _error(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"cache-control": "no-store", "pragma": "no-cache"},
    )


def _secret(request: Request, form: dict[str, str]) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value, validate=True).decode().partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return ""
    return form.get("client_secret", "")


async def _redeem(
    tokens: AccessTokens, clock: Clock, request: Request, form: dict[str, str], client: PartnerClient | None
) -> Response:
    """``grant_type=authorization_code``: the exchange widget's code, redeemed by the partner's server
    with its credentials and the PKCE verifier. The answer carries the exchange (and a token)."""
    if client is None or not client.check_client_secret(_secret(request, form)):
        return _error(401, "invalid_client", "Client authentication failed.")
    now = clock.now()
    try:
        done = await redeem_code(
            client.partner.id,
            form.get("code", ""),
            form.get("redirect_uri", ""),
            form.get("code_verifier", ""),
            now,
        )
    except DomainError as error:
        return _error(400, "invalid_grant", error.message)
    issued = tokens.issue(client.get_client_id(), "exchange", now)
    body = dict(issued.as_json()) | {
        "exchange": {
            "id": str(done.id),
            "partnerPoints": done.partner_points,
            "yen": done.yen,
            "points": done.points,
            "status": done.status,
            "externalRef": done.external_ref,
            "createdAt": done.created_at.isoformat(),
        }
    }
    return JSONResponse(body, headers={"cache-control": "no-store", "pragma": "no-cache"})


def token_endpoint(tokens: AccessTokens, clock: Clock, production: bool) -> Any:
    server = TokenServer(tokens, clock)

    async def endpoint(request: Request) -> Response:
        address = request.client.host if request.client else "unknown"
        try:
            await ratelimit.hit(ratelimit.TOKEN_PER_ADDRESS, address, clock.now())
        except DomainError as refused:
            return _error(429, "slow_down", refused.message)
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return JSONResponse(
                {"error": "invalid_request", "error_description": "too large"}, status_code=413
            )
        form = _form(request, body)
        if form is None:
            return JSONResponse(
                {"error": "invalid_request", "error_description": "send one of each parameter, form-encoded"},
                status_code=400,
            )
        if _two_methods(request, form):
            return _error(
                400,
                "invalid_request",
                "Authenticate one way: HTTP Basic, or client_id and client_secret in the form.",
            )
        client_id = _client_id(request, form)
        found = await partner_by_client_id(reader(), client_id) if client_id else None
        previous = None if found is None else await previous_secret(reader(), found[0].id, clock.now())
        client = (
            _nobody(client_id)
            if client_id and found is None
            else None
            if found is None
            else PartnerClient(found[0], found[1], previous)
        )
        if form.get("grant_type") == "authorization_code":
            return await _redeem(tokens, clock, request, form, client)
        token = _client.set(client)
        try:
            # TLS ends at the proxy in production (uvicorn --proxy-headers sets the scheme); the
            # development server is plain http on localhost, which authlib would refuse
            uri = str(request.url) if production else str(request.url.replace(scheme="https"))
            oauth_request = FormRequest(uri, request.headers, form)
            response: Response = server.create_token_response(oauth_request)
            return response
        finally:
            _client.reset(token)

    return endpoint
