"""The console's set-up pages: programs and support events (with their premium campaigns and donor
lists), staff and departments, suspension requests, and the audit log.

Each page asks the same domain functions as the GraphQL operations, so the access layer decides who
sees what; each form posts back with the CSRF token, is confirmed where it cannot be undone, and
says what it did in a banner (a message key from our own list, never text from the request).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.audit.log import list_audit
from domain.auth.sessions import SessionActor
from domain.clock import JST
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import MunicipalityView
from domain.numbers import ascii_int
from domain.points.queries import list_event_gifts
from domain.programs.actions import (
    ProgramInput,
    add_department,
    add_premium_campaign,
    add_program,
    end_premium_campaign,
    update_program,
)
from domain.programs.queries import (
    ProgramView,
    list_campaigns,
    list_departments,
    list_programs_by_municipality,
)
from domain.programs.rules import ProgramUse
from domain.residents.actions import suspend_on_request
from domain.shops.actions import list_shops
from domain.sql import reader
from domain.staff.actions import StaffInput, add_staff, deactivate_staff, list_staff
from models.programs import ProgramKind, SupportEventMode
from models.staff import StaffRole
from web.components import button, confirm_box, data_table, field, link_button, select
from web.console import ConsolePages, _said, _sign_out, desk_head
from web.cookies import CSRF_FIELD, FILL_CSRF
from web.i18n import Text, catalogue, language, refusal_key
from web.layout import page

Act = Callable[[SessionActor, MunicipalityView, dict[str, str]], Awaitable[str]]


def _form(text: Text, action: str, town: MunicipalityView, body: str) -> str:
    return (
        f'<form method="post" action="{escape(action)}?lang={text.lang}">'
        f'<input type="hidden" name="m" value="{escape(town.code)}">{CSRF_FIELD}{body}</form>{FILL_CSRF}'
    )


def _when(text: Text, instant: datetime | None) -> str:
    if instant is None:
        return "-"
    return f"{instant.astimezone(JST):%Y-%m-%d %H:%M}"


def _local_instant(value: str, field_name: str) -> datetime:
    """A ``datetime-local`` field, read as Japan time."""
    try:
        return datetime.fromisoformat(value.strip()).replace(tzinfo=JST)
    except ValueError as exc:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give a date and time.", field_name) from exc


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError as exc:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give a date as YYYY-MM-DD.", "startsOn") from exc


@dataclass(frozen=True)
class Desk:
    """What every set-up page shares: who is asking, and the post-act-redirect of its forms."""

    pages: ConsolePages
    path: str
    admin: bool = True

    async def _open(self, request: Request) -> tuple[Text, SessionActor, MunicipalityView] | Response:
        text = Text(language(request))
        officer = await self.pages.officer(request, self.admin)
        if officer is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        return text, officer[0], officer[1]

    async def _act(self, request: Request, act: Act, **back: str) -> Response:
        text = Text(language(request))
        posted = await self.pages.posted(request, self.admin)
        if posted is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        found, town, form = posted
        try:
            said = await act(found, town, form)
        except DomainError as error:
            said = refusal_key(error)
        query = urlencode({"lang": text.lang, "m": town.code, "said": said} | back)
        return RedirectResponse(f"{self.path}?{query}", status_code=303)

    def _page(
        self, text: Text, found: SessionActor, town: MunicipalityView, request: Request, key: str, body: str
    ) -> Response:
        head = desk_head(text, town, found, self.path, text(key)) + _said(request, text)
        return page(text, text(key), head + body + _sign_out(text))


USES = [u.value for u in ProgramUse]


def _uses(program: ProgramView | None, use: str) -> bool:
    return use == "SHOPS" if program is None else ProgramUse(use) in program.uses


def _program_form(text: Text, program: ProgramView | None) -> str:
    """The fields of a program: empty to add one, filled to edit one (its kind never changes)."""
    p = program
    kinds = [(k.value, text(f"console.kind_program_{k.value}")) for k in ProgramKind]
    modes = [
        (m.value, text(f"console.mode_{m.value}")) for m in (SupportEventMode.DONATION, SupportEventMode.HELD)
    ]
    uses = "".join(
        f'<label class="choice"><input type="checkbox" class="check" name="use_{u}" value="yes"'
        f"{' checked' if _uses(p, u) else ''}>"
        f" {escape(text(f'console.use_{u}'))}</label>"
        for u in USES
    )
    return (
        (select("program-kind", text("console.program_kind"), kinds, name="kind") if p is None else "")
        + (
            select("program-mode", text("console.mode"), modes, name="mode", hint=text("console.mode_hint"))
            if p is None
            else ""
        )
        + field(
            "program-name",
            text("console.name"),
            name="name",
            value=p.name if p else "",
            attrs=' required maxlength="100"',
        )
        + field(
            "program-validity",
            text("console.validity_days"),
            name="validityDays",
            value=str(p.validity_days) if p else "180",
            hint=text("console.validity_hint"),
            attrs=' inputmode="numeric" required',
        )
        + field(
            "program-yen",
            text("console.yen_per_point"),
            name="yenPerPoint",
            value=str(p.yen_per_point) if p else "1",
            hint=text("console.yen_hint"),
            attrs=' inputmode="numeric" required',
        )
        + f'<fieldset class="field"><legend>{escape(text("console.uses"))}</legend>{uses}</fieldset>'
        + field(
            "program-starts",
            text("console.starts_on"),
            name="startsOn",
            kind="date",
            value=p.starts_on.isoformat() if p and p.starts_on else "",
            hint=text("console.window_hint"),
        )
        + field(
            "program-ends",
            text("console.ends_on"),
            name="endsOn",
            kind="date",
            value=p.ends_on.isoformat() if p and p.ends_on else "",
        )
        + field(
            "program-organiser",
            text("console.organiser"),
            name="organiser",
            value=(p.organiser or "") if p else "",
        )
        + field(
            "program-purpose", text("console.purpose"), name="purpose", value=(p.purpose or "") if p else ""
        )
    )


def _program_input(town: MunicipalityView, form: dict[str, str]) -> ProgramInput:
    try:
        kind = ProgramKind(form.get("kind", "REGULAR"))
    except ValueError as exc:
        raise DomainError(ErrorCode.INVALID_INPUT, "Choose a kind.", "kind") from exc
    return ProgramInput(
        municipality_code=town.code,
        kind=kind,
        name=form.get("name", ""),
        validity_days=ascii_int(form.get("validityDays", "").strip()) or 0,
        uses=tuple(ProgramUse(u) for u in USES if form.get(f"use_{u}") == "yes"),
        yen_per_point=ascii_int(form.get("yenPerPoint", "").strip()) or 0,
        starts_on=_day(form.get("startsOn", "")),
        ends_on=_day(form.get("endsOn", "")),
        organiser=form.get("organiser") or None,
        purpose=form.get("purpose") or None,
        mode=_mode(kind, form.get("mode", "")),
    )


def _mode(kind: ProgramKind, value: str) -> SupportEventMode | None:
    """The support event's mode from the form (a regular program has none, whatever was sent)."""
    if kind is not ProgramKind.SUPPORT_EVENT or not value:
        return None
    try:
        return SupportEventMode(value)
    except ValueError as exc:
        raise DomainError(ErrorCode.INVALID_INPUT, "Choose held or donation.", "mode") from exc


