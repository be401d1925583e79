"""The resident's pages: sign in with MyKey ID and password, and My Page (balances, reserved
points with the days left, vouchers, history). Server-rendered, readable before any script loads.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.auth.sessions import SessionActor, actor_for_session
from domain.auth.tokens import same
from domain.clock import Clock, japan_date
from domain.errors import DomainError
from domain.municipalities.queries import list_municipalities_by_id
from domain.points.queries import Balance, Movement, ReservedLot, list_balances, list_history, list_reserved
from domain.programs.queries import list_programs_by_id
from domain.residents.access import access_resident_by_actor
from domain.residents.actions import log_out, login_with_password
from domain.sql import reader
from domain.vouchers.queries import VoucherView, list_resident_vouchers
from domain.vouchers.tokens import VoucherKey, spoken
from web.i18n import Text, language
from web.layout import page

SESSION, CSRF = "mykey_session", "mykey_csrf"
LAST_MOMENT = timedelta(microseconds=1)  # points expiring at 00:00 JST are usable through the day before


def _signin_form(text: Text, error: str = "") -> str:
    failed = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return (
        f"<h1>{escape(text('signin.title'))}</h1><p>{escape(text('signin.lead'))}</p>{failed}"
        f'<form method="post" action="/signin?lang={text.lang}">'
        f'<label for="id">{escape(text("signin.mykeyid"))}</label>'
        '<input id="id" name="myKeyId" autocomplete="username" autocapitalize="characters" required'
        ' maxlength="8">'
        f'<label for="pw">{escape(text("signin.password"))}</label>'
        '<input id="pw" name="password" type="password" autocomplete="current-password" required'
        ' maxlength="16">'
        f'<button type="submit">{escape(text("signin.submit"))}</button></form>'
    )


@dataclass(frozen=True)
class ResidentPages:
    clock: Clock
    key: VoucherKey
    secure_cookies: bool

    async def signin(self, request: Request) -> Response:
        text = Text(language(request))
        if request.method == "GET":
            return page(text, text("signin.title"), _signin_form(text))
        form = await request.form()
        address = request.client.host if request.client else "unknown"
        try:
            done = await login_with_password(
                str(form.get("myKeyId", "")), str(form.get("password", "")), self.clock.now(), address
            )
        except DomainError as error:
            reason = text("signin.failed", reason=error.message)
            return page(text, text("signin.title"), _signin_form(text, reason), status=401)
        response = RedirectResponse(f"/me?lang={text.lang}", status_code=303)
        seconds = int((done.session.expires_at - self.clock.now()).total_seconds())
        response.set_cookie(
            SESSION,
            done.session.token,
            max_age=seconds,
            httponly=True,
            samesite="strict",
            secure=self.secure_cookies,
        )
        response.set_cookie(
            CSRF, done.session.csrf, max_age=seconds, samesite="strict", secure=self.secure_cookies
        )
        return response

    async def _actor(self, request: Request) -> SessionActor | None:
        token = request.cookies.get(SESSION)
        return None if not token else await actor_for_session(reader(), token, self.clock.now())

    async def signout(self, request: Request) -> Response:
        found = await self._actor(request)
        form = await request.form()
        if found is not None and same(str(form.get("csrf", "")), found.csrf_hash):
            await log_out(found.actor, self.clock.now())
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(SESSION)
        response.delete_cookie(CSRF)
        return response

    async def me(self, request: Request) -> Response:
        text = Text(language(request))
        found = await self._actor(request)
        if found is None:
            return RedirectResponse(f"/signin?lang={text.lang}", status_code=303)
        resident = await access_resident_by_actor(found.actor)
        now, sql = self.clock.now(), reader()
        balances = await list_balances(sql, resident.id, now)
        vouchers = await list_resident_vouchers(sql, found.actor)
        programs = await list_programs_by_id(
            sql, [b.program_id for b in balances] + [v.program_id for v in vouchers]
        )
        towns = await list_municipalities_by_id(sql, sorted({p.municipality_id for p in programs.values()}))
        names = {i: f"{towns[p.municipality_id].name} {p.name}" for i, p in programs.items()}
        history, _ = await list_history(sql, resident.id, 10, None)
        body = (
            f"<h1>{escape(text('me.title'))}</h1>"
            f'<p class="muted">{escape(text("me.hello", my_key_id=resident.my_key_id))}</p>'
            + _balances(text, balances, names)
            + _reserved(text, await list_reserved(sql, resident.id, now), now)
            + self._vouchers(text, vouchers)
            + _history(text, history)
            + SIGN_OUT.format(label=escape(text("nav.signout")))
        )
        return page(text, text("me.title"), body)

    def _vouchers(self, text: Text, vouchers: list[VoucherView]) -> str:
        items = []
        for v in vouchers:
            token = self.key.token(v.serial, v.face_value, v.program_id, v.expires_at)
            status = text("status." + v.status)
            link = f'<a href="/v/{token}">{escape(spoken(v.serial))}</a>'
            items.append(f"<li>{link} {text.points(v.face_value)} — {status}</li>")
        return _section(text, "me.vouchers", items, "me.no_vouchers")


SIGN_OUT = (
    '<form method="post" action="/signout"><input type="hidden" name="csrf" value="">'
    '<button type="submit">{label}</button></form>'
    "<script>document.forms[0].csrf.value=(document.cookie.match(/mykey_csrf=([^;]+)/)||[])[1]||''</script>"
)


def _section(text: Text, title: str, items: list[str], empty: str) -> str:
    listing = f'<ul class="plain">{"".join(items)}</ul>' if items else f"<p>{escape(text(empty))}</p>"
    return f"<h2>{escape(text(title))}</h2>{listing}"


def _balances(text: Text, balances: list[Balance], names: dict[int, str]) -> str:
    cards = []
    for b in balances:
        soon = ""
        if b.next_expiry_at is not None:
            day = text.day(b.next_expiry_at - LAST_MOMENT)
            soon = text(
                "me.expires", points=text.points(b.points), soonest=text.points(b.next_expiry_points), day=day
            )
        cards.append(
            f'<div class="card"><p>{escape(names[b.program_id])}</p>'
            f'<p class="balance">{text.points(b.points)}</p><p class="muted">{escape(soon)}</p></div>'
        )
    body = "".join(cards) or f"<p>{escape(text('me.no_points'))}</p>"
    return f"<h2>{escape(text('me.balances'))}</h2>{body}"


def _reserved(text: Text, lots: list[ReservedLot], now: datetime) -> str:
    if not lots:
        return ""
    items = [
        "<li>"
        + escape(text("me.reserved_lot", points=text.points(lot.points), days=_days(lot.auto_move_at, now)))
        + "</li>"
        for lot in lots
    ]
    total = text.points(sum(lot.points for lot in lots))
    return (
        f'<h2>{escape(text("me.reserved"))}</h2><p class="balance">{total}</p>'
        f'<p class="muted">{escape(text("me.reserved_help"))}</p><ul class="plain">{"".join(items)}</ul>'
    )


def _days(when: datetime, now: datetime) -> int:
    return (japan_date(when) - japan_date(now)).days


def _history(text: Text, movements: list[Movement]) -> str:
    items = []
    for m in movements:
        sign = "+" if m.points > 0 else "−"
        items.append(
            f"<li>{text.day(m.created_at)} {sign}{text.points(abs(m.points))} {escape(m.counterpart)}</li>"
        )
    return _section(text, "me.history", items, "me.no_history")
