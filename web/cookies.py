"""The web front's side of the session cookies (``schema.sessions`` sets and clears them, for the
API too): the signed-in actor behind them, the CSRF field every form carries, where a post came from.
"""

from datetime import datetime

from starlette.requests import Request

from domain.auth.permissions import Permission
from domain.auth.sessions import SessionActor, actor_for_session
from domain.sql import Sql, reader
from schema.sessions import SESSION_COOKIE
from web.assets import script

# every form a page posts carries the CSRF token, filled in from the cookie by the page's last script
CSRF_FIELD = '<input type="hidden" name="csrf" value="">'
FILL_CSRF = script("csrf.js", module=False)


def posted_from_here(request: Request) -> bool:
    """The browser says this request comes from one of our own pages (Origin or Sec-Fetch-Site)."""
    origin = request.headers.get("origin", "").lower()
    here = f"{request.url.scheme}://{request.url.netloc}".lower()
    return origin == here or request.headers.get("sec-fetch-site") == "same-origin"


async def signed_in(
    request: Request, now: datetime, permission: Permission, sql: Sql | None = None
) -> SessionActor | None:
    """The session behind the cookie, if ``permission`` admits its actor; else None. ``sql``: where
    to read it (:func:`domain.sql.reader` unless said)."""
    token = request.cookies.get(SESSION_COOKIE)
    found = None if not token else await actor_for_session(sql or reader(), token, now)
    if found is None or not permission.admits(found.actor):
        return None
    return found
