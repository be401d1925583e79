"""Who is calling: the bearer token, or the session cookie with its CSRF token.

* ``Authorization: Bearer <token>`` — API clients (apps, terminals, staff tools, partners). No
  cookie is looked at, so no CSRF check is needed.
* Cookie ``mykey_session`` (HttpOnly, SameSite=Strict) — the web front. Every request carried by the
  cookie must also send the session's CSRF token in ``X-CSRF-Token`` (a WebSocket, which a browser
  cannot give headers, sends it as ``?csrf=``); without it the request is treated as anonymous.
  Downloads (``download=True``: a GET that changes nothing, a file or a chart a console links to)
  take the cookie alone: a link or an image cannot send a header, and SameSite=Strict keeps the
  cookie off every request another site starts.
"""

from dataclasses import dataclass
from datetime import datetime

from starlette.requests import HTTPConnection

from domain.auth.access_tokens import AccessTokens
from domain.auth.actor import Actor
from domain.auth.bearer import actor_for_bearer
from domain.auth.sessions import SessionActor, actor_for_session
from domain.auth.tokens import same
from domain.sql import reader
from schema.sessions import SESSION_COOKIE

CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Caller:
    actor: Actor | None
    address: str


def client_address(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else "unknown"


async def identify(
    connection: HTTPConnection, tokens: AccessTokens, now: datetime, download: bool = False
) -> Caller:
    address = client_address(connection)
    header = connection.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return Caller(None, address)
        found = await actor_for_bearer(reader(), tokens, token.strip(), now)
        actor = found.actor if isinstance(found, SessionActor) else found
        return Caller(actor, address)
    cookie = connection.cookies.get(SESSION_COOKIE)
    if not cookie:
        return Caller(None, address)
    session = await actor_for_session(reader(), cookie, now)
    csrf = connection.headers.get(CSRF_HEADER, "")
    if connection.scope["type"] == "websocket":  # a browser cannot add headers to a WebSocket
        csrf = csrf or connection.query_params.get("csrf", "")
    if download and session is not None and connection.scope.get("method") == "GET":
        return Caller(session.actor, address)
    if session is None or not csrf or not same(csrf, session.csrf_hash):
        return Caller(None, address)
    return Caller(session.actor, address)
