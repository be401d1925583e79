"""The municipality console, first pages: sign in, this month at a glance (the monthly report with its
chart and CSV), and settlement (runs with their files, closing a month after a confirmation).

Municipality admins see their own municipality; the operator picks one (``?m=141305``); department
staff sign in here too, and are told that figures and settlement are the admins' (the access layer
decides: the pages call the same domain functions as the GraphQL operations).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.auth.actor import Role
from domain.auth.permissions import Permission
from domain.auth.sessions import SessionActor
from domain.auth.tokens import same
from domain.clock import JST, Clock, japan_date
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import MunicipalityView, get_municipality_by_code, list_municipalities
from domain.municipalities.warnings import ConsoleWarning, console_warnings
from domain.numbers import ascii_int
from domain.programs.actions import set_shop_programs
from domain.programs.agreements import add_acceptance_agreement, list_agreements, programs_agreed_for
from domain.programs.queries import list_programs_by_municipality
from domain.settlement.actions import SettlementView, close_settlement
from domain.settlement.banks import BankAccount
from domain.settlement.queries import (
    StatementView,
    list_settlements,
    list_statements,
    mark_statement_paid,
    preview_settlement,
)
from domain.settlement.report_files import FUNDER_NAMES, SOURCE_NAMES
from domain.settlement.reports import MonthlyReport, monthly_report
from domain.shops.actions import CATEGORIES, add_shop, list_shops, set_shop_bank_account
from domain.shops.queries import ShopAccountView, list_shop_bank_accounts
from domain.sql import Sql, reader
from domain.terminals.actions import (
    Registered,
    TerminalInput,
    list_terminals,
    register_terminal,
    revoke_terminal,
)
from models.terminals import TerminalKind
from web.components import Tone, banner, button, confirm_box, data_table, field, link_button, select
from web.cookies import CSRF_FIELD, FILL_CSRF, signed_in
from web.i18n import Text, catalogue, language, refusal_key
from web.layout import page
from web.staff_signin import StaffSignIn


def _last_month_end(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


@dataclass(frozen=True)
class ConsolePages:
    clock: Clock
    secure_cookies: bool

    async def signin(self, request: Request) -> Response:
        return await StaffSignIn(
            "/console/signin",
            "console.signin",
            Permission.MUNICIPALITY_STAFF,
            "/console",
            "console.only",
            self.clock,
            self.secure_cookies,
        ).respond(request)

    async def _officer(self, request: Request, sql: Sql | None = None) -> SessionActor | None:
        return await signed_in(request, self.clock.now(), Permission.MUNICIPALITY_STAFF, sql)

    async def _municipality(
        self, request: Request, found: SessionActor, sql: Sql | None = None
    ) -> MunicipalityView | None:
        sql = sql or reader()
        if found.actor.role is Role.OPERATOR:
            code = request.query_params.get("m", "")
            if code:
                return await get_municipality_by_code(sql, code)
            listed = await list_municipalities(sql, first=1)
            return listed[0] if listed else None
        towns = await list_municipalities(sql, first=2000)
        return next((m for m in towns if m.id == found.actor.municipality_id), None)

    async def officer(
        self, request: Request, admin: bool = False, sql: Sql | None = None
    ) -> tuple[SessionActor, MunicipalityView] | None:
        """The signed-in officer and the municipality the page is about; None sends them to sign in.
        ``admin``: the page is the municipality admins' (and the operator's). ``sql``: where to read
        (:func:`domain.sql.reader` unless said)."""
        found = await self._officer(request, sql)
        if found is None or (admin and not Permission.MUNICIPALITY_ADMIN.admits(found.actor)):
            return None
        try:
            town = await self._municipality(request, found, sql)
        except DomainError:
            return None
        return None if town is None else (found, town)

    async def posted(
        self, request: Request, admin: bool = False
    ) -> tuple[SessionActor, MunicipalityView, dict[str, str]] | None:
        """A console form's sender, its municipality and its fields, once its CSRF token matches."""
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        found = await self.officer(request, admin)
        if found is None or not same(form.get("csrf", ""), found[0].csrf_hash):
            return None
        return found[0], found[1], form

    async def home(self, request: Request) -> Response:
        text = Text(language(request))
        found = await self._officer(request)
        if found is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        try:
            town = await self._municipality(request, found)
        except DomainError as error:
            return page(text, text("console.title"), banner("error", text.error(error)), status=404)
        if town is None:
            return page(text, text("console.title"), banner("info", text("console.no_municipality")))
        said = _said(request, text)
        head = desk_head(text, town, found, "/console", text("console.title")) + said
        if not Permission.MUNICIPALITY_ADMIN.admits(found.actor):
            body = head + banner("info", text("console.staff_only"), live=False) + _sign_out(text)
            return page(text, text("console.title"), body)
        now = self.clock.now()
        month = f"{japan_date(now):%Y-%m}"
        report = await monthly_report(found.actor, town.code, month, now)
        runs, _ = await list_settlements(found.actor, reader(), town.code, 12, None)
        warnings = await console_warnings(found.actor, reader(), town.code, now)
        statements = await list_statements(reader(), [r.id for r in runs[:3]])
        body = (
            head
            + _warnings(text, warnings)
            + _glance(text, report)
            + _settlements(text, town, runs, _last_month_end(japan_date(now)))
            + _payouts(text, town, runs[:3], statements)
            + _sign_out(text)
        )
        return page(text, text("console.title"), body)

    async def mark_paid(self, request: Request) -> Response:
        """``POST /console/payouts/sent``: a statement's transfer (or invoice) went out."""
        text = Text(language(request))
        posted = await self.posted(request, admin=True)
        if posted is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        found, town, form = posted
        back = {"lang": text.lang, "m": town.code}
        if form.get("confirm") != "yes":
            return RedirectResponse(f"/console?{urlencode(back | {'said': 'confirm'})}", status_code=303)
        try:
            await mark_statement_paid(
                found.actor, ascii_int(form.get("statementId", "")) or -1, self.clock.now()
            )
            said = "payout_marked"
        except DomainError as error:
            said = refusal_key(error)
        return RedirectResponse(f"/console?{urlencode(back | {'said': said})}", status_code=303)

    async def preview(self, request: Request) -> Response:
        """``GET /console/settlements/preview?periodEnd=``: what closing would give, nothing kept."""
        text = Text(language(request))
        officer = await self.officer(request, admin=True)
        if officer is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        found, town = officer
        head = desk_head(text, town, found, "/console", text("console.preview_title"))
        try:
            period_end = date.fromisoformat(request.query_params.get("periodEnd", ""))
            run, statements = await preview_settlement(found.actor, town.code, period_end, self.clock.now())
        except ValueError:
            return page(
                text,
                text("console.preview_title"),
                head + banner("error", text("console.said_bad_period")),
                400,
            )
        except DomainError as error:
            return page(text, text("console.preview_title"), head + banner("error", text.error(error)), 400)
        rows = [
            (
                text(f"console.statement_{s.kind}"),
                s.name,
                f"{s.points:,}",
                f"{s.yen:,}",
                f"{s.payable_yen:,}",
                f"{s.carried_out_yen:,}",
            )
            for s in statements
        ]
        totals = text(
            "console.preview_totals",
            payable=f"{run.payable_yen:,}",
            receivable=f"{run.receivable_yen:,}",
            day=f"{run.payout_on}",
        )
        body = (
            head
            + banner(
                "info",
                text("console.preview_lead", start=f"{run.period_start}", end=f"{run.period_end}"),
                live=False,
            )
            + data_table(
                text("console.preview_title"),
                tuple(
                    text(k)
                    for k in (
                        "console.statement_kind",
                        "console.name",
                        "console.entries_points",
                        "console.yen",
                        "console.payable",
                        "console.carried",
                    )
                ),
                rows,
                2,
            )
            + f"<p>{escape(totals)}</p>"
            + link_button(f"/console?lang={text.lang}&m={town.code}", text("console.title"), "secondary")
            + _sign_out(text)
        )
        return page(text, text("console.preview_title"), body)

    async def close(self, request: Request) -> Response:
        """``POST /console/settlements/close``: close the month just ended, once confirmed."""
        text = Text(language(request))
        found = await self._officer(request)
        form = {k: str(v) for k, v in (await request.form()).items()}
        if found is None or not same(form.get("csrf", ""), found.csrf_hash):
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        back = {"lang": text.lang, "m": form.get("m", "")}
        if form.get("confirm") != "yes":
            return RedirectResponse(f"/console?{urlencode(back | {'said': 'confirm'})}", status_code=303)
        try:
            period_end = date.fromisoformat(form.get("periodEnd", ""))
            run = await close_settlement(found.actor, form.get("m", ""), period_end, self.clock.now())
        except ValueError:
            return RedirectResponse(f"/console?{urlencode(back | {'said': 'bad_period'})}", status_code=303)
        except DomainError as error:
            said = back | {"said": refusal_key(error)}
            return RedirectResponse(f"/console?{urlencode(said)}", status_code=303)
        done = back | {"said": "closed", "run": str(run.id)}
        return RedirectResponse(f"/console?{urlencode(done)}", status_code=303)


