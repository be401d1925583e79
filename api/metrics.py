"""Prometheus metrics (per process) and the middleware that counts requests."""

import hmac
import time
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "mykey_http_requests", "HTTP requests served", ["method", "route", "status"], registry=REGISTRY
)
LATENCY = Histogram(
    "mykey_http_request_seconds", "Time to serve an HTTP request", ["route"], registry=REGISTRY
)
KNOWN_ROUTES = ("/graphql", "/healthz", "/metrics")


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        route = path if path in KNOWN_ROUTES else "other"
        status = 500
        started = time.perf_counter()

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            LATENCY.labels(route).observe(time.perf_counter() - started)


def metrics_endpoint(allow: tuple[str, ...], token: str | None) -> Callable[[Request], Awaitable[Response]]:
    """``/metrics`` for the addresses in ``allow`` (MYKEY_METRICS_ALLOW: the machine itself by default)
    or a scraper that shows ``token`` (MYKEY_METRICS_TOKEN) as a bearer token; 404 to anyone else."""

    async def metrics(request: Request) -> Response:
        address = request.client.host if request.client else ""
        shown = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if address not in allow and not (token and hmac.compare_digest(shown, token)):
            return Response(status_code=404)
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return metrics
