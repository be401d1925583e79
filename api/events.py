"""One LISTEN connection per server process (PostgreSQL): database notifications → this process's hub.

Every process that serves subscriptions runs one :class:`Listener`; whichever process commits an
event, all of them hear it and hand it to their own subscribers (domain.events.hub). On SQLite there
is one process and no listener: events reach the hub after commit.
"""

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

from domain.events import CHANNEL, Event, hub

log = logging.getLogger("mykey.events")


def _dsn(database_url: str) -> str:
    return database_url.replace("postgres://", "postgresql://", 1).split("?")[0]


class Listener:
    def __init__(self, database_url: str) -> None:
        self.dsn = _dsn(database_url)
        self._task: asyncio.Task[None] | None = None

    def _received(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        try:
            hub.deliver(Event.decode(payload))
        except (ValueError, KeyError):
            log.warning("ignored a malformed event on %s", channel)

    async def _run(self, ready: asyncio.Event) -> None:
        while True:
            connection = None
            try:
                connection = await asyncpg.connect(self.dsn)
                closed = asyncio.Event()
                connection.add_termination_listener(lambda _, done=closed: done.set())
                await connection.add_listener(CHANNEL, self._received)
                ready.set()
                await closed.wait()
            except (OSError, asyncpg.PostgresError):
                log.warning("event listener lost its connection; reconnecting", exc_info=True)
                await asyncio.sleep(1)
            finally:
                if connection is not None and not connection.is_closed():
                    connection.terminate()

    async def start(self) -> None:
        """Start listening; returns once the LISTEN is in place (or after 5 s without a database)."""
        ready = asyncio.Event()
        self._task = asyncio.create_task(self._run(ready))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ready.wait(), 5)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
