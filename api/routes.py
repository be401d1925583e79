"""Plain HTTP routes: health and metrics."""

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse

from domain.sql import reader

log = logging.getLogger("mykey.health")


async def healthz(request: Request) -> JSONResponse:
    """200 when the database answers, 503 (and which part failed) when it does not."""
    try:
        await reader().fetchval("SELECT 1")
    except Exception:
        log.exception("health check: database unreachable")
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
