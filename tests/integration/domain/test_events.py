"""Live events leave PostgreSQL's side in batches: every event arrives, in order, even identical ones."""

import asyncio

import asyncpg
import pytest

from domain.events import CHANNEL, Event, publish, sender
from domain.sql import transaction

pytestmark = pytest.mark.postgres_only


async def test_a_batch_of_events_arrives_whole_and_in_order_identical_ones_included(db):
    heard: asyncio.Queue[Event] = asyncio.Queue()
    listening = await asyncpg.connect(db.settings.database_url.split("?")[0])
    await listening.add_listener(CHANNEL, lambda *args: heard.put_nowait(Event.decode(args[-1])))
    try:
        paid = Event("resident:7", "SPEND", {"points": -100, "shop": "商店"})
        others = [Event("shop:3", "VOUCHER_REDEEMED", {"faceValue": n}) for n in range(5)]
        for event in [paid, paid, *others, paid]:  # handed over together: one batch, one NOTIFY commit
            sender.send(event)
        await sender.drained()
        arrived = [await asyncio.wait_for(heard.get(), 10) for _ in range(8)]
        assert arrived == [paid, paid, *others, paid]
    finally:
        await listening.close()


async def test_an_event_leaves_only_if_its_transaction_commits(db):
    heard: asyncio.Queue[Event] = asyncio.Queue()
    listening = await asyncpg.connect(db.settings.database_url.split("?")[0])
    await listening.add_listener(CHANNEL, lambda *args: heard.put_nowait(Event.decode(args[-1])))
    try:

        async def refused(sql):
            await publish(sql, Event("resident:1", "SPEND", {"points": -1}))
            raise RuntimeError("the payment failed")

        with pytest.raises(RuntimeError):
            await transaction(refused)

        async def done(sql):
            await publish(sql, Event("resident:1", "SPEND", {"points": -2}))

        await transaction(done)
        await sender.drained()
        assert (await asyncio.wait_for(heard.get(), 10)).data == {"points": -2}
        await asyncio.sleep(0.2)
        assert heard.empty()
    finally:
        await listening.close()
