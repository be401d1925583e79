"""The municipality console, first pages: sign in, this month at a glance (the monthly report with its
chart and CSV), and settlement (runs with their files, closing a month after a confirmation).

Municipality admins see their own municipality; the operator picks one (``?m=141305``); department
staff sign in here too, and are told that figures and settlement are the admins' (the access layer
decides: the pages call the same domain functions as the GraphQL operations).
"""

from collections.abc import Sequence
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
from domain.clock import Clock, japan_date
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import MunicipalityView, get_municipality_by_code, list_municipalities
from domain.settlement.actions import SettlementView, close_settlement
from domain.settlement.queries import list_settlements
from domain.settlement.report_files import FUNDER_NAMES, SOURCE_NAMES
from domain.settlement.reports import MonthlyReport, monthly_report
from domain.sql import reader
from web.components import Tone, banner, button
from web.cookies import CSRF_FIELD, FILL_CSRF, signed_in
from web.i18n import Text, language
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

    async def _officer(self, request: Request) -> SessionActor | None:
        return await signed_in(request, self.clock.now(), Permission.MUNICIPALITY_STAFF)

    async def _municipality(self, request: Request, found: SessionActor) -> MunicipalityView | None:
        sql = reader()
        if found.actor.role is Role.OPERATOR:
            code = request.query_params.get("m", "")
            if code:
                return await get_municipality_by_code(sql, code)
            listed = await list_municipalities(sql, first=1)
            return listed[0] if listed else None
        towns = await list_municipalities(sql, first=2000)
        return next((m for m in towns if m.id == found.actor.municipality_id), None)

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
        head = f'<h1>{escape(text("console.title"))}</h1><p class="big-number">{escape(town.name)}</p>{said}'
        if not Permission.MUNICIPALITY_ADMIN.admits(found.actor):
            body = head + banner("info", text("console.staff_only"), live=False) + _sign_out(text)
            return page(text, text("console.title"), body)
        now = self.clock.now()
        month = f"{japan_date(now):%Y-%m}"
        report = await monthly_report(found.actor, town.code, month, now)
        runs, _ = await list_settlements(found.actor, reader(), town.code, 12, None)
        body = (
            head
            + _glance(text, report)
            + _settlements(text, town, runs, _last_month_end(japan_date(now)))
            + _sign_out(text)
        )
        return page(text, text("console.title"), body)

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
            said = back | {"said": f"error.{error.code.value}"}
            return RedirectResponse(f"/console?{urlencode(said)}", status_code=303)
        done = back | {"said": "closed", "run": str(run.id)}
        return RedirectResponse(f"/console?{urlencode(done)}", status_code=303)


SAID: dict[str, Tone] = {"closed": "success", "confirm": "error", "bad_period": "error"}


def _said(request: Request, text: Text) -> str:
    """What the last form did: a message key from our own list or the error catalogue, never text."""
    key = request.query_params.get("said", "")
    if key in SAID:
        return banner(SAID[key], text(f"console.said_{key}"))
    if key.startswith("error.") and key[6:] in ErrorCode.__members__:
        return banner("error", text(key))
    return ""


def _sign_out(text: Text) -> str:
    return (
        f'<form method="post" action="/signout">{CSRF_FIELD}'
        + button(text("nav.signout"), "tertiary")
        + f"</form>{FILL_CSRF}"
    )


def _table(caption: str, head: tuple[str, ...], rows: Sequence[Sequence[str]], numeric_from: int = 1) -> str:
    cells = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if i >= numeric_from else ""}">{escape(c)}</td>' for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(caption)}">'
        f"<table><caption>{escape(caption)}</caption>"
        f"<thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table></div>"
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
    base = f"/reports/{r.municipality_code}/{r.month}"
    return (
        f"<h2>{escape(text('console.month', month=r.month))}</h2>"
        + _table(
            text("console.flows"),
            (text("console.item"), text("console.entries"), text("console.residents"), "pt"),
            flows,
        )
        + _table(
            text("console.by_source"),
            (text("console.source"), text("console.name"), text("console.entries"), "pt"),
            sources,
            2,
        )
        + _table(
            text("console.by_funder"),
            (text("console.funder"), text("console.name"), text("console.outstanding"), *r.forecast_months),
            funders,
            2,
        )
        + f'<img class="chart" src="{base}.svg" alt="{escape(text("console.chart_alt", month=r.month))}">'
        + f'<p><a href="{base}.csv">{escape(text("console.csv"))}</a></p>'
    )


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
        close = (
            f'<form method="post" action="/console/settlements/close?lang={text.lang}">{CSRF_FIELD}'
            f'<input type="hidden" name="m" value="{escape(town.code)}">'
            f'<input type="hidden" name="periodEnd" value="{period_end.isoformat()}">'
            f'<label class="choice"><input type="checkbox" class="check" name="confirm" value="yes" required>'
            f" {escape(text('console.confirm', end=period_end.isoformat()))}</label>"
            + button(text("console.close", end=period_end.isoformat()))
            + f"</form>{FILL_CSRF}"
        )
    table = (
        _table(
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