SAID: dict[str, Tone] = {
    "closed": "success",
    "confirm": "error",
    "bad_period": "error",
    "bank_saved": "success",
    "agreement_saved": "success",
    "revoked": "success",
    "granted": "success",
    "payout_marked": "success",
    "program_added": "success",
    "program_saved": "success",
    "campaign_added": "success",
    "campaign_ended": "success",
    "campaign_deleted": "success",
    "staff_added": "success",
    "staff_stopped": "success",
    "department_added": "success",
    "suspended": "success",
    "shop_added": "success",
    "shop_programs_saved": "success",
    "place_saved": "success",
    "published": "success",
    "item_added": "success",
    "item_restocked": "success",
    "item_saved": "success",
    "order_fulfilled": "success",
    "order_cancelled": "success",
    "row_points": "error",
    "row_unknown": "error",
    "row_twice": "error",
    "row_format": "error",
}


def _said(request: Request, text: Text) -> str:
    """What the last form did: a message key from our own list or the error catalogue, never text."""
    key = request.query_params.get("said", "")
    if key in SAID:
        return banner(SAID[key], text(f"console.said_{key}"))
    if key.startswith("error.") and key.split(".")[1] in ErrorCode.__members__ and key in catalogue("ja"):
        return banner("error", text(key))
    return ""


