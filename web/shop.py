"""The shop's phone: sign in, scan vouchers with the camera (or type one), see today's takings.

The page's script grabs camera frames and posts them to ``/shop/decode``, which reads QR codes with
zxing-cpp on the server — the same on Chrome for Android and Safari on iPhone (no BarcodeDetector
needed). A read voucher is redeemed through the ``redeemVoucher`` mutation with the session cookie
and its CSRF token. The camera needs HTTPS outside localhost (see README).
"""

import asyncio
import io
from dataclasses import dataclass
from datetime import datetime, time
from html import escape

import zxingcpp
from PIL import Image, UnidentifiedImageError
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from domain.auth.permissions import Permission
from domain.auth.sessions import SessionActor
from domain.auth.tokens import same
from domain.clock import JST, Clock, japan_date
from domain.shops.queries import get_shop
from domain.sql import reader
from domain.vouchers.queries import list_shop_redemptions
from domain.vouchers.tokens import spoken
from web.assets import script
from web.components import banner, button, field
from web.cookies import CSRF_FIELD, FILL_CSRF, signed_in
from web.i18n import Text, language
from web.layout import page
from web.staff_signin import StaffSignIn

MAX_FRAME = 2 * 1024 * 1024


def _read_qr(frame: bytes) -> str | None:
    image = Image.open(io.BytesIO(frame)).convert("L")
    codes = [c.text for c in zxingcpp.read_barcodes(image) if c.format == zxingcpp.BarcodeFormat.QRCode]
    return codes[0] if codes else None


@dataclass(frozen=True)
class ShopPages:
    clock: Clock
    secure_cookies: bool

    async def _staff(self, request: Request) -> SessionActor | None:
        return await signed_in(request, self.clock.now(), Permission.SHOP_STAFF)

    async def signin(self, request: Request) -> Response:
        return await StaffSignIn(
            "/shop/signin",
            "shop.signin",
            Permission.SHOP_STAFF,
            "/shop",
            "shop.only_staff",
            self.clock,
            self.secure_cookies,
        ).respond(request)

    async def scan(self, request: Request) -> Response:
        """Straight to the camera; the result fills the screen (✓ with the amount, program and time,
        or ✕ with what to do) until 「次を読む」; the typed code below; today's takings at the end."""
        text = Text(language(request))
        found = await self._staff(request)
        if found is None:
            return RedirectResponse(f"/shop/signin?lang={text.lang}", status_code=303)
        assert found.actor.shop_id is not None  # SHOP_STAFF admits shop staff only
        shop = await get_shop(reader(), found.actor.shop_id)
        data = "".join(
            f' data-{name}="{escape(text.raw("shop." + name))}"'
            for name in ("ok", "refused", "at", "program")
        )
        body = (
            f'<div class="shop-bar"><p><span class="muted">{escape(text("shop.signed_in_as"))}</span><br>'
            f"<strong>{escape(shop.name)}</strong></p>"
            f'<form method="post" action="/signout">{CSRF_FIELD}'
            + button(text("nav.signout"), "tertiary")
            + f"</form>{FILL_CSRF}</div>"
            f"<h1>{escape(text('shop.title'))}</h1><p>{escape(text('shop.camera'))}</p>"
            '<video id="camera" class="camera" playsinline muted></video>'
            f'<div id="no-camera" hidden>{banner("warning", text("shop.no_camera"), live=False)}</div>'
            f'<div id="outcome" class="outcome" hidden{data}><div class="outcome-box" role="alert">'
            '<p class="outcome-sign" aria-hidden="true"></p><p class="outcome-title"></p>'
            '<p class="outcome-detail"></p>'
            + button(text("shop.next"), "primary", "button", ' id="next"')
            + "</div></div>"
            '<form id="manual"><div class="summary"></div>'
            + field(
                "typed",
                text("shop.manual"),
                hint=text("shop.manual_hint"),
                attrs=' autocapitalize="characters" autocomplete="off" spellcheck="false"',
            )
            + button(text("shop.redeem"), "secondary")
            + "</form>"
            + f'<section id="today">{await self._today(text, found)}</section>'
            + script("scan.js")
        )
        return page(text, text("shop.title"), body)

    async def _today(self, text: Text, found: SessionActor) -> str:
        """Today's takings, from 00:00 JST of today in Japan (whatever the hour or the server's zone)."""
        start = datetime.combine(japan_date(self.clock.now()), time(0), tzinfo=JST)
        today = await list_shop_redemptions(reader(), found.actor, start)
        items = "".join(
            f'<li class="movement"><span class="when">{r.at.astimezone(JST):%H:%M}</span>'
            f'<span class="what">{escape(spoken(r.serial))}</span>'
            f'<span class="amount in">{text.points(r.face_value)}</span></li>'
            for r in today
        )
        total = text("shop.total", points=text.points(sum(r.face_value for r in today)), count=len(today))
        return (
            f'<h2>{escape(text("shop.today"))}</h2><p class="big-number" id="takings">{escape(total)}</p>'
            f'<ul class="plain">{items}</ul>'
        )

    async def decode(self, request: Request) -> Response:
        """A camera frame (JPEG/PNG) → the QR code's text, or null."""
        found = await self._staff(request)
        if found is None or not same(request.headers.get("x-csrf-token", ""), found.csrf_hash):
            return JSONResponse({"error": "UNAUTHENTICATED"}, status_code=401)
        frame = await request.body()
        if len(frame) > MAX_FRAME:
            return JSONResponse({"error": "INVALID_INPUT"}, status_code=413)
        try:
            # 25–230 ms of image work a frame: on a worker thread, never on the event loop
            text = await asyncio.to_thread(_read_qr, frame)
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
            return JSONResponse({"error": "INVALID_INPUT"}, status_code=400)
        return JSONResponse({"text": text})
