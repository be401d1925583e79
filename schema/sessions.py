"""How a session travels over HTTP, for both fronts (the GraphQL API and the web pages) and for
``api.auth``, which reads it back: an HttpOnly, SameSite=Strict cookie with the session token
(Secure in production), and a script-readable cookie with its CSRF token."""

from datetime import datetime

from starlette.responses import Response

from domain.auth.sessions import NewSession

SESSION_COOKIE = "mykey_session"
CSRF_COOKIE = "mykey_csrf"


def set_session_cookies(response: Response, session: NewSession, now: datetime, secure: bool) -> None:
    seconds = int((session.expires_at - now).total_seconds())
    response.set_cookie(
        SESSION_COOKIE, session.token, max_age=seconds, httponly=True, samesite="strict", secure=secure
    )
    response.set_cookie(
        CSRF_COOKIE, session.csrf, max_age=seconds, httponly=False, samesite="strict", secure=secure
    )


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