@dataclass(frozen=True)
class ProgramDesk(Desk):
    """``/console/programs``: programs and support events, premium campaigns, donor lists."""

    async def show(self, request: Request) -> Response:
        opened = await self._open(request)
        if isinstance(opened, Response):
            return opened
        text, found, town = opened
        programs = (await list_programs_by_municipality(reader(), [town.id]))[town.id]
        names = {p.id: p.name for p in programs}
        rows = [
            (
                p.name,
                text(f"console.kind_program_{p.kind.value}")
                + (f" · {text(f'console.mode_{p.mode.value}')}" if p.mode else ""),
                f"{p.validity_days:,}",
                f"{p.yen_per_point}",
                "、".join(text(f"console.use_{u.value}") for u in p.uses),
                f"{p.starts_on or ''} – {p.ends_on or ''}" if p.starts_on or p.ends_on else "-",
                p.organiser or "-",
            )
            for p in programs
        ]
        links = "".join(
            f'<li><a href="{self.path}?{urlencode({"lang": text.lang, "m": town.code, "edit": p.id})}">'
            f"{escape(text('console.program_edit', name=p.name))}</a>"
            + (
                f' · <a href="{self.path}?{urlencode({"lang": text.lang, "m": town.code, "gifts": p.id})}">'
                f"{escape(text('console.donors_of', name=p.name))}</a>"
                if p.takes_donations
                else ""
            )
            + "</li>"
            for p in programs
        )
        body = (
            data_table(
                text("console.programs"),
                tuple(
                    text(k)
                    for k in (
                        "console.name",
                        "console.program_kind",
                        "console.validity_days",
                        "console.yen_per_point",
                        "console.uses",
                        "console.window",
                        "console.organiser",
                    )
                ),
                rows,
                2,
            )
            + f'<ul class="plain">{links}</ul>'
        )
        editing = next((p for p in programs if str(p.id) == request.query_params.get("edit")), None)
        if editing is not None:
            body += f"<h2>{escape(text('console.program_edit', name=editing.name))}</h2>" + _form(
                text,
                "/console/programs/update",
                town,
                f'<input type="hidden" name="programId" value="{editing.id}">'
                + _program_form(text, editing)
                + button(text("console.save")),
            )
        giving = next((p for p in programs if str(p.id) == request.query_params.get("gifts")), None)
        if giving is not None:
            gifts = await list_event_gifts(found.actor, giving.id)
            body += f"<h2>{escape(text('console.donors_of', name=giving.name))}</h2>" + (
                data_table(
                    text("console.donors_of", name=giving.name),
                    (text("console.my_key_id"), text("console.points")),
                    [(g.my_key_id, f"{g.points:,}") for g in gifts],
                )
                if gifts
                else f"<p>{escape(text('console.no_donors'))}</p>"
            )
        body += f"<h2>{escape(text('console.program_add'))}</h2>" + _form(
            text, "/console/programs", town, _program_form(text, None) + button(text("console.program_add"))
        )
        campaigns = await list_campaigns(reader(), [p.id for p in programs])
        now = self.pages.clock.now()
        state = {
            c.id: "upcoming" if c.starts_at > now else "running" if c.ends_at > now else "ended"
            for c in campaigns
        }
        body += f"<h2>{escape(text('console.campaigns'))}</h2>" + (
            data_table(
                text("console.campaigns"),
                tuple(
                    text(k)
                    for k in (
                        "console.program",
                        "console.rate",
                        "console.starts_at",
                        "console.ends_at",
                        "console.state",
                    )
                ),
                [
                    (
                        names.get(c.program_id, ""),
                        f"+{c.rate_percent}%",
                        _when(text, c.starts_at),
                        _when(text, c.ends_at),
                        text(f"console.campaign_{state[c.id]}"),
                    )
                    for c in campaigns
                ],
                1,
            )
            if campaigns
            else f"<p>{escape(text('console.no_campaigns'))}</p>"
        )
        open_ones = [
            (
                str(c.id),
                f"{names.get(c.program_id, '')} +{c.rate_percent}%"
                f" ({text(f'console.campaign_{state[c.id]}')})",
            )
            for c in campaigns
            if state[c.id] != "ended"
        ]
        if open_ones:
            body += _form(
                text,
                "/console/campaigns/end",
                town,
                select("campaign-end", text("console.campaign"), open_ones, name="campaignId")
                + confirm_box(text("console.campaign_end_confirm"))
                + button(text("console.campaign_end"), "secondary"),
            )
        body += f"<h3>{escape(text('console.campaign_add'))}</h3>" + _form(
            text,
            "/console/campaigns",
            town,
            select(
                "campaign-program",
                text("console.program"),
                [(str(p.id), p.name) for p in programs],
                name="programId",
            )
            + field(
                "campaign-rate",
                text("console.rate_percent"),
                name="ratePercent",
                attrs=' inputmode="numeric" required',
            )
            + field(
                "campaign-starts",
                text("console.starts_at"),
                name="startsAt",
                kind="datetime-local",
                hint=text("console.jst"),
                attrs=" required",
            )
            + field(
                "campaign-ends",
                text("console.ends_at"),
                name="endsAt",
                kind="datetime-local",
                attrs=" required",
            )
            + button(text("console.campaign_add")),
        )
        return self._page(text, found, town, request, "console.programs", body)

    async def add(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            await add_program(found.actor, _program_input(town, form), self.pages.clock.now())
            return "program_added"

        return await self._act(request, act)

    async def update(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            program = ascii_int(form.get("programId", "")) or -1
            await update_program(found.actor, program, _program_input(town, form), self.pages.clock.now())
            return "program_saved"

        return await self._act(request, act)

    async def add_campaign(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            await add_premium_campaign(
                found.actor,
                ascii_int(form.get("programId", "")) or -1,
                ascii_int(form.get("ratePercent", "").strip()) or 0,
                _local_instant(form.get("startsAt", ""), "startsAt"),
                _local_instant(form.get("endsAt", ""), "endsAt"),
                self.pages.clock.now(),
            )
            return "campaign_added"

        return await self._act(request, act)

    async def end_campaign(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            if form.get("confirm") != "yes":
                return "confirm"
            ended = await end_premium_campaign(
                found.actor, ascii_int(form.get("campaignId", "")) or -1, self.pages.clock.now()
            )
            return "campaign_deleted" if ended.deleted else "campaign_ended"

        return await self._act(request, act)


ROLES = (StaffRole.MUNICIPALITY_ADMIN, StaffRole.MUNICIPALITY_STAFF, StaffRole.SHOP_STAFF)


@dataclass(frozen=True)
class StaffDesk(Desk):
    """``/console/staff``: the municipality's admins, its departments' staff and its shops' staff."""

    async def show(self, request: Request) -> Response:
        opened = await self._open(request)
        if isinstance(opened, Response):
            return opened
        text, found, town = opened
        members = await list_staff(found.actor, reader(), town.code)
        departments = await list_departments(reader(), town.id)
        shops = await list_shops(reader(), town.code, first=500)
        rows = [
            (
                m.login,
                text(f"console.role_{m.role.value}"),
                m.department or m.shop_name or "-",
                text("console.active") if m.active else text("console.stopped"),
                _when(text, m.created_at),
            )
            for m in members
        ]
        body = data_table(
            text("console.staff"),
            tuple(
                text(k)
                for k in (
                    "console.login",
                    "console.role",
                    "console.belongs",
                    "console.state",
                    "console.since",
                )
            ),
            rows,
            9,
        )
        body += f"<h2>{escape(text('console.staff_add'))}</h2>" + _form(
            text,
            "/console/staff",
            town,
            select(
                "staff-role",
                text("console.role"),
                [(r.value, text(f"console.role_{r.value}")) for r in ROLES],
                name="role",
            )
            + field(
                "staff-login",
                text("console.login"),
                name="login",
                hint=text("console.login_hint"),
                attrs=' required maxlength="80" autocomplete="off"',
            )
            + field(
                "staff-password",
                text("console.first_password"),
                name="password",
                kind="password",
                hint=text("console.first_password_hint"),
                attrs=' required minlength="12" maxlength="128" autocomplete="new-password"',
            )
            + select(
                "staff-department",
                text("console.department"),
                [(d, d) for d in departments],
                name="department",
                prompt=text("console.for_staff_only"),
            )
            + select(
                "staff-shop",
                text("console.shop"),
                [(str(s.id), s.name) for s in shops],
                name="shopId",
                prompt=text("console.for_shop_staff_only"),
            )
            + button(text("console.staff_add")),
        )
        active = [(str(m.id), m.login) for m in members if m.active and m.id != found.actor.id]
        if active:
            body += f"<h2>{escape(text('console.staff_stop'))}</h2>" + _form(
                text,
                "/console/staff/deactivate",
                town,
                select("staff-stop", text("console.login"), active, name="staffId")
                + confirm_box(text("console.staff_stop_confirm"))
                + button(text("console.staff_stop"), "secondary"),
            )
        body += (
            f"<h2>{escape(text('console.departments'))}</h2>"
            + (
                f'<ul class="plain">{"".join(f"<li>{escape(d)}</li>" for d in departments)}</ul>'
                if departments
                else ""
            )
            + _form(
                text,
                "/console/departments",
                town,
                field(
                    "department-name",
                    text("console.department_name"),
                    name="name",
                    attrs=' required maxlength="60"',
                )
                + button(text("console.department_add"), "secondary"),
            )
        )
        return self._page(text, found, town, request, "console.staff", body)

    async def add(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            try:
                role = StaffRole(form.get("role", ""))
            except ValueError as exc:
                raise DomainError(ErrorCode.INVALID_INPUT, "Choose a role.", "role") from exc
            if role not in ROLES:
                raise DomainError(ErrorCode.INVALID_INPUT, "Choose a role.", "role")
            staff = StaffInput(
                login=form.get("login", "").strip(),
                password=form.get("password", ""),
                role=role,
                municipality_code=None if role is StaffRole.SHOP_STAFF else town.code,
                shop_id=ascii_int(form.get("shopId", "")) if role is StaffRole.SHOP_STAFF else None,
                department=form.get("department") or None,
            )
            await add_staff(found.actor, staff, self.pages.clock.now())
            return "staff_added"

        return await self._act(request, act)

    async def deactivate(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            if form.get("confirm") != "yes":
                return "confirm"
            await deactivate_staff(
                found.actor, ascii_int(form.get("staffId", "")) or -1, self.pages.clock.now()
            )
            return "staff_stopped"

        return await self._act(request, act)

    async def add_department(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            await add_department(found.actor, town.code, form.get("name", ""), self.pages.clock.now())
            return "department_added"

        return await self._act(request, act)


@dataclass(frozen=True)
class ResidentDesk(Desk):
    """``/console/residents``: a resident asks at the counter (or by telephone) to stop their MyKey ID.
    Nothing of a resident is shown here: the officer types the MyKey ID the resident gives."""

    async def show(self, request: Request) -> Response:
        opened = await self._open(request)
        if isinstance(opened, Response):
            return opened
        text, found, town = opened
        body = f"<p>{escape(text('console.suspend_lead'))}</p>" + _form(
            text,
            "/console/residents/suspend",
            town,
            field(
                "suspend-id",
                text("console.my_key_id"),
                name="myKeyId",
                hint=text("console.my_key_id_hint"),
                attrs=' required maxlength="8" autocomplete="off"',
            )
            + field(
                "suspend-reason",
                text("console.suspend_reason"),
                name="reason",
                hint=text("console.suspend_reason_hint"),
                attrs=' required maxlength="200"',
            )
            + confirm_box(text("console.suspend_confirm"))
            + button(text("console.suspend"), "secondary"),
        )
        return self._page(text, found, town, request, "console.residents_desk", body)

    async def suspend(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            if form.get("confirm") != "yes":
                return "confirm"
            await suspend_on_request(
                found.actor, form.get("myKeyId", "").strip(), form.get("reason", ""), self.pages.clock.now()
            )
            return "suspended"

        return await self._act(request, act)


@dataclass(frozen=True)
class AuditDesk(Desk):
    """``/console/audit``: who changed what, newest first, 100 a page."""

    async def show(self, request: Request) -> Response:
        opened = await self._open(request)
        if isinstance(opened, Response):
            return opened
        text, found, town = opened
        before = ascii_int(request.query_params.get("before", ""))
        events = await list_audit(found.actor, reader(), town.code, 100, before)
        rows = [(_when(text, e.at), e.who, _action(text, e.action), e.subject) for e in events]
        body = (
            data_table(
                text("console.audit"),
                (
                    text("console.when"),
                    text("console.sent_by"),
                    text("console.action"),
                    text("console.subject"),
                ),
                rows,
                9,
            )
            if rows
            else f"<p>{escape(text('console.no_audit'))}</p>"
        )
        if len(events) == 100:
            older = urlencode({"lang": text.lang, "m": town.code, "before": events[-1].id})
            body += link_button(f"{self.path}?{older}", text("console.older"), "tertiary")
        return self._page(text, found, town, request, "console.audit", body)


def _action(text: Text, action: str) -> str:
    key = f"audit.{action}"
    return text(key) if key in catalogue(text.lang) else action
