"""The bench's baseline: the same redemption service behind a plain Starlette endpoint (no GraphQL).

``POST /redeem`` with ``{"token": …}`` and the caller's bearer token calls
``domain.vouchers.actions.redeem_voucher`` exactly as the ``redeemVoucher`` resolver does, so the
difference in throughput is what the GraphQL layer costs. Not part of the product.
"""

import contextlib
import gc
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.auth import identify
from api.database import close_database, open_database
from api.settings import Settings
from domain.auth.access_tokens import AccessTokens
from domain.clock import SystemClock
from domain.errors import DomainError
from domain.vouchers.actions import redeem_voucher
from domain.vouchers.tokens import VoucherKey


def app_from_env() -> Starlette:
    settings = Settings.from_env()
    key = VoucherKey.load_or_create(settings.voucher_key_path)
    tokens = AccessTokens.load_or_create(settings.oauth_key_path)
    clock = SystemClock()

    async def redeem(request: Request) -> JSONResponse:
        body = await request.json()
        caller = await identify(request, tokens, clock.now())
        try:
            done = await redeem_voucher(caller.actor, str(body["token"]), key, clock.now())
        except DomainError as error:
            return JSONResponse({"error": error.code.value})
        return JSONResponse({"status": done.voucher.status, "shop": done.shop_name})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await open_database(settings)
        yield
        await close_database()

    app = Starlette(routes=[Route("/redeem", redeem, methods=["POST"])], lifespan=lifespan)
    gc.collect()
    gc.freeze()  # as api.app.app_from_env does: the comparison is of the layers, not of the collector
    return app
