"""Static files with content hashes: pages link ``/static/app.css?v=<hash>``, which a browser may keep
for a year (the URL changes when the file does); any other request for a static file revalidates.

The hash is of the file's bytes, read once per process (files do not change under a running server).
"""

import hashlib
from functools import cache
from pathlib import Path

from starlette.responses import PlainTextResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).with_name("static")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@cache
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@cache
def _is_dir(path: str) -> bool:
    return Path(path).is_dir()


def asset(name: str) -> str:
    """The URL of ``web/static/<name>`` with its content hash."""
    return f"/static/{name}?v={_digest(STATIC / name)}"


def stylesheet(name: str) -> str:
    return f'<link rel="stylesheet" href="{asset(name)}">'


def script(name: str, module: bool = True) -> str:
    kind = ' type="module"' if module else " defer"
    return f'<script{kind} src="{asset(name)}"></script>'


class HashedStatic(StaticFiles):
    """StaticFiles that marks a response cacheable for a year when the URL names the file's current
    hash, and revalidated otherwise (ETag and Last-Modified come from StaticFiles)."""

    async def check_config(self) -> None:
        if self.directory is not None and not _is_dir(str(self.directory)):
            return  # answered 404 below, never the 500 StaticFiles gives a missing folder
        await super().check_config()

    async def get_response(self, path: str, scope: Scope) -> Response:
        if self.directory is not None and not _is_dir(str(self.directory)):
            # an optional folder that is not installed (node_modules without npm): nothing there
            return PlainTextResponse("Not Found", status_code=404, headers={"cache-control": REVALIDATE})
        response = await super().get_response(path, scope)
        query = scope.get("query_string", b"").decode("latin-1")
        wanted = dict(p.partition("=")[::2] for p in query.split("&") if p).get("v")
        current = None
        if response.status_code == 200 and wanted:
            full, _ = self.lookup_path(path)
            current = _digest(Path(full)) if full else None
        response.headers["cache-control"] = IMMUTABLE if wanted and wanted == current else REVALIDATE
        return response
