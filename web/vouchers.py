"""The voucher page the QR code opens (``/v/{token}``), its QR images and a receipt-sized print.

Anyone sees the voucher's state. Shop staff signed in on the web (session cookie) get a large redeem
button; the form carries the session's CSRF token. The result fills the screen: ✓ with the amount,
or ✕ with the reason in one line.
"""

from dataclasses import dataclass
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain.auth.actor import Actor, Role
from domain.auth.sessions import actor_for_session
from domain.auth.tokens import same
from domain.clock import JST, Clock
from domain.errors import DomainError
from domain.sql import reader
from domain.vouchers.actions import redeem_voucher
from domain.vouchers.qr import qr_png, qr_svg, qr_text
from domain.vouchers.queries import VoucherView, get_voucher_by_serial
from domain.vouchers.tokens import VoucherKey, spoken, token_from_text

SESSION_COOKIE = "mykey_session"
STATUS_JA = {"ISSUED": "使えます", "REDEEMED": "利用済み", "EXPIRED": "期限切れ", "VOID": "無効"}
PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font:20px/1.6 system-ui,sans-serif;max-width:36rem;margin:1rem auto;padding:0 1rem;
color:#1a1a1c}}
.big{{font-size:2.4rem;font-weight:700}} .ok{{color:#115a36}} .no{{color:#a4011b}}
button{{font-size:1.4rem;min-height:56px;width:100%;background:#0017c1;color:#fff;border:0;border-radius:8px}}
.serial{{font-size:2rem;letter-spacing:.1em;font-family:monospace}} svg{{width:60%;height:auto}}
@media print{{@page{{size:{width} auto;margin:2mm}} body{{width:{width};margin:0;font-size:12px}}
button,form{{display:none}} .serial{{font-size:16px}} svg{{width:100%}}}}</style></head>
<body>{body}</body></html>"""


@dataclass(frozen=True)
class VoucherPages:
    key: VoucherKey
    clock: Clock
    public_url: str

    async def _voucher(self, text: str) -> tuple[str, VoucherView] | None:
        token = token_from_text(text)
        if token is None:
            return None
        voucher = await get_voucher_by_serial(reader(), token[:8])
        if voucher is None or not self.key.verifies(
            token, voucher.face_value, voucher.program_id, voucher.expires_at
        ):
            return None
        return token, voucher

    async def _staff(self, request: Request) -> tuple[Actor, str] | None:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        found = await actor_for_session(reader(), cookie, self.clock.now())
        if found is None or found.actor.role is not Role.SHOP_STAFF:
            return None
        return found.actor, found.csrf_hash

    def _page(self, title: str, body: str, width: str = "80mm") -> HTMLResponse:
        return HTMLResponse(PAGE.format(title=escape(title), body=body, width=width))

    def _describe(self, token: str, voucher: VoucherView) -> str:
        expires = voucher.expires_at.astimezone(JST)
        return (
            f'<p class="big">{voucher.face_value:,} pt</p><p class="serial">{spoken(voucher.serial)}</p>'
            f"<p>{STATUS_JA[voucher.status]} / {voucher.status}</p>"
            f"<p>有効期限 {expires:%Y年%m月%d日 %H:%M} まで</p>"
            f"{qr_svg(qr_text(self.public_url, token))}"
        )

    async def show(self, request: Request) -> Response:
        found = await self._voucher(request.path_params["token"])
        if found is None:
            body = '<p class="big no">✕</p><p>このポイント券は見つかりません / Unknown voucher</p>'
            return HTMLResponse(PAGE.format(title="ポイント券", body=body, width="80mm"), status_code=404)
        token, voucher = found
        body = self._describe(token, voucher)
        staff = await self._staff(request)
        if staff is not None and voucher.status == "ISSUED":
            body += (
                f'<form method="post" action="/v/{token}/redeem"><input type="hidden" name="csrf" value="">'
                '<button type="submit">この券を受け取る / Redeem</button></form>'
                "<script>document.forms[0].csrf.value=(document.cookie.match(/mykey_csrf=([^;]+)/)||[])[1]||''</script>"
            )
        return self._page("ポイント券 / Point voucher", body)

    async def redeem(self, request: Request) -> Response:
        staff = await self._staff(request)
        form = await request.form()
        if staff is None or not same(str(form.get("csrf", "")), staff[1]):
            return HTMLResponse(
                PAGE.format(title="ポイント券", body="<p>ログインしてください / Sign in</p>", width="80mm"),
                403,
            )
        try:
            done = await redeem_voucher(staff[0], request.path_params["token"], self.key, self.clock.now())
        except DomainError as error:
            body = f'<p class="big no">✕</p><p>{escape(error.message)}</p><p>{error.code.value}</p>'
            return self._page("受け取れません / Refused", body)
        body = f'<p class="big ok">✓ {done.voucher.face_value:,} pt</p><p>{escape(done.shop_name)}</p>'
        return self._page("受け取りました / Redeemed", body)

    async def image(self, request: Request) -> Response:
        found = await self._voucher(request.path_params["token"])
        if found is None:
            return Response(status_code=404)
        text = qr_text(self.public_url, found[0])
        if request.path_params["format"] not in {"svg", "png"}:
            return Response(status_code=404)
        if request.path_params["format"] == "svg":
            return Response(qr_svg(text), media_type="image/svg+xml")
        return Response(qr_png(text), media_type="image/png")

    async def print(self, request: Request) -> Response:
        found = await self._voucher(request.path_params["token"])
        if found is None:
            return Response(status_code=404)
        width = "58mm" if request.query_params.get("paper") == "58" else "80mm"
        body = "<p>ポイント券 / Point voucher</p>" + self._describe(*found)
        return self._page("ポイント券（印刷）", body + "<script>print()</script>", width)
