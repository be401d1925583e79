"""The resident's pages: sign in with MyKey ID and password, and My Page (balances, reserved
points with the days left, vouchers, history). Server-rendered, readable before any script loads.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
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
from domain.links.actions import (
    CUSTOMER_ID,
    LinkView,
    ServiceView,
    link_service,
    list_links,
    list_services,
    unlink_service,
)
from domain.municipalities.queries import MunicipalityView, list_municipalities, list_municipalities_by_id
from domain.numbers import ascii_int
from domain.points.exchanges import redeem_coupon
from domain.points.queries import Balance, Movement, ReservedLot, list_balances, list_history, list_reserved
from domain.points.reserved import home_program, move_reserved_home
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
from domain.shops.listing import count_places_by_program
from domain.sql import Sql, reader
from domain.vouchers.actions import issue_voucher
from domain.vouchers.queries import VoucherView, list_vouchers_by_resident
from domain.vouchers.tokens import VoucherKey, spoken
from schema.sessions import clear_session_cookies, set_session_cookies
from web.assets import script
from web.components import Tone, badge, banner, button, field, link_button
from web.cookies import CSRF_FIELD, FILL_CSRF, posted_from_here, signed_in
from web.i18n import Blank, Text, catalogue, language, refusal_key
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


def _next(value: str) -> str:
    """Where to go after signing in: back to the exchange widget's consent, else My Page."""
    return value if value.startswith("/oauth/authorize?") and "\n" not in value else ""