DESKS = (
    ("/console", "console.title", False),
    ("/console/grants", "console.grants", False),
    ("/console/programs", "console.programs", True),
    ("/console/shops", "console.shops", True),
    ("/console/terminals", "console.terminals", True),
    ("/console/portal", "console.portal", True),
    ("/console/online", "console.online", True),
    ("/console/staff", "console.staff", True),
    ("/console/residents", "console.residents_desk", True),
    ("/console/audit", "console.audit", True),
)


def console_nav(text: Text, town: MunicipalityView, found: SessionActor, here: str) -> str:
    """The console's pages this officer may open, the current one marked."""
    admin = Permission.MUNICIPALITY_ADMIN.admits(found.actor)
    items = []
    for path, key, admins_only in DESKS:
        if admins_only and not admin:
            continue
        current = ' aria-current="page"' if path == here else ""
        href = f"{path}?{urlencode({'lang': text.lang, 'm': town.code})}"
        items.append(f'<li><a href="{escape(href)}"{current}>{escape(text(key))}</a></li>')
    return f'<nav class="desk-nav" aria-label="{escape(text("console.nav"))}"><ul>{"".join(items)}</ul></nav>'


def desk_head(text: Text, town: MunicipalityView, found: SessionActor, here: str, title: str) -> str:
    """The console's navigation, the page's title and the municipality it is about (the operator
    picks another one by its code)."""
    pick = ""
    if found.actor.role is Role.OPERATOR:
        pick = (
            f'<form method="get" action="{escape(here)}" class="inline-form">'
            f'<input type="hidden" name="lang" value="{text.lang}">'
            + field(
                "pick-municipality",
                text("console.pick"),
                name="m",
                value=town.code,
                attrs=' inputmode="numeric" maxlength="6" required',
            )
            + button(text("console.pick_go"), "secondary")
            + "</form>"
        )
    return (
        console_nav(text, town, found, here)
        + f'<h1>{escape(title)}</h1><p class="big-number">{escape(town.name)} ({escape(town.code)})</p>'
        + pick
    )


