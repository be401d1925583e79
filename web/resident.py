"""The resident's pages: sign in with MyKey ID and password, and My Page (balances, reserved
points with the days left, vouchers, history). Server-rendered, readable before any script loads.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.auth.permissions import Permission, Refused
from domain.auth.sessions import SessionActor
from domain.auth.tokens import same
from domain.clock import Clock, japan_date
from domain.errors import DomainError, ErrorCode
from domain.links.actions import LinkView, ServiceView, link_service, list_links, list_services
from domain.municipalities.queries import MunicipalityView, list_municipalities, list_municipalities_by_id
from domain.numbers import ascii_int
from domain.points.exchanges import redeem_coupon
from domain.points.queries import Balance, Movement, ReservedLot, list_balances, list_history, list_reserved
from domain.points.reserved import move_reserved_home
from domain.programs.queries import list_programs_by_id
from domain.residents.access import access_resident_by_actor
from domain.residents.actions import (
    SettingsInput,
    change_password,
    log_out,
    login_with_password,
    update_settings,
)
from domain.residents.queries import ResidentView
from domain.sql import reader
from domain.vouchers.actions import issue_voucher
from domain.vouchers.queries import VoucherView, list_vouchers_by_resident
from domain.vouchers.tokens import VoucherKey, spoken
from schema.sessions import clear_session_cookies, set_session_cookies
from web.assets import script
from web.cookies import CSRF_FIELD, FILL_CSRF, posted_from_here, signed_in
from web.i18n import Text, language
from web.layout import page
from web.notifications import notifications_from_form, ticked

LAST_MOMENT = timedelta(microseconds=1)  # points expiring at 00:00 JST are usable through the day before


def _card_form(text: Text) -> str:
    return (
        f"<h2>{escape(text('signin.card'))}</h2><p>{escape(text('signin.card_help'))}</p>"
        f'<label for="card">{escape(text("signin.card_file"))}</label>'
        '<input id="card" type="file" accept=".pem,application/x-pem-file">'
        f'<p id="card-status" role="status" data-working="{escape(text("signin.card_working"))}"'
        f' data-bad-card="{escape(text("signin.card_bad"))}"></p>'
        + script("card.js")
        + f"<h2>{escape(text('signin.or_password'))}</h2>"
    )


def _signin_form(text: Text, error: str = "") -> str:
    failed = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return (
        f"<h1>{escape(text('signin.title'))}</h1><p>{escape(text('signin.lead'))}</p>{failed}"
        + _card_form(text)
        + ""
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
            reason = text("signin.failed", reason=text.error(error))
            return page(text, text("signin.title"), _signin_form(text, reason), status=401)
        response = RedirectResponse(f"/me?lang={text.lang}", status_code=303)
        set_session_cookies(response, done.session, self.clock.now(), self.secure_cookies)
        return response

    async def _actor(self, request: Request) -> SessionActor | None:
        """The resident signed in with this browser (another role's session is not a resident's)."""
        return await signed_in(request, self.clock.now(), Permission.RESIDENT)

    async def signout(self, request: Request) -> Response:
        """End the session itself, not only the cookie. The CSRF field proves the form is ours; so does
        a browser's own word that the form came from this site (a page whose script did not run)."""
        found = await signed_in(request, self.clock.now(), Permission.SIGNED_IN)  # any session signs out here
        form = await request.form()
        if found is not None:
            if not (same(str(form.get("csrf", "")), found.csrf_hash) or posted_from_here(request)):
                text = Text(language(request))
                return page(text, text("signout.title"), _signout_form(text), status=403)
            await log_out(found.actor, self.clock.now())
        response = RedirectResponse("/signin", status_code=303)
        clear_session_cookies(response)
        return response

    async def _checked(self, request: Request) -> tuple[SessionActor, dict[str, str]] | None:
        found = await self._actor(request)
        form = {k: str(v) for k, v in (await request.form()).items()}
        if found is None or not same(form.get("csrf", ""), found.csrf_hash):
            return None
        return found, form

    async def move(self, request: Request) -> Response:
        """One tap: all reserved points to the basic municipality's regular program (a card session)."""
        text = Text(language(request))
        checked = await self._checked(request)
        if checked is None:
            return RedirectResponse(f"/signin?lang={text.lang}", status_code=303)
        found, _ = checked
        try:
            moved = await move_reserved_home(found.actor, self.clock.now())
            notice = Notice("me.move_done", moved.points + moved.premium, moved.program.id)
        except DomainError as error:
            notice = Notice.refusal(error)
        return notice.redirect(text)

    async def _act(
        self, request: Request, act: Callable[[SessionActor, dict[str, str], Text], Awaitable["Notice"]]
    ) -> Response:
        """Run a My Page form's action (CSRF checked) and come back to My Page with what happened."""
        text = Text(language(request))
        checked = await self._checked(request)
        if checked is None:
            return RedirectResponse(f"/signin?lang={text.lang}", status_code=303)
        try:
            notice = await act(checked[0], checked[1], text)
        except DomainError as error:
            notice = Notice.refusal(error)
        return notice.redirect(text)

    async def coupon(self, request: Request) -> Response:
        async def act(found: SessionActor, form: dict[str, str], text: Text) -> Notice:
            address = request.client.host if request.client else "unknown"
            done = await redeem_coupon(found.actor, form.get("code", ""), self.clock.now(), address)
            return Notice("me.coupon_done", done.points)

        return await self._act(request, act)

    async def link(self, request: Request) -> Response:
        async def act(found: SessionActor, form: dict[str, str], text: Text) -> Notice:
            await link_service(
                found.actor, form.get("serviceCode", ""), form.get("customerId", ""), None, self.clock.now()
            )
            return Notice("me.saved")

        return await self._act(request, act)

    async def settings(self, request: Request) -> Response:
        async def act(found: SessionActor, form: dict[str, str], text: Text) -> Notice:
            notifications = notifications_from_form(form)
            email = form.get("email") or None
            await update_settings(
                found.actor, SettingsInput(email, email, notifications, form.get("basic") or None)
            )
            return Notice("me.saved")

        return await self._act(request, act)

    async def password(self, request: Request) -> Response:
        async def act(found: SessionActor, form: dict[str, str], text: Text) -> Notice:
            await change_password(
                found.actor,
                form.get("current", ""),
                form.get("new", ""),
                form.get("new2", ""),
                self.clock.now(),
            )
            return Notice("me.saved")

        return await self._act(request, act)

    async def issue(self, request: Request) -> Response:
        text = Text(language(request))
        checked = await self._checked(request)
        if checked is None:
            return RedirectResponse(f"/signin?lang={text.lang}", status_code=303)
        found, form = checked
        program, value = form.get("programId", ""), form.get("faceValue", "")
        try:
            program_id, face_value = ascii_int(program), ascii_int(value)
            if program_id is None or face_value is None:
                raise DomainError(ErrorCode.INVALID_INPUT, text("me.face_value"))
            voucher = await issue_voucher(found.actor, program_id, face_value, self.clock.now())
        except DomainError as error:
            return Notice.refusal(error).redirect(text)
        token = self.key.token(voucher.serial, voucher.face_value, voucher.program_id, voucher.expires_at)
        return RedirectResponse(f"/v/{token}", status_code=303)

    async def me(self, request: Request) -> Response:
        text = Text(language(request))
        found = await self._actor(request)
        if found is None:
            return RedirectResponse(f"/signin?lang={text.lang}", status_code=303)
        resident = await access_resident_by_actor(found.actor)
        now, sql = self.clock.now(), reader()
        balances = await list_balances(sql, resident.id, now)
        vouchers = await list_vouchers_by_resident(sql, resident.id)
        programs = await list_programs_by_id(
            sql, [b.program_id for b in balances] + [v.program_id for v in vouchers]
        )
        towns = await list_municipalities_by_id(sql, sorted({p.municipality_id for p in programs.values()}))
        names = {i: f"{towns[p.municipality_id].name} {p.name}" for i, p in programs.items()}
        history, _ = await list_history(sql, resident.id, 10, None)
        body = (
            f"<h1>{escape(text('me.title'))}</h1>"
            f'<p class="muted">{escape(text("me.hello", my_key_id=resident.my_key_id))}</p>'
            + _notice(request, text, names)
            + _balances(text, balances, names)
            + _reserved(text, await list_reserved(sql, resident.id, now), now)
            + _voucher_form(text, balances, names)
            + self._vouchers(text, vouchers)
            + _history(text, history)
            + _coupon_form(text)
            + _links(text, await list_links(sql, resident.id, now), await list_services(sql))
            + _settings(text, resident, await list_municipalities(sql, first=2000))
            + _password_form(text)
            + SIGN_OUT.format(label=escape(text("nav.signout")))
            + script("live.js")
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


def _signout_form(text: Text) -> str:
    return f"<p>{escape(text('signout.confirm'))}</p>" + SIGN_OUT.format(label=escape(text("nav.signout")))


SIGN_OUT = (
    '<form method="post" action="/signout">'
    + CSRF_FIELD
    + '<button type="submit">{label}</button></form>'
    + FILL_CSRF
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


@dataclass(frozen=True)
class Notice:
    """What My Page says after a form: a message key and numbers, never text from the link (a link
    could otherwise make My Page say anything)."""

    key: str
    points: int | None = None
    program: int | None = None

    KEYS = frozenset({"me.move_done", "me.coupon_done", "me.saved", "me.need_card"})

    @classmethod
    def refusal(cls, error: DomainError) -> "Notice":
        """The refusal's own message; "use your card" only where the card is what is missing (a
        password session refused what a card session may do), not for every FORBIDDEN."""
        needs_card = isinstance(error, Refused) and error.card_would_do
        return cls("me.need_card" if needs_card else f"error.{error.code.value}")

    def redirect(self, text: Text) -> RedirectResponse:
        query = {"lang": text.lang, "notice": self.key, "points": self.points, "program": self.program}
        return RedirectResponse(
            "/me?" + urlencode({k: v for k, v in query.items() if v is not None}), status_code=303
        )

    @classmethod
    def from_query(cls, request: Request) -> "Notice | None":
        key = request.query_params.get("notice", "")
        known = key in cls.KEYS or (key.startswith("error.") and key[6:] in ErrorCode.__members__)
        if not known:
            return None
        points = ascii_int(request.query_params.get("points", ""))
        program = ascii_int(request.query_params.get("program", ""))
        return cls(key, points, program)

    def html(self, text: Text, names: dict[int, str]) -> str:
        values: dict[str, object] = {"points": text.points(self.points or 0)}
        values["program"] = names.get(self.program or 0, text("me.your_program"))
        return f'<p class="card" role="status">{escape(text(self.key, **values))}</p>'


def _notice(request: Request, text: Text, names: dict[int, str]) -> str:
    notice = Notice.from_query(request)
    return "" if notice is None else notice.html(text, names)


def _voucher_form(text: Text, balances: list[Balance], names: dict[int, str]) -> str:
    if not balances:
        return ""
    options = "".join(
        f'<option value="{b.program_id}">{escape(names[b.program_id])}</option>' for b in balances
    )
    return (
        f"<h2>{escape(text('me.issue'))}</h2>"
        f'<form method="post" action="/me/vouchers?lang={text.lang}">{CSRF_FIELD}'
        f'<label for="program">{escape(text("me.program"))}</label>'
        f'<select id="program" name="programId">{options}</select>'
        f'<label for="face">{escape(text("me.face_value"))}</label>'
        '<input id="face" name="faceValue" type="number" inputmode="numeric" min="1" required>'
        f'<button type="submit">{escape(text("me.issue"))}</button></form>'
    )


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
    move = (
        f'<form method="post" action="/me/move?lang={text.lang}">{CSRF_FIELD}'
        f'<button type="submit">{escape(text("me.move", points=total))}</button></form>'
    )
    return (
        f'<h2>{escape(text("me.reserved"))}</h2><p class="balance">{total}</p>'
        f'<p class="muted">{escape(text("me.reserved_help"))}</p>'
        f'<ul class="plain">{"".join(items)}</ul>{move}'
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


def _coupon_form(text: Text) -> str:
    return (
        f"<h2>{escape(text('me.coupon'))}</h2>"
        f'<form method="post" action="/me/coupon?lang={text.lang}">{CSRF_FIELD}'
        f'<label for="coupon">{escape(text("me.coupon_code"))}</label>'
        '<input id="coupon" name="code" autocapitalize="characters" autocomplete="off" required>'
        f'<button type="submit">{escape(text("me.coupon"))}</button></form>'
    )


def _links(text: Text, links: list[LinkView], services: list[ServiceView]) -> str:
    items = [f"<li>{escape(link.service_name)}: {escape(link.customer_id)}</li>" for link in links]
    options = "".join(f'<option value="{escape(s.code)}">{escape(s.name)}</option>' for s in services)
    form = (
        f'<form method="post" action="/me/links?lang={text.lang}">{CSRF_FIELD}'
        f'<label for="service">{escape(text("me.link_service"))}</label>'
        '<select id="service" name="serviceCode">'
        f'{options}</select><label for="customer">{escape(text("me.link_customer"))}</label>'
        '<input id="customer" name="customerId" autocomplete="off" required>'
        f'<button type="submit">{escape(text("me.link_add"))}</button></form>'
    )
    return _section(text, "me.links", items, "me.no_links") + form


def _settings(text: Text, resident: ResidentView, towns: list[MunicipalityView]) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" class="check" name="{name}"{" checked" if on else ""}>'
        f" {escape(text(key))}</label>"
        for name, key, on in ticked(resident.notifications)
    )
    options = "".join(
        f'<option value="{m.code}"{" selected" if m.id == resident.basic_municipality_id else ""}>'
        f"{escape(m.prefecture)} {escape(m.name)}</option>"
        for m in towns
    )
    return (
        f"<h2>{escape(text('me.settings'))}</h2>"
        f'<form method="post" action="/me/settings?lang={text.lang}">{CSRF_FIELD}'
        f'<label for="email">{escape(text("register.email"))}</label>'
        f'<input id="email" name="email" type="email" value="{escape(resident.email or "")}">'
        f"<p>{escape(text('register.notify'))}</p>{boxes}"
        f'<label for="basic">{escape(text("register.basic"))}</label>'
        f'<select id="basic" name="basic">{options}</select>'
        f'<button type="submit">{escape(text("me.settings_save"))}</button></form>'
    )


def _password_form(text: Text) -> str:
    fields = [
        ("current", "me.password_current", "current-password"),
        ("new", "me.password_new", "new-password"),
        ("new2", "me.password_new2", "new-password"),
    ]
    inputs = "".join(
        f'<label for="pw-{name}">{escape(text(key))}</label>'
        f'<input id="pw-{name}" name="{name}" type="password" autocomplete="{auto}" required>'
        for name, key, auto in fields
    )
    return (
        f"<h2>{escape(text('me.password'))}</h2>"
        f'<form method="post" action="/me/password?lang={text.lang}">{CSRF_FIELD}{inputs}'
        f'<button type="submit">{escape(text("me.password"))}</button></form>'
    )
