"""What every answer and every request goes through: security headers, a bound on request bodies,
and a same-origin rule for the pages' forms.

* **Headers.** A Content-Security-Policy with no inline script or style (pages load their scripts
  from /static), ``frame-ancestors 'none'`` (``*`` for the /embed/ widget alone), nosniff,
  ``Referrer-Policy: same-origin`` (a voucher's
  URL is the voucher: it never goes to another site; ``no-referrer`` would make browsers send
  ``Origin: null`` with our own forms), a Permissions-Policy that gives the camera to the shop's page
  alone, and HSTS in production.
* **Bodies.** A request body larger than the configured bound is refused with 413 before the app
  reads it (by its Content-Length) or as soon as it grows past the bound (a chunked body).
* **Forms.** A page form posted from another site (its Origin names another origin) is refused with
  403: that closes login CSRF on ``/signin``; the session's own CSRF field guards the rest.
"""

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:;"
    " media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"
    " form-action 'self'; frame-ancestors 'none'"
)
# GraphiQL (development only) is one page of inline script from a CDN
GRAPHIQL_CSP = (
    "default-src 'self' https://unpkg.com 'unsafe-inline'; img-src 'self' data: https:;"
    " frame-ancestors 'none'"
)
# another site may frame these (the "where to spend" widget); every other page refuses framing
EMBED_PREFIX = "/embed/"
EMBED_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors *")
CAMERA_PATHS = ("/shop",)
HSTS = "max-age=63072000; includeSubDomains"


# the exchange widget's popup keeps its opener (the partner's page) so that it can post the result
# back to the partner's registered origin; every other page cuts it (same-origin)
WIDGET_POPUP_PATHS = frozenset({"/oauth/authorize", "/signin"})


def _permissions(path: str) -> bytes:
    camera = "(self)" if path in CAMERA_PATHS else "()"
    return f"camera={camera}, microphone=(), geolocation=(), payment=(), usb=()".encode()


class SecurityHeaders:
    def __init__(self, app: ASGIApp, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        graphiql = not self.production and path == "/graphql" and scope["method"] == "GET"
        embedded = path.startswith(EMBED_PREFIX)
        policy = GRAPHIQL_CSP if graphiql else EMBED_CSP if embedded else CSP
        extra = [
            (b"content-security-policy", policy.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"cross-origin-opener-policy", b"unsafe-none" if path in WIDGET_POPUP_PATHS else b"same-origin"),
            (b"permissions-policy", _permissions(path)),
        ]
        if not embedded:
            extra.append((b"x-frame-options", b"DENY"))
        if self.production:
            extra.append((b"strict-transport-security", HSTS.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in extra}
                headers = [(n, v) for n, v in message.get("headers", []) if n.lower() not in names]
                if not any(n.lower() == b"cache-control" for n, _ in headers):
                    headers.append((b"cache-control", b"no-store"))  # personal unless a route says otherwise
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """413 past ``limit`` bytes; ``larger`` gives some paths (bulk uploads) a bound of their own."""

    def __init__(self, app: ASGIApp, limit: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.larger = larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.limit)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(limit)(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await _too_large(limit)(scope, receive, send)


def _too_large(limit: int) -> PlainTextResponse:
    return PlainTextResponse(f"Request body too large: send at most {limit:,} bytes.\n", status_code=413)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class SameOriginForms:
    """Refuse a POST to a page from another origin (login CSRF). APIs called with bearer tokens or
    with their own CSRF header (``exempt`` paths) are left to their own rules."""

    def __init__(self, app: ASGIApp, public_url: str, exempt: Iterable[str]) -> None:
        self.app = app
        self.public_origin = origin_of(public_url)
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in {"GET", "HEAD", "OPTIONS"}
            or scope["path"] in self.exempt
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        origin = headers.get(b"origin", b"").decode("latin-1").lower()
        site = headers.get(b"sec-fetch-site", b"").decode("latin-1")
        host = headers.get(b"host", b"").decode("latin-1").lower()
        own = {self.public_origin, f"{scope.get('scheme', 'http')}://{host}"}
        if (origin and origin not in own) or site == "cross-site":  # "null" is never our own
            refusal = PlainTextResponse(
                "This form was sent from another site. Open the page on this site and send it again.\n",
                status_code=403,
            )
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


class Compress:
    """gzip for pages and static files (GZipMiddleware: only when the browser accepts it and the body
    is over ``minimum`` bytes). Not for the API paths: their answers carry tokens next to what the
    caller sent, which is what a compression side channel (BREACH) needs."""

    def __init__(self, app: ASGIApp, exempt: tuple[str, ...], minimum: int = 500) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum)
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        await self.gzip(scope, receive, send)
