"""The voucher page the QR code opens (``/v/{token}``), its QR images and a receipt-sized print.

Anyone sees the voucher's state, the QR code as wide as the screen, the serial and the expiry. Shop
staff signed in on the web get a large redeem button (the form carries the session's CSRF token);
the result fills the screen: ✓ with the amount, or ✕ with the reason in one line.
"""

from dataclasses import dataclass
from datetime import timedelta
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from domain.auth.actor import Actor
from domain.auth.permissions import Permission
from domain.auth.tokens import same
from domain.clock import JST, Clock
from domain.errors import DomainError
from domain.sql import reader
from domain.vouchers.access import access_voucher_by_token
from domain.vouchers.actions import redeem_voucher
from domain.vouchers.qr import qr_png, qr_svg, qr_text
from domain.vouchers.queries import VoucherView, get_redemption, where_accepted
from domain.vouchers.tokens import VoucherKey
from web.assets import script, stylesheet
from web.components import banner, button
from web.cookies import CSRF_FIELD, FILL_CSRF, signed_in
from web.i18n import Text, language
from web.layout import page

LAST_MOMENT = timedelta(microseconds=1)
RECEIPTS = {width: stylesheet(f"receipt-{width}.css") for width in ("58", "80")}


@dataclass(frozen=True)
class VoucherPages:
    key: VoucherKey
    clock: Clock
    public_url: str

    async def _voucher(self, text: str) -> tuple[str, VoucherView] | None:
        try:
            found = await access_voucher_by_token(reader(), self.key, text)
        except DomainError:  # unknown or altered: the page says so, with a 404
            return None
        return found.token, found.voucher

    async def _staff(self, request: Request) -> tuple[Actor, str] | None:
        found = await signed_in(request, self.clock.now(), Permission.SHOP_STAFF)
        return None if found is None else (found.actor, found.csrf_hash)

    async def _describe(self, text: Text, token: str, voucher: VoucherView, live: bool = True) -> str:
        """The voucher, QR code first and as wide as the screen while it can be used; once used or
        expired, a banner says so (when, where) and the QR code is gone."""
        sql = reader()
        where = await where_accepted(sql, voucher.program_id)
        until = text("voucher.until", day=text.day(voucher.expires_at - LAST_MOMENT))
        if voucher.status == "ISSUED":
            top = f'<div class="qr-full">{qr_svg(qr_text(self.public_url, token))}</div>'
        elif voucher.status == "REDEEMED":
            used = await get_redemption(sql, voucher.id)
            when = (
                ""
                if used is None
                else f"{text.day(used.redeemed_at)} {used.redeemed_at.astimezone(JST):%H:%M}"
            )
            top = banner("success", text("voucher.used", when=when, shop=used.shop_name if used else ""))
        else:
            top = banner("info", text("status." + voucher.status))
        shops = ", ".join(where.names) + ("…" if where.shops > len(where.names) else "")
        return (
            top
            + f'<p class="big-number">{text.points(voucher.face_value)}</p>'
            + f'<p class="typed-code">{escape(self.key.typed_code(token))}</p>'
            + f'<p class="hint">{escape(text("voucher.typed_help"))}</p>'
            + f"<p>{escape(where.municipality_name)} {escape(where.program_name)}</p>"
            + f"<p>{escape(until)}</p>"
            + f"<p>{escape(text('voucher.accepted', count=where.shops))}"
            + (f"<br>{escape(shops)}" if shops else "")
            + "</p>"
            + (
                f'<p hidden id="voucher-live" data-status="{voucher.status}"'
                f' data-url="/v/{token}/status"></p>' + script("voucher.js")
                if live and voucher.status == "ISSUED"
                else ""
            )
        )

    async def show(self, request: Request) -> Response:
        text = Text(language(request))
        found = await self._voucher(request.path_params["token"])
        if found is None:
            body = banner("error", text("voucher.unknown"))
            return page(text, text("voucher.title"), body, status=404)
        token, voucher = found
        body = f"<h1>{escape(text('voucher.title'))}</h1>" + await self._describe(text, token, voucher)
        if await self._staff(request) is not None and voucher.status == "ISSUED":
            body += (
                f'<form method="post" action="/v/{token}/redeem?lang={text.lang}">{CSRF_FIELD}'
                f"{button(text('voucher.redeem'))}</form>{FILL_CSRF}"
            )
        return page(text, text("voucher.title"), body)

    async def status(self, request: Request) -> Response:
        """``GET /v/{token}/status``: the voucher's state, for its page to follow (whoever holds the
        token may see the voucher)."""
        found = await self._voucher(request.path_params["token"])
        if found is None:
            return JSONResponse({"error": {"code": "NOT_FOUND"}}, status_code=404)
        return JSONResponse({"status": found[1].status})

    async def redeem(self, request: Request) -> Response:
        text = Text(language(request))
        staff = await self._staff(request)
        form = await request.form()
        if staff is None or not same(str(form.get("csrf", "")), staff[1]):
            refused = f'<p class="error">{escape(text("voucher.signin"))}</p>'
            return page(text, text("voucher.title"), refused, 403)
        try:
            done = await redeem_voucher(staff[0], request.path_params["token"], self.key, self.clock.now())
        except DomainError as error:
            body = (
                f'<p class="balance error" role="alert">{escape(text.error(error))}</p>'
                f'<p class="muted">{escape(error.message)} ({error.code.value})</p>'
            )
            return page(text, text("voucher.refused"), body)
        body = (
            f'<p class="balance done" role="status">'
            f"✓ {text.points(done.voucher.face_value)}</p><p>{escape(done.shop_name)}</p>"
        )
        return page(text, text("voucher.redeemed"), body)

    async def image(self, request: Request) -> Response:
        found = await self._voucher(request.path_params["token"])
        if found is None or request.path_params["format"] not in {"svg", "png"}:
            return Response(status_code=404)
        qr = qr_text(self.public_url, found[0])
        if request.path_params["format"] == "svg":
            return Response(qr_svg(qr), media_type="image/svg+xml")
        return Response(qr_png(qr), media_type="image/png")

    async def print(self, request: Request) -> Response:
        text = Text(language(request))
        found = await self._voucher(request.path_params["token"])
        if found is None:
            return HTMLResponse(status_code=404)
        width = "58" if request.query_params.get("paper") == "58" else "80"
        body = (
            RECEIPTS[width]
            + await self._describe(text, *found, live=False)
            + script("print.js", module=False)
        )
        return page(text, text("voucher.print"), body)
