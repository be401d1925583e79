"""The voucher page the QR code opens (``/v/{token}``), its QR images and a receipt-sized print.

Anyone sees the voucher's state, the QR code as wide as the screen, the serial and the expiry. Shop
staff signed in on the web get a large redeem button (the form carries the session's CSRF token);
the result fills the screen: ✓ with the amount, or ✕ with the reason in one line.
"""

from dataclasses import dataclass
from datetime import timedelta
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain.auth.actor import Actor
from domain.auth.permissions import Permission
from domain.auth.tokens import same
from domain.clock import Clock
from domain.errors import DomainError
from domain.sql import reader
from domain.vouchers.access import access_voucher_by_token
from domain.vouchers.actions import redeem_voucher
from domain.vouchers.qr import qr_png, qr_svg, qr_text
from domain.vouchers.queries import VoucherView
from domain.vouchers.tokens import VoucherKey, spoken
from web.assets import script, stylesheet
from web.cookies import CSRF_FIELD, FILL_CSRF, signed_in
from web.i18n import Text, language
from web.layout import page

LAST_MOMENT = timedelta(microseconds=1)
FULL_WIDTH_QR = "<style>main svg{width:100%;height:auto;max-width:90vh}</style>"
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

    def _describe(self, text: Text, token: str, voucher: VoucherView) -> str:
        return (
            f'<p class="balance face-value">{text.points(voucher.face_value)}</p>'
            f'<p class="balance serial">'
            f"{escape(spoken(voucher.serial))}</p>"
            f"<p>{escape(text('status.' + voucher.status))}</p>"
            f"<p>{escape(text('voucher.until', day=text.day(voucher.expires_at - LAST_MOMENT)))}</p>"
            f"{FULL_WIDTH_QR}{qr_svg(qr_text(self.public_url, token))}"
        )

    async def show(self, request: Request) -> Response:
        text = Text(language(request))
        found = await self._voucher(request.path_params["token"])
        if found is None:
            body = f'<p class="error" role="alert">{escape(text("voucher.unknown"))}</p>'
            return page(text, text("voucher.title"), body, status=404)
        token, voucher = found
        body = f"<h1>{escape(text('voucher.title'))}</h1>" + self._describe(text, token, voucher)
        if await self._staff(request) is not None and voucher.status == "ISSUED":
            body += (
                f'<form method="post" action="/v/{token}/redeem?lang={text.lang}">{CSRF_FIELD}'
                f'<button type="submit">{escape(text("voucher.redeem"))}</button></form>{FILL_CSRF}'
            )
        return page(text, text("voucher.title"), body)

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
        body = RECEIPTS[width] + self._describe(text, *found) + script("print.js", module=False)
        return page(text, text("voucher.print"), body)
