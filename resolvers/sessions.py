"""Handing a new session to the client: as a bearer token, or as HttpOnly + CSRF cookies."""

from starlette.responses import Response

from domain.auth.sessions import NewSession
from schema.context import Info

SESSION_COOKIE = "mykey_session"
CSRF_COOKIE = "mykey_csrf"


def deliver(info: Info, session: NewSession, use_cookie: bool) -> str | None:
    """Set the cookies if asked (then the token is not returned to scripts); else return the token."""
    if not use_cookie:
        return session.token
    response = info.context.response
    if isinstance(response, Response):
        seconds = int((session.expires_at - info.context.clock.now()).total_seconds())
        secure = info.context.secure_cookies
        response.set_cookie(
            SESSION_COOKIE, session.token, max_age=seconds, httponly=True, samesite="strict", secure=secure
        )
        response.set_cookie(
            CSRF_COOKIE, session.csrf, max_age=seconds, httponly=False, samesite="strict", secure=secure
        )
    return None