def _sign_out(text: Text) -> str:
    return (
        f'<form method="post" action="/signout">{CSRF_FIELD}'
        + button(text("nav.signout"), "tertiary")
        + f"</form>{FILL_CSRF}"
    )


def _glance(text: Text, r: MonthlyReport) -> str:
    """This month: the balance's movement, issued by source, outstanding by funder with what lapses."""
    flows = [
        (text("console.opening"), "", "", f"{r.opening_points:,}"),
        (text("console.issued"), f"{r.issued.entries:,}", f"{r.issued.residents:,}", f"{r.issued.points:,}"),
        (text("console.used"), f"{r.used.entries:,}", f"{r.used.residents:,}", f"{r.used.points:,}"),
        (
            text("console.expired"),
            f"{r.expired.entries:,}",
            f"{r.expired.residents:,}",
            f"{r.expired.points:,}",
        ),
        (text("console.closing"), "", "", f"{r.closing_points:,}"),
    ]
    funders = [
        (
            FUNDER_NAMES.get(f.funder_kind, f.funder_kind),
            f.name or f.funder_ref,
            f"{f.outstanding:,}",
            *(f"{n:,}" for n in f.lapsing),
        )
        for f in r.by_funder
    ]
    sources = [(SOURCE_NAMES[s.source], s.name, f"{s.entries:,}", f"{s.points:,}") for s in r.by_source]
    uses = [(text(f"console.byuse_{u.use}"), u.name, f"{u.entries:,}", f"{u.points:,}") for u in r.by_use]
    base = f"/reports/{r.municipality_code}/{r.month}"
    return (
        f"<h2>{escape(text('console.month', month=r.month))}</h2>"
        + data_table(
            text("console.flows"),
            (text("console.item"), text("console.entries"), text("console.residents"), "pt"),
            flows,
        )
        + data_table(
            text("console.by_source"),
            (text("console.source"), text("console.name"), text("console.entries"), "pt"),
            sources,
            2,
        )
        + (
            data_table(
                text("console.by_use"),
                (text("console.use"), text("console.name"), text("console.entries"), "pt"),
                uses,
                2,
            )
            if uses
            else ""
        )
        + data_table(
            text("console.by_funder"),
            (text("console.funder"), text("console.name"), text("console.outstanding"), *r.forecast_months),
            funders,
            2,
        )
        + f'<img class="chart" src="{base}.svg" alt="{escape(text("console.chart_alt", month=r.month))}">'
        + f'<p><a href="{base}.csv">{escape(text("console.csv"))}</a></p>'
    )


def _warnings(text: Text, warnings: list[ConsoleWarning]) -> str:
    if not warnings:
        return banner("success", text("console.no_warnings"), live=False)
    items = []
    for w in warnings:
        when = "-" if w.at is None else f"{w.at.astimezone(JST):%Y-%m-%d %H:%M}"
        day = "" if w.day is None else w.day.isoformat()
        said = text(f"console.warn_{w.kind}", subject=w.subject, at=when, day=day, yen=f"{w.yen:,}")
        items.append(f"<li>{escape(said)}</li>")
    return banner(
        "warning", text("console.warnings", count=len(warnings)), f"<ul>{''.join(items)}</ul>", live=False
    )