def _signin_form(text: Text, error: str = "", next_url: str = "") -> str:
    failed = banner("error", error) if error else ""
    hidden = f'<input type="hidden" name="next" value="{escape(next_url)}">' if next_url else ""
    return (
        f"<h1>{escape(text('signin.title'))}</h1><p>{escape(text('signin.lead'))}</p>{failed}"
        + _card_form(text)
        + ""
        f'<form method="post" action="/signin?lang={text.lang}">{hidden}'
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
            return page(
                text,
                text("signin.title"),
                _signin_form(text, next_url=_next(request.query_params.get("next", ""))),
            )
        form = await request.form()
        next_url = _next(str(form.get("next", "")))
        address = request.client.host if request.client else "unknown"
        try:
            done = await login_with_password(
                str(form.get("myKeyId", "")), str(form.get("password", "")), self.clock.now(), address
            )
        except DomainError as error:
            reason = text("signin.failed", reason=text.error(error))
            return page(text, text("signin.title"), _signin_form(text, reason, next_url), status=401)
        response = RedirectResponse(next_url or f"/me?lang={text.lang}", status_code=303)
        set_session_cookies(response, done.session, self.clock.now(), self.secure_cookies)
        return response

    async def session_actor(self, request: Request) -> SessionActor | None:
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

    async def checked_form(self, request: Request) -> tuple[SessionActor, dict[str, str]] | None:
        found = await self.session_actor(request)
        form = {k: str(v) for k, v in (await request.form()).items()}
        if found is None or not same(form.get("csrf", ""), found.csrf_hash):
            return None
        return found, form

    async def move(self, request: Request) -> Response:
        """One tap: all reserved points to the basic municipality's regular program (a card session)."""
        text = Text(language(request))
        checked = await self.checked_form(request)
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
        self,
        request: Request,
        act: Callable[[SessionActor, dict[str, str], Text], Awaitable["Notice"]],
        done_to: str = "/me/settings",
    ) -> Response:
        """Run a settings form's action (CSRF checked) and come back with what happened: to
        ``done_to`` when it worked, to the settings page when it was refused."""
        text = Text(language(request))
        checked = await self.checked_form(request)
        if checked is None:
            return RedirectResponse(f"/signin?lang={text.lang}", status_code=303)
        try:
            notice = replace(await act(checked[0], checked[1], text), to=done_to)
        except DomainError as error:
            notice = Notice.refusal(error, to="/me/settings")
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
            return Notice("me.linked")

        return await self._act(request, act, done_to="/me")

    async def unlink(self, request: Request) -> Response:
        """``POST /me/links/remove``: the resident takes a link back (a partner's consent ends with it)."""

        async def act(found: SessionActor, form: dict[str, str], text: Text) -> Notice:
            await unlink_service(found.actor, form.get("serviceCode", ""))
            return Notice("me.unlinked")

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
        checked = await self.checked_form(request)
        if checked is None:
            return RedirectResponse(f"/signin?lang={text.lang}", status_code=303)
        found, form = checked
        program, value = form.get("programId", ""), form.get("quick") or form.get("faceValue", "")
        program_id, face_value = ascii_int(program), ascii_int(value)
        try:
            if program_id is None or face_value is None:
                raise DomainError(
                    ErrorCode.INVALID_INPUT, "Give the voucher's value.", "faceValue", "voucher.value"
                )
            voucher = await issue_voucher(found.actor, program_id, face_value, self.clock.now())
        except DomainError as error:
            kept = replace(Notice.refusal(error), program=program_id, amount=face_value)
            return kept.redirect(text)
        token = self.key.token(voucher.serial, voucher.face_value, voucher.program_id, voucher.expires_at)
        return RedirectResponse(f"/v/{token}", status_code=303)

    async def program_names(self, sql: Sql, program_ids: list[int]) -> dict[int, str]:
        programs = await list_programs_by_id(sql, program_ids)
        towns = await list_municipalities_by_id(sql, sorted({p.municipality_id for p in programs.values()}))
        return {i: f"{towns[p.municipality_id].name} {p.name}" for i, p in programs.items()}

    async def me(self, request: Request) -> Response:
        """One large balance, one main action (move reserved points home while there are any, else
        make a voucher), vouchers and history; settings and rare actions on their own page."""
        text = Text(language(request))
        found = await self.session_actor(request)
        if found is None:
            return RedirectResponse(f"/signin?lang={text.lang}", status_code=303)
        resident = await access_resident_by_actor(found.actor)
        now, sql = self.clock.now(), reader()
        balances = await list_balances(sql, resident.id, now)
        vouchers = await list_vouchers_by_resident(sql, resident.id)
        names = await self.program_names(
            sql, [b.program_id for b in balances] + [v.program_id for v in vouchers]
        )
        history, _ = await list_history(sql, resident.id, 10, None)
        reserved = await list_reserved(sql, resident.id, now)
        home = await home_program(sql, resident.id)
        home_name = None if home is None else (await self.program_names(sql, [home.id])).get(home.id)
        notice = Notice.from_query(request)
        figures = (
            _balances(
                text, balances, names, await count_places_by_program(sql, [b.program_id for b in balances])
            )
            + _reserved(text, reserved, now, home_name)
            + _voucher_form(text, balances, names, notice, primary=not reserved)
            + self._vouchers(text, vouchers)
            + _history(text, history)
        )
        body = (
            f"<h1>{escape(text('me.title'))}</h1>"
            f'<p class="muted">{escape(text("me.hello", my_key_id=resident.my_key_id))}</p>'
            + f'<div id="live" aria-live="polite" data-arrived="{escape(text.raw("me.arrived"))}"'
            f' data-left="{escape(text.raw("me.left"))}"></div>'
            + ("" if notice is None else notice.html(text, names))
            + f'<div id="figures">{figures}</div>'
            + link_button(f"/me/online?lang={text.lang}", text("online.title"), "secondary")
            + link_button(f"/me/settings?lang={text.lang}", text("me.more"), "secondary")
            + SIGN_OUT.format(label=escape(text("nav.signout")))
            + script("live.js")
        )
        return page(text, text("me.title"), body)

    async def settings_page(self, request: Request) -> Response:
        """``GET /me/settings``: coupons, service IDs, e-mail and town, password."""
        text = Text(language(request))
        found = await self.session_actor(request)
        if found is None:
            return RedirectResponse(f"/signin?lang={text.lang}", status_code=303)
        resident = await access_resident_by_actor(found.actor)
        now, sql = self.clock.now(), reader()
        notice = Notice.from_query(request)
        body = (
            f"<h1>{escape(text('me.more'))}</h1>"
            + ("" if notice is None else notice.html(text, {}))
            + _coupon_form(text)
            + _links(
                text,
                await list_links(sql, resident.id, now),
                await list_services(sql),
                request.query_params.get("link", ""),
                request.query_params.get("customer", ""),
            )
            + _settings(text, resident, await list_municipalities(sql, first=2000))
            + _password_form(text)
            + link_button(f"/me?lang={text.lang}", text("nav.mypage"), "tertiary")
            + FILL_CSRF  # every form above posts the session's CSRF token
        )
        return page(text, text("me.more"), body)

    def _vouchers(self, text: Text, vouchers: list[VoucherView]) -> str:
        items = []
        for v in vouchers:
            token = self.key.token(v.serial, v.face_value, v.program_id, v.expires_at)
            tone: Tone = "success" if v.status == "ISSUED" else "info"
            link = f'<a href="/v/{token}">{text.points(v.face_value)} {escape(spoken(v.serial))}</a>'
            items.append(f"<li>{link} {badge(tone, text('status.' + v.status))}</li>")
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


