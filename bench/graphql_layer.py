"""What the GraphQL layer alone costs a request (issue 18): ``python -m bench.graphql_layer``.

The whole app (its middleware, strawberry's view, parsing and validation caches, execution, the
answer's encoding) is called in this process through ASGI, with the two parts that are not the
layer answered from memory: the caller's lookup (``api.graphql.identify``) and the domain's
redemption (``domain.vouchers.actions.redeem_voucher``). No database, no HTTP, no other process, so
the figures move with the layer's own code and little else:

* CPU per request, the least and the median of REPEATS rounds of ROUNDS requests (the machine's
  noise only ever adds, so the least is the steadiest figure);
* Python and C function calls per request, counted with ``sys.setprofile`` (exact, whatever the
  machine is doing: the figure to compare before and after a change).

Two documents: ``redeemVoucher`` as the voucher bench sends it, and ``{ __typename }`` (the floor).
"""

import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime, timedelta
from tempfile import mkdtemp
from typing import Any

from starlette.types import ASGIApp

import api.graphql
from api.app import create_app
from api.auth import Caller
from api.settings import Settings
from bench.vouchers import REDEEM
from domain.auth.access_tokens import AccessTokens
from domain.auth.actor import Actor, Role
from domain.clock import ManualClock
from domain.vouchers import actions
from domain.vouchers.queries import VoucherView
from domain.vouchers.tokens import VoucherKey

ROUNDS = int(os.environ.get("BENCH_LAYER_ROUNDS", "2000"))
REPEATS = int(os.environ.get("BENCH_LAYER_REPEATS", "7"))
COUNTED = 200
NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
CLERK = Actor(Role.SHOP_STAFF, 7, municipality_id=None, shop_id=3)
VOUCHER = VoucherView(1, "7KQ4M2XD9P", 2, 500, "PRINTED", None, "REDEEMED", NOW, NOW + timedelta(days=90))
DOCUMENTS = {
    "redeemVoucher": (REDEEM, {"t": "7KQ4M2XD9P" * 4}, b'"REDEEMED"'),
    "{ __typename }": ("{ __typename }", {}, b'"__typename"'),
}


async def _known_caller(request: Any, tokens: AccessTokens, now: datetime, download: bool = False) -> Caller:
    return Caller(CLERK, "127.0.0.1")


async def _redeemed(actor: Actor | None, text: str, key: VoucherKey, now: datetime) -> actions.Redemption:
    return actions.Redemption(VOUCHER, 3, "駅前ベーカリー", now)


def _request(body: bytes) -> Callable[[ASGIApp], Awaitable[bytes]]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"authorization", b"Bearer from-memory"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }

    async def call(app: ASGIApp) -> bytes:
        answer: list[bytes] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            answer.append(message.get("body", b""))

        await app({**scope, "state": {}}, receive, send)
        return b"".join(answer)

    return call


async def _measure(app: ASGIApp, name: str, query: str, variables: dict[str, str], mark: bytes) -> None:
    call = _request(json.dumps({"query": query, "variables": variables}).encode())
    answer = await call(app)
    if mark not in answer:
        raise SystemExit(f"{name}: unexpected answer {answer[:300]!r}")
    for _ in range(300):  # warm the caches
        await call(app)
    each = []
    for _ in range(REPEATS):
        started = time.process_time()
        for _ in range(ROUNDS):
            await call(app)
        each.append((time.process_time() - started) * 1e6 / ROUNDS)
    calls = {"call": 0, "c_call": 0}

    def count(frame: Any, event: str, arg: Any) -> None:
        if event in calls:
            calls[event] += 1

    sys.setprofile(count)
    for _ in range(COUNTED):
        await call(app)
    sys.setprofile(None)
    print(
        f"  {name:<16}: CPU {min(each):4.0f} µs least, {statistics.median(each):4.0f} µs median;"
        f" {calls['call'] / COUNTED:4.0f} Python calls, {calls['c_call'] / COUNTED:4.0f} C calls per request"
    )


async def main() -> int:
    var = mkdtemp(prefix="mykey-layer-")
    settings = Settings.from_env(
        {"DATABASE_URL": "sqlite://:memory:", "MYKEY_VAR_DIR": var, "MYKEY_ENV": "production"}
    )
    api.graphql.identify = _known_caller  # type: ignore[assignment]
    actions.redeem_voucher = _redeemed  # type: ignore[assignment]  # resolvers call it through the module
    app = create_app(settings, ManualClock(NOW), manage_database=False)
    print(f"The GraphQL layer alone, in process (production settings; {REPEATS} rounds of {ROUNDS}):")
    for name, (query, variables, mark) in DOCUMENTS.items():
        await _measure(app, name, query, variables, mark)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
