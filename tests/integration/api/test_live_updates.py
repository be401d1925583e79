"""Subscriptions over WebSocket (graphql-transport-ws) against real server processes.

On PostgreSQL two uvicorn processes share the database: the subscriber is connected to one, the
voucher is issued and redeemed through the other, and the events cross over LISTEN/NOTIFY. On SQLite
there is one process (SQLite allows one writer), so both sides use it.
"""

import asyncio
import json
from contextlib import asynccontextmanager

import httpx
import websockets

from tests.integration.graphql.spending.test_vouchers import ISSUE, REDEEM
from tests.servers import uvicorn_server


@asynccontextmanager
async def _server(db, clock):
    env = {
        "DATABASE_URL": db.settings.database_url,
        "MYKEY_VAR_DIR": str(db.settings.var_dir),
        "MYKEY_ENV": "test",
        "MYKEY_DB_POOL_SIZE": "5",
        "MYKEY_CLOCK_START": clock.now().isoformat(),
    }
    async with uvicorn_server(env) as base, httpx.AsyncClient(base_url=base) as client:
        yield base, client


@asynccontextmanager
async def _subscribe(base: str, token: str | None, query: str):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = base.replace("http", "ws") + "/graphql"
    async with websockets.connect(
        url, subprotocols=["graphql-transport-ws"], additional_headers=headers
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        await asyncio.sleep(1.0)  # let the server register the subscription before anything happens
        yield ws


async def _next(ws) -> dict:
    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    return message


def _error_code(message: dict) -> str:
    """A refused subscription ends with its error, as an ``error`` or a ``next`` carrying ``errors``."""
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return str(errors[0]["extensions"]["code"])


async def _gql(client: httpx.AsyncClient, token: str, query: str, **variables) -> dict:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.json()["data"]


async def _scenario(listen_on: str, act: httpx.AsyncClient, town) -> None:
    async with (
        _subscribe(
            listen_on, town.resident.token, "subscription { balanceChanged { kind points } }"
        ) as resident,
        _subscribe(
            listen_on, town.clerk, "subscription { voucherRedeemed { serial faceValue shop } }"
        ) as shop,
    ):
        issued = await _gql(act, town.resident.token, ISSUE, p=str(town.program), v=120)
        voucher = issued["issueVoucher"]["voucher"]
        event = await _next(resident)
        assert event["payload"]["data"]["balanceChanged"] == {"kind": "VOUCHER_ISSUE", "points": -120}
        await _gql(act, town.pay, REDEEM, t=voucher["token"])
        seen = (await _next(shop))["payload"]["data"]["voucherRedeemed"]
        assert seen == {"serial": voucher["serial"], "faceValue": 120, "shop": "ブレーメン通り 商店"}
        assert (await _next(resident))["payload"]["data"]["balanceChanged"]["kind"] == "VOUCHER_REDEEMED"


async def test_the_shop_and_the_resident_see_a_redemption_live(db, town, clock):
    async with _server(db, clock) as (first, first_client):
        if not db.postgres:
            await _scenario(first, first_client, town)
            return
        async with _server(db, clock) as (
            _,
            second_client,
        ):  # another process: the event crosses LISTEN/NOTIFY
            await _scenario(first, second_client, town)


async def test_subscriptions_are_for_their_owners(db, town, clock):
    async with _server(db, clock) as (base, _):
        async with _subscribe(base, None, "subscription { balanceChanged { kind } }") as nobody:
            assert _error_code(await _next(nobody)) == "UNAUTHENTICATED"
        async with _subscribe(
            base, town.resident.token, "subscription { voucherRedeemed { serial } }"
        ) as resident:
            assert _error_code(await _next(resident)) == "FORBIDDEN"
