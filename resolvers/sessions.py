"""Handing a new session to the client: as a bearer token, or as HttpOnly + CSRF cookies."""

from starlette.responses import Response

from domain.auth.sessions import NewSession
from schema.context import Info
from schema.sessions import set_session_cookies


def deliver(info: Info, session: NewSession, use_cookie: bool) -> str | None:
    """Set the cookies if asked (then the token is not returned to scripts); else return the token."""
    if not use_cookie:
        return session.token
    response = info.context.response
    if isinstance(response, Response):
        set_session_cookies(response, session, info.context.clock.now(), info.context.secure_cookies)
    return None