def _payouts(
    text: Text, town: MunicipalityView, runs: list[SettlementView], statements: list[StatementView]
) -> str:
    """The last runs' transfers and invoices, and marking one as sent."""
    payout_on = {r.id: r.payout_on for r in runs}
    rows, unpaid = [], []
    for s in statements:
        if s.payable_yen <= 0:
            continue
        kind = text(f"console.statement_{s.kind}")
        sent = "-" if s.paid_at is None else f"{s.paid_at.astimezone(JST):%Y-%m-%d %H:%M}"
        rows.append((kind, s.name, f"{payout_on[s.settlement_id]:%Y-%m-%d}", f"{s.payable_yen:,}", sent))
        if s.paid_at is None:
            unpaid.append((str(s.id), f"{kind} {s.name} {s.payable_yen:,}"))
    if not rows:
        return ""
    table = data_table(
        text("console.payouts"),
        tuple(
            text(k)
            for k in (
                "console.statement_kind",
                "console.name",
                "console.payout",
                "console.yen",
                "console.sent_at",
            )
        ),
        rows,
        3,
    )
    form = ""
    if unpaid:
        form = (
            f'<form method="post" action="/console/payouts/sent?lang={text.lang}">{CSRF_FIELD}'
            f'<input type="hidden" name="m" value="{escape(town.code)}">'
            + select("payout-statement", text("console.statement"), unpaid, name="statementId")
            + confirm_box(text("console.payout_confirm"))
            + button(text("console.payout_mark"), "secondary")
            + f"</form>{FILL_CSRF}"
        )
    return f"<h2>{escape(text('console.payouts'))}</h2>" + table + form


def _settlements(text: Text, town: MunicipalityView, runs: list[SettlementView], period_end: date) -> str:
    rows = []
    links = []
    for run in runs:
        rows.append(
            (
                f"{run.period_start:%Y-%m-%d} – {run.period_end:%Y-%m-%d}",
                f"{run.payout_on:%Y-%m-%d}",
                f"{run.payable_yen:,}",
                f"{run.receivable_yen:,}",
            )
        )
        links.append(
            f'<li>{run.period_end:%Y-%m}: <a href="/settlements/{run.id}/zengin">'
            f"{escape(text('console.zengin'))}</a>"
            f' · <a href="/settlements/{run.id}/statements.csv">{escape(text("console.statements"))}</a></li>'
        )
    closed = {run.period_end for run in runs}
    close = ""
    if period_end not in closed:
        preview = urlencode({"lang": text.lang, "m": town.code, "periodEnd": period_end.isoformat()})
        close = (
            f'<p><a href="/console/settlements/preview?{preview}">'
            f"{escape(text('console.preview', end=period_end.isoformat()))}</a></p>"
            + f'<form method="post" action="/console/settlements/close?lang={text.lang}">{CSRF_FIELD}'
            f'<input type="hidden" name="m" value="{escape(town.code)}">'
            f'<input type="hidden" name="periodEnd" value="{period_end.isoformat()}">'
            + confirm_box(text("console.confirm", end=period_end.isoformat()))
            + button(text("console.close", end=period_end.isoformat()))
            + f"</form>{FILL_CSRF}"
        )
    table = (
        data_table(
            text("console.runs"),
            (
                text("console.period"),
                text("console.payout"),
                text("console.payable"),
                text("console.receivable"),
            ),
            rows,
            2,
        )
        if rows
        else f"<p>{escape(text('console.no_runs'))}</p>"
    )
    return (
        f"<h2>{escape(text('console.settlement'))}</h2>"
        + table
        + (f'<ul class="plain">{"".join(links)}</ul>' if links else "")
        + close
    )