def _balances(text: Text, balances: list[Balance], names: dict[int, str], places: dict[int, int]) -> str:
    """The points usable now in one large figure, then each program with its next expiry and a link
    to the shops that take it ("where can I use these?")."""
    total = sum(b.points for b in balances)
    cards = []
    for b in balances:
        soon = ""
        if b.next_expiry_at is not None:
            day = text.day(b.next_expiry_at - LAST_MOMENT)
            soon = text(
                "me.expires", points=text.points(b.points), soonest=text.points(b.next_expiry_points), day=day
            )
        count = places.get(b.program_id, 0)
        where = (
            f'<a class="where" href="/shops?program={b.program_id}&amp;lang={text.lang}">'
            f"{escape(text('me.where', n=f'{count:,}'))}</a>"
            if count
            else f'<span class="where muted small">{escape(text("me.where_none"))}</span>'
        )
        cards.append(
            f'<li class="card"><span>{escape(names[b.program_id])}</span>'
            f'<span class="amount">{text.points(b.points)}</span>'
            f'<span class="muted small">{escape(soon)}</span>{where}</li>'
        )
    listing = (
        f'<ul class="plain programs">{"".join(cards)}</ul>'
        if cards
        else f"<p>{escape(text('me.no_points'))}</p>"
    )
    return (
        f'<section aria-labelledby="balance-title"><h2 id="balance-title">{escape(text("me.balances"))}</h2>'
        f'<p class="big-number" id="total">{text.points(total)}</p>{listing}</section>'
    )


@dataclass(frozen=True)
class Notice:
    """What My Page says after a form: a message key and numbers, never text from the link (a link
    could otherwise make My Page say anything)."""

    key: str
    points: int | None = None
    program: int | None = None
    amount: int | None = None  # what the resident asked for, kept after a refusal
    to: str = "/me"

    KEYS = frozenset(
        {
            "me.move_done",
            "me.coupon_done",
            "me.saved",
            "me.need_card",
            "me.voucher_done",
            "me.linked",
            "me.unlinked",
            "me.event_move_done",
            "me.donate_done",
            "me.order_done",
        }
    )

    @classmethod
    def refusal(cls, error: DomainError, to: str = "/me") -> "Notice":
        """The refusal's own message, as precise as the catalogue has it (its rule, else its field,
        else its code); "use your card" only where the card is what is missing (a password session
        refused what a card session may do), not for every FORBIDDEN."""
        if isinstance(error, Refused) and error.card_would_do:
            return cls("me.need_card", to=to)
        available = ascii_int(error.details.get("available", ""))
        return cls(refusal_key(error), points=available, to=to)

    def redirect(self, text: Text) -> RedirectResponse:
        query = {
            "lang": text.lang,
            "notice": self.key,
            "points": self.points,
            "program": self.program,
            "amount": self.amount,
        }
        return RedirectResponse(
            f"{self.to}?" + urlencode({k: v for k, v in query.items() if v is not None}), status_code=303
        )

    @classmethod
    def from_query(cls, request: Request) -> "Notice | None":
        key = request.query_params.get("notice", "")
        known = key in cls.KEYS or (
            key.startswith("error.") and key.split(".")[1] in ErrorCode.__members__ and key in catalogue("ja")
        )
        if not known:
            return None
        points = ascii_int(request.query_params.get("points", ""))
        program = ascii_int(request.query_params.get("program", ""))
        amount = ascii_int(request.query_params.get("amount", ""))
        return cls(key, points, program, amount)

    def html(self, text: Text, names: dict[int, str]) -> str:
        values: dict[str, object] = {"points": text.points(self.points or 0)}
        values["available"] = values["points"]
        values["program"] = names.get(self.program or 0, text("me.your_program"))
        values["order"] = f"#{self.amount or 0}"
        message = str(catalogue(text.lang)[self.key]).format_map(
            Blank({k: str(v) for k, v in values.items()})
        )
        return banner(
            "error" if self.key.startswith("error.") or self.key == "me.need_card" else "success", message
        )


QUICK_AMOUNTS = (500, 1_000, 3_000)


