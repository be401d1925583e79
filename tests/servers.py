"""Real server processes for the tests that need one (live updates, the browser, the fuzzer).

Every process of a test reads the same time: the test passes its clock's instant as
``MYKEY_CLOCK_START``, and the server's clock starts there and runs at the real pace. A site seeded
with ``mykey demo seed`` runs on the system clock with everything it made (CI runs those tests under
libfaketime to prove they pass on any date).
"""

import asyncio
import json
import os
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

# small argon2 cost (still argon2id), no background sealing or mailing: the tests drive those
FAST = {
    "MYKEY_ARGON2_MEMORY_KIB": "1024",
    "MYKEY_ARGON2_TIME_COST": "1",
    "MYKEY_CHECKPOINT_SECONDS": "0",
    "MYKEY_OUTBOX_SECONDS": "0",
}


@dataclass
class Site:
    url: str
    demo: dict[str, Any]
    var: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def uvicorn_server(env: Mapping[str, str]) -> AsyncIterator[str]:
    """``uvicorn --factory api.app:app_from_env`` on a free port, with ``env`` over the suite's; its URL."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:app_from_env", "--port", str(port)]
    process = await asyncio.create_subprocess_exec(
        *command, "--log-level", "warning", env={**os.environ, **FAST, **env, "PORT": str(port)}
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                try:
                    if (await client.get(url + "/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        yield url
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=10)


@asynccontextmanager
async def seeded_site(var: Path) -> AsyncIterator[Site]:
    """A server on its own SQLite database, loaded with ``mykey demo seed``."""
    env = {**FAST, "MYKEY_VAR_DIR": str(var), "DATABASE_URL": f"sqlite://{var / 'site.sqlite3'}"}
    seed = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "api.cli",
        "demo",
        "seed",
        "--out",
        str(var / "demo.json"),
        env={**os.environ, **env},
    )
    assert await seed.wait() == 0
    async with uvicorn_server(env) as url:
        yield Site(url, json.loads((var / "demo.json").read_text()), var)