@dataclass(frozen=True)
class ShopDesk:
    """``/console/shops``: the municipality's shops (what they accept, where they are paid), setting a
    shop's bank account, and acceptance agreements with other municipalities (たすきがけ)."""

    pages: ConsolePages

    async def _admin(self, request: Request) -> tuple[SessionActor, MunicipalityView] | None:
        return await self.pages.officer(request, admin=True)

    async def show(self, request: Request) -> Response:
        text = Text(language(request))
        admin = await self._admin(request)
        if admin is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        found, town = admin
        sql = reader()
        shops = await list_shops(sql, town.code, first=500)
        programs = (await list_programs_by_municipality(sql, [town.id]))[town.id]
        names = {p.id: p.name for p in programs}
        accounts = await list_shop_bank_accounts(sql, [s.id for s in shops])
        rows = [
            (
                s.name,
                _category(text, s.category),
                "、".join(names.get(p, str(p)) for p in s.program_ids),
                _holder(text, accounts.get(s.id)),
            )
            for s in shops
        ]
        agreements = await list_agreements(sql, town.id)
        agreed = [
            (a.program_name, f"{a.municipality_name} ({a.municipality_code})", f"{a.created_at:%Y-%m-%d}")
            for a in agreements
        ]
        hidden = f'<input type="hidden" name="m" value="{escape(town.code)}">{CSRF_FIELD}'
        shop_options = [(str(s.id), s.name) for s in shops]
        bank = (
            f"<h2>{escape(text('console.bank_title'))}</h2>"
            f'<form method="post" action="/console/shops/bank?lang={text.lang}">{hidden}'
            + select("bank-shop", text("console.shop"), shop_options, name="shopId")
            + field(
                "bank-code",
                text("console.bank_code"),
                name="bankCode",
                hint=text("console.bank_code_hint"),
                attrs=' inputmode="numeric" maxlength="4" required',
            )
            + field(
                "branch-code",
                text("console.branch_code"),
                name="branchCode",
                attrs=' inputmode="numeric" maxlength="3" required',
            )
            + select(
                "account-type",
                text("console.account_type"),
                [("ORDINARY", text("console.ordinary")), ("CURRENT", text("console.current"))],
                name="accountType",
            )
            + field(
                "account-number",
                text("console.account_number"),
                name="accountNumber",
                attrs=' inputmode="numeric" maxlength="7" required',
            )
            + field(
                "holder",
                text("console.holder"),
                name="holderKana",
                hint=text("console.holder_hint"),
                attrs=" required",
            )
            + button(text("console.bank_save"))
            + f"</form>{FILL_CSRF}"
        )
        regular = [(str(p.id), p.name) for p in programs if p.kind.value == "REGULAR"]
        agreement = (
            f"<h2>{escape(text('console.agreements'))}</h2><p>{escape(text('console.agreements_lead'))}</p>"
            + (
                data_table(
                    text("console.agreements"),
                    (text("console.program"), text("console.accepting"), text("console.since")),
                    agreed,
                    3,
                )
                if agreed
                else f"<p>{escape(text('console.no_agreements'))}</p>"
            )
            + f'<form method="post" action="/console/agreements?lang={text.lang}">{hidden}'
            + select("agreement-program", text("console.program"), regular, name="programId")
            + field(
                "agreement-town",
                text("console.accepting_code"),
                name="municipalityCode",
                hint=text("console.accepting_hint"),
                attrs=' inputmode="numeric" maxlength="6" required',
            )
            + button(text("console.agreement_add"))
            + f"</form>{FILL_CSRF}"
        )
        categories = [(c, _category(text, c)) for c in sorted(CATEGORIES)]
        register = (
            f"<h2>{escape(text('console.shop_add'))}</h2>"
            f'<form method="post" action="/console/shops/add?lang={text.lang}">{hidden}'
            + field("shop-name", text("console.shop_name"), name="name", attrs=' required maxlength="100"')
            + select("shop-category", text("console.category"), categories, name="category", chosen="SHOP")
            + button(text("console.shop_add"))
            + f"</form>{FILL_CSRF}"
        )
        foreign = await programs_agreed_for(sql, town.id)
        choices = [(p.id, p.name) for p in programs] + [
            (p.id, f"{p.name}（{p.municipality_name}）") for p in foreign
        ]
        boxes = "".join(
            f'<label class="choice"><input type="checkbox" class="check" name="program_{pid}" value="yes">'
            f" {escape(name)}</label>"
            for pid, name in choices
        )
        accepts = (
            f"<h2>{escape(text('console.shop_programs'))}</h2><p>{escape(text('console.shop_programs_lead'))}</p>"
            f'<form method="post" action="/console/shops/programs?lang={text.lang}">{hidden}'
            + select("accepts-shop", text("console.shop"), shop_options, name="shopId")
            + f'<fieldset class="field"><legend>{escape(text("console.accepts"))}</legend>{boxes}</fieldset>'
            + button(text("console.save"), "secondary")
            + f"</form>{FILL_CSRF}"
            if shop_options
            else ""
        )
        body = (
            desk_head(text, town, found, "/console/shops", text("console.shops"))
            + _said(request, text)
            + data_table(
                text("console.shops"),
                (
                    text("console.shop"),
                    text("console.category"),
                    text("console.accepts"),
                    text("console.account"),
                ),
                rows,
                4,
            )
            + register
            + accepts
            + bank
            + agreement
            + _sign_out(text)
        )
        return page(text, text("console.shops"), body)

    async def _post(
        self, request: Request, act: Callable[[SessionActor, dict[str, str]], Awaitable[str]]
    ) -> Response:
        text = Text(language(request))
        posted = await self.pages.posted(request, admin=True)
        if posted is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        found, town, form = posted
        try:
            said = await act(found, form)
        except DomainError as error:
            said = refusal_key(error)
        query = urlencode({"lang": text.lang, "m": town.code, "said": said})
        return RedirectResponse(f"/console/shops?{query}", status_code=303)

    async def bank(self, request: Request) -> Response:
        async def act(found: SessionActor, form: dict[str, str]) -> str:
            account = BankAccount(
                form.get("bankCode", ""),
                form.get("branchCode", ""),
                form.get("accountType", ""),
                form.get("accountNumber", ""),
                form.get("holderKana", ""),
            )
            await set_shop_bank_account(
                found.actor, ascii_int(form.get("shopId", "")) or -1, account, self.pages.clock.now()
            )
            return "bank_saved"

        return await self._post(request, act)

    async def add(self, request: Request) -> Response:
        async def act(found: SessionActor, form: dict[str, str]) -> str:
            await add_shop(
                found.actor,
                form.get("m", ""),
                form.get("name", ""),
                form.get("category", ""),
                self.pages.clock.now(),
            )
            return "shop_added"

        return await self._post(request, act)

    async def programs(self, request: Request) -> Response:
        async def act(found: SessionActor, form: dict[str, str]) -> str:
            chosen = [
                ascii_int(k.removeprefix("program_")) for k, v in form.items() if k.startswith("program_")
            ]
            ids = [p for p in chosen if p is not None]
            await set_shop_programs(
                found.actor, ascii_int(form.get("shopId", "")) or -1, ids, self.pages.clock.now()
            )
            return "shop_programs_saved"

        return await self._post(request, act)

    async def agreement(self, request: Request) -> Response:
        async def act(found: SessionActor, form: dict[str, str]) -> str:
            program = ascii_int(form.get("programId", "")) or -1
            await add_acceptance_agreement(
                found.actor, program, form.get("municipalityCode", ""), self.pages.clock.now()
            )
            return "agreement_saved"

        return await self._post(request, act)