def _voucher_form(
    text: Text, balances: list[Balance], names: dict[int, str], notice: "Notice | None", primary: bool
) -> str:
    """A voucher from one program: its usable points shown beside it, the amount kept after a
    refusal, and quick amounts that make the voucher in one tap."""
    if not balances:
        return ""
    chosen = None if notice is None else notice.program
    options = "".join(
        f'<option value="{b.program_id}"{" selected" if b.program_id == chosen else ""}>'
        + escape(text("me.program_option", program=names[b.program_id], points=text.points(b.points)))
        + "</option>"
        for b in balances
    )
    amount = "" if notice is None or notice.amount is None else str(notice.amount)
    most = max(b.points for b in balances)
    quick = "".join(
        f'<button type="submit" name="quick" value="{n}" class="btn btn-secondary quick" formnovalidate>'
        f"{text.points(n)}</button>"
        for n in QUICK_AMOUNTS
        if n <= most
    )
    return (
        f'<section id="issue"><h2>{escape(text("me.issue"))}</h2>'
        f'<form method="post" action="/me/vouchers?lang={text.lang}">{CSRF_FIELD}'
        f'<div class="field"><label for="program">{escape(text("me.program"))}</label>'
        f'<select id="program" name="programId">{options}</select></div>'
        + field(
            "face",
            text("me.face_value"),
            name="faceValue",
            kind="number",
            value=amount,
            attrs=' inputmode="numeric" min="1" required',
        )
        + button(text("me.issue"), "primary" if primary else "secondary", attrs=' id="issue-submit"')
        + (
            f'<p class="hint">{escape(text("me.quick"))}</p><div class="quick-row">{quick}</div>'
            if quick
            else ""
        )
        + "</form></section>"
    )


def _reserved(text: Text, lots: list[ReservedLot], now: datetime, home: str | None) -> str:
    """Reserved points with the days left, and the one tap that moves them home (named)."""
    if not lots:
        return ""
    soonest = min(_days(lot.auto_move_at, now) for lot in lots)
    total = text.points(sum(lot.points for lot in lots))
    where = home or text("me.home_none")
    move = (
        f'<form method="post" action="/me/move?lang={text.lang}">{CSRF_FIELD}'
        + button(text("me.move", points=total, town=where))
        + "</form>"
    )
    return (
        f'<section><h2>{escape(text("me.reserved"))}</h2><p class="big-number">{total}</p>'
        f"<p>{escape(text('me.reserved_days', days=soonest, town=where))}</p>"
        f'<p class="muted">{escape(text("me.reserved_help"))}</p>{move}</section>'
    )


def _days(when: datetime, now: datetime) -> int:
    return (japan_date(when) - japan_date(now)).days


def _history(text: Text, movements: list[Movement]) -> str:
    """One line per movement: the day, who was on the other side, the points signed and right-aligned."""
    items = []
    for m in movements:
        sign = "+" if m.points > 0 else "−"
        tone = "in" if m.points > 0 else "out"
        items.append(
            f'<li class="movement"><span class="when">{escape(text.short_day(m.created_at))}</span>'
            f'<span class="what">{escape(m.counterpart)}</span>'
            f'<span class="amount {tone}">{sign}{text.points(abs(m.points))}</span></li>'
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


def _links(
    text: Text, links: list[LinkView], services: list[ServiceView], asked: str = "", customer: str = ""
) -> str:
    """The resident's linked numbers, each with its removal, and the form to link one. A partner's
    page may send the resident here with its service and their customer number filled in
    (``?link=PT1&customer=…``): the resident still decides, with one tap."""
    items = [
        f"<li>{escape(link.service_name)}: {escape(link.customer_id)}"
        f'<form method="post" action="/me/links/remove?lang={text.lang}">{CSRF_FIELD}'
        f'<input type="hidden" name="serviceCode" value="{escape(link.service_code)}">'
        + button(text("me.unlink", service=link.service_name), "tertiary")
        + "</form></li>"
        for link in links
    ]
    chosen = next((s for s in services if s.code == asked), None)
    number = customer if chosen is not None and CUSTOMER_ID.fullmatch(customer) else ""
    options = "".join(
        f'<option value="{escape(s.code)}"{" selected" if s is chosen else ""}>{escape(s.name)}</option>'
        for s in services
    )
    ask = ""
    if chosen is not None and number:
        ask = banner("info", text("me.link_ask", service=chosen.name, customer=number), live=False)
    value = f' value="{escape(number)}"' if number else ""
    form = (
        f'<form method="post" action="/me/links?lang={text.lang}" id="links">{CSRF_FIELD}'
        f'<label for="service">{escape(text("me.link_service"))}</label>'
        '<select id="service" name="serviceCode">'
        f'{options}</select><label for="customer">{escape(text("me.link_customer"))}</label>'
        f'<input id="customer" name="customerId" autocomplete="off" required{value}>'
        f'<button type="submit">{escape(text("me.link_add"))}</button></form>'
    )
    return _section(text, "me.links", items, "me.no_links") + ask + form


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
