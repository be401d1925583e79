"""The web front's session cookies: set at sign-in, read back into the signed-in actor.

``mykey_session`` is HttpOnly and SameSite=Strict (Secure in production); ``mykey_csrf`` carries
the session's CSRF token for the page's forms and scripts to send back.
"""

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from domain.auth.actor import Role
from domain.auth.sessions import NewSession, SessionActor, actor_for_session
from domain.sql import reader

SESSION, CSRF = "mykey_session", "mykey_csrf"
# every form a page posts carries the CSRF token, filled in from the cookie by the page's last script
CSRF_FIELD = '<input type="hidden" name="csrf" value="">'
FILL_CSRF = '<script src="/static/csrf.js" defer></script>'


def set_session(response: Response, session: NewSession, now: datetime, secure: bool) -> None:
    seconds = int((session.expires_at - now).total_seconds())
    response.set_cookie(
        SESSION, session.token, max_age=seconds, httponly=True, samesite="strict", secure=secure
    )
    response.set_cookie(CSRF, session.csrf, max_age=seconds, samesite="strict", secure=secure)


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION)
    response.delete_cookie(CSRF)


def posted_from_here(request: Request) -> bool:
    """The browser says this request comes from one of our own pages (Origin or Sec-Fetch-Site)."""
    origin = request.headers.get("origin", "").lower()
    here = f"{request.url.scheme}://{request.url.netloc}".lower()
    return origin == here or request.headers.get("sec-fetch-site") == "same-origin"


async def signed_in(request: Request, now: datetime, role: Role | None = None) -> SessionActor | None:
    """The session behind the cookie (of ``role``, if given), or None."""
    token = request.cookies.get(SESSION)
    found = None if not token else await actor_for_session(reader(), token, now)
    if found is None or (role is not None and found.actor.role is not role):
        return None
    return found