def _category(text: Text, category: str) -> str:
    key = f"category.{category}"
    return text(key) if key in catalogue(text.lang) else category


def _holder(text: Text, account: ShopAccountView | None) -> str:
    return account.account_holder if account is not None else text("console.no_account")


@dataclass(frozen=True)
class TerminalDesk:
    """``/console/terminals``: the municipality's terminals with their last contact, registering one
    (its activation code shown once, on the page that registered it) and revoking one."""

    pages: ConsolePages

    async def _admin(self, request: Request) -> tuple[SessionActor, MunicipalityView] | None:
        return await ShopDesk(self.pages)._admin(request)

    async def show(
        self, request: Request, registered: Registered | None = None, refused: str = ""
    ) -> Response:
        text = Text(language(request))
        admin = await self._admin(request)
        if admin is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        found, town = admin
        terminals = await list_terminals(found.actor, reader(), town.id)
        rows = []
        for t in terminals:
            seen = (
                "-"
                if t.last_seen_at is None
                else f"{text.short_day(t.last_seen_at)} {t.last_seen_at.astimezone(JST):%H:%M}"
            )
            rows.append(
                (
                    t.name,
                    text(f"console.kind_{t.kind.value}"),
                    text(f"console.terminal_{t.status.value}"),
                    seen,
                )
            )
        revocable = [(str(t.id), t.name) for t in terminals if t.status.value != "REVOKED"]
        shops = await list_shops(reader(), town.code, first=500)
        said = _said(request, text)
        if registered is not None:
            said = banner(
                "success",
                text("console.terminal_code", name=registered.terminal.name, code=registered.activation_code),
            )
        elif refused:
            said = banner("error", text(refused))
        hidden = f'<input type="hidden" name="m" value="{escape(town.code)}">{CSRF_FIELD}'
        kinds = [(k, text(f"console.kind_{k}")) for k in ("LOOKUP", "PAY", "PRINT", "GRANT")]
        register = (
            f"<h2>{escape(text('console.terminal_add'))}</h2>"
            f'<form method="post" action="/console/terminals?lang={text.lang}">{hidden}'
            + select("terminal-kind", text("console.terminal_kind"), kinds, name="kind")
            + field(
                "terminal-name", text("console.terminal_name"), name="name", attrs=' required maxlength="100"'
            )
            + select(
                "terminal-shop",
                text("console.terminal_shop"),
                [(str(s.id), s.name) for s in shops],
                name="shopId",
                prompt=text("console.terminal_no_shop"),
            )
            + field(
                "terminal-service",
                text("console.terminal_service"),
                name="serviceCode",
                hint=text("console.terminal_service_hint"),
            )
            + field("terminal-department", text("console.terminal_department"), name="department")
            + button(text("console.terminal_add"))
            + f"</form>{FILL_CSRF}"
        )
        revoke = (
            f"<h2>{escape(text('console.terminal_revoke'))}</h2>"
            f'<form method="post" action="/console/terminals/revoke?lang={text.lang}">{hidden}'
            + select("revoke-terminal", text("console.terminal_name"), revocable, name="terminalId")
            + confirm_box(text("console.terminal_revoke_confirm"))
            + button(text("console.terminal_revoke"), "secondary")
            + f"</form>{FILL_CSRF}"
            if revocable
            else ""
        )
        body = (
            desk_head(text, town, found, "/console/terminals", text("console.terminals"))
            + said
            + (
                data_table(
                    text("console.terminals"),
                    tuple(
                        text(k)
                        for k in (
                            "console.terminal_name",
                            "console.terminal_kind",
                            "console.terminal_status",
                            "console.terminal_seen",
                        )
                    ),
                    rows,
                    4,
                )
                if rows
                else f"<p>{escape(text('console.no_terminals'))}</p>"
            )
            + register
            + revoke
            + _sign_out(text)
        )
        return page(text, text("console.terminals"), body)

    async def register(self, request: Request) -> Response:
        text = Text(language(request))
        posted = await self.pages.posted(request, admin=True)
        if posted is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        found, town, form = posted
        admin = (found, town)
        try:
            details = TerminalInput(
                kind=TerminalKind(form.get("kind", "")),
                name=form.get("name", ""),
                municipality_code=admin[1].code,
                shop_id=ascii_int(form.get("shopId", "")),
                service_code=form.get("serviceCode") or None,
                department=form.get("department") or None,
            )
            done = await register_terminal(admin[0].actor, details, self.pages.clock.now())
        except ValueError:
            return await self.show(request, refused="error.INVALID_INPUT")
        except DomainError as error:
            return await self.show(request, refused=refusal_key(error))
        return await self.show(request, registered=done)

    async def revoke(self, request: Request) -> Response:
        text = Text(language(request))
        posted = await self.pages.posted(request, admin=True)
        if posted is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        found, town, form = posted
        admin = (found, town)
        back = {"lang": text.lang, "m": admin[1].code}
        if form.get("confirm") != "yes":
            return RedirectResponse(
                f"/console/terminals?{urlencode(back | {'said': 'confirm'})}", status_code=303
            )
        try:
            await revoke_terminal(
                admin[0].actor, ascii_int(form.get("terminalId", "")) or -1, self.pages.clock.now()
            )
            said = "revoked"
        except DomainError as error:
            said = refusal_key(error)
        return RedirectResponse(f"/console/terminals?{urlencode(back | {'said': said})}", status_code=303)
