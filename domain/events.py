"""Live events for subscriptions, delivered across server processes.

An action publishes inside its transaction; the event leaves once that transaction has committed
(never after a rollback). On PostgreSQL it is a ``pg_notify`` on one channel, heard by every server
process (``api.events`` keeps one LISTEN connection per process). It is sent just after COMMIT rather
than inside the transaction: PostgreSQL serialises the commits of notifying transactions, which cost
a quarter of the redemption throughput. Nor does the request wait for it: the process's
:class:`Sender` sends whatever events are waiting in one statement, so concurrent payments and
redemptions share one round trip and one notifying commit instead of taking one each. The price is
that an event can be lost if the process dies between its commit and the notify: live updates are a
convenience, the database holds the truth. On
SQLite (one process) the event goes straight to this process's hub. Subscribers get the events of one topic
(``resident:<id>``, ``shop:<id>``) on a bounded queue: a slow subscriber loses old events, never
blocks a writer.
"""

import asyncio
import contextlib
import itertools
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass

from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.shops.access import access_shop_by_actor
from domain.sql import Sql, reader

log = logging.getLogger(__name__)
CHANNEL = "mykey_events"
QUEUE_SIZE = 100


@dataclass(frozen=True)
class Event:
    topic: str
    kind: str
    data: dict[str, int | str]  # a few plain values: what changed, for the page to show

    def encode(self, serial: int | None = None) -> str:
        """As JSON; ``serial`` tells apart events that are otherwise the same (two payments of the same
        points at the same shop), which PostgreSQL would fold into one in a transaction's NOTIFYs."""
        fields = {"topic": self.topic, "kind": self.kind, "data": self.data}
        return json.dumps(fields if serial is None else fields | {"serial": serial}, ensure_ascii=False)

    @classmethod
    def decode(cls, text: str) -> "Event":
        raw = json.loads(text)
        return cls(str(raw["topic"]), str(raw["kind"]), dict(raw["data"]))


class Hub:
    """This process's subscribers, by topic."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)

    def deliver(self, event: Event) -> None:
        for queue in list(self._queues.get(event.topic, ())):
            if queue.full():
                queue.get_nowait()  # drop the oldest: live updates are about now
            queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[asyncio.Queue[Event]]:
        queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)
        self._queues[topic].add(queue)
        try:
            yield queue
        finally:
            self._queues[topic].discard(queue)
            if not self._queues[topic]:
                del self._queues[topic]


hub = Hub()


# a batch of events on the channel ($1), in the order they were handed over ($2)
NOTIFY = (
    "SELECT pg_notify($1, s.e) FROM (SELECT t.e FROM unnest($2::text[]) WITH ORDINALITY AS t(e, n)"
    " ORDER BY t.n) s"
)


class Sender:
    """This process's events on their way to PostgreSQL: one task sends all that are waiting in one
    statement, then the ones that arrived meanwhile, until none is left."""

    def __init__(self) -> None:
        self._waiting: list[str] = []
        self._task: asyncio.Task[None] | None = None
        self._serials = itertools.count(1)

    def send(self, event: Event) -> None:
        self._waiting.append(event.encode(next(self._serials)))
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._drain())

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await reader().execute(NOTIFY, CHANNEL, batch)
            except Exception:
                log.exception("%d live events were not sent; the database holds what happened", len(batch))

    async def drained(self) -> None:
        """Wait until every event handed over so far has left (a server's shutdown, tests)."""
        loop = asyncio.get_running_loop()
        while self._task is not None and not self._task.done() and self._task.get_loop() is loop:
            await self._task


sender = Sender()


async def publish(sql: Sql, event: Event) -> None:
    """Publish ``event`` when (and only if) the current transaction commits."""

    async def send() -> None:
        if sql.postgres:
            sender.send(event)
        else:
            hub.deliver(event)

    sql.after_commit.append(send)


def balance_topic(actor: Actor | None) -> str:
    """A resident follows their own balance."""
    return f"resident:{permit(actor, Permission.RESIDENT).id}"


def shop_topic(actor: Actor | None) -> str:
    """Shop staff and the shop's PAY terminals follow the shop's redemptions."""
    _, shop_id = access_shop_by_actor(actor, Permission.SHOP)
    return f"shop:{shop_id}"
