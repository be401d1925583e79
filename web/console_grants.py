"""``/console/grants``: a department grants points — to one resident by MyKey ID, or to a list (CSV in
UTF-8 or Shift_JIS, or an Excel sheet) checked in a dry run that shows every bad row and applies
nothing, then granted after a confirmation with its progress on screen — and reads its history.

Department staff see their own department's batches; admins and the operator see the municipality's.
"""

import asyncio
import dataclasses
import logging
import secrets
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from domain.audit.log import logins
from domain.auth.actor import Actor
from domain.auth.tokens import same
from domain.clock import JST
from domain.errors import DomainError
from domain.municipalities.queries import MunicipalityView
from domain.numbers import ascii_int
from domain.points.grant_files import (
    MAX_BYTES,
    CheckedList,
    GrantFileView,
    check_grant_list,
    get_grant_file,
    list_grant_batches,
    run_grant_file,
    start_grant_file,
)
from domain.points.grants import GrantRefused, GrantRequest, GrantRow, RowError, grant_points
from domain.programs.queries import list_programs_by_municipality
from domain.sql import reader, side_reader
from models.grants import GrantFileStatus
from web.assets import script
from web.components import banner, button, confirm_box, data_table, field, link_button, select
from web.console import ConsolePages, _said, _sign_out, desk_head
from web.cookies import CSRF_FIELD, FILL_CSRF
from web.i18n import Text, catalogue, language, refusal_key
from web.layout import page

log = logging.getLogger(__name__)
UPLOAD_BYTES = MAX_BYTES + 64 * 1024  # the request bound of the list's upload


@dataclass
class GrantDesk:
    pages: ConsolePages
    running: set[asyncio.Task[None]] = dataclasses.field(
        default_factory=set
    )  # lists being granted by this process

    def _back(self, text: Text, town: MunicipalityView, said: str, **more: str) -> RedirectResponse:
        query = urlencode({"lang": text.lang, "m": town.code, "said": said} | more)
        return RedirectResponse(f"/console/grants?{query}", status_code=303)

    async def _programs(self, town: MunicipalityView) -> list[tuple[str, str]]:
        programs = (await list_programs_by_municipality(reader(), [town.id]))[town.id]
        return [(str(p.id), p.name) for p in programs]

    async def show(self, request: Request) -> Response:
        text = Text(language(request))
        officer = await self.pages.officer(request)
        if officer is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        found, town = officer
        programs = await self._programs(town)
        batches = await list_grant_batches(found.actor, reader(), town.code)
        who = await logins(reader(), {b.sent_by for b in batches})
        rows = [
            (
                f"{text.short_day(b.created_at)} {b.created_at.astimezone(JST):%H:%M}",
                b.program_name,
                b.department or text("console.no_department"),
                who.get(b.sent_by, b.sent_by),
                b.file_name or text("console.grant_single"),
                b.reason,
                f"{b.rows:,}",
                f"{b.points:,}",
            )
            for b in batches
        ]
        hidden = f'<input type="hidden" name="m" value="{escape(town.code)}">{CSRF_FIELD}'
        department = found.actor.department
        one = (
            f"<h2>{escape(text('console.grant_one'))}</h2>"
            f'<form method="post" action="/console/grants/one?lang={text.lang}">{hidden}'
            f'<input type="hidden" name="key" value="{secrets.token_urlsafe(16)}">'
            + select("one-program", text("console.program"), programs, name="programId")
            + field(
                "one-id",
                text("console.my_key_id"),
                name="myKeyId",
                hint=text("console.my_key_id_hint"),
                attrs=' required maxlength="8" autocomplete="off" autocapitalize="characters"',
            )
            + field(
                "one-points", text("console.points"), name="points", attrs=' inputmode="numeric" required'
            )
            + field("one-reason", text("console.reason"), name="reason", attrs=' required maxlength="200"')
            + confirm_box(text("console.grant_confirm"))
            + button(text("console.grant_one_go"))
            + f"</form>{FILL_CSRF}"
        )
        upload = (
            f"<h2>{escape(text('console.grant_list'))}</h2><p>{escape(text('console.grant_list_lead'))}</p>"
            f'<form method="post" enctype="multipart/form-data"'
            f' action="/console/grants/file?lang={text.lang}">{hidden}'
            + select("list-program", text("console.program"), programs, name="programId")
            + field("list-reason", text("console.reason"), name="reason", attrs=' required maxlength="200"')
            + field(
                "list-file",
                text("console.grant_file"),
                name="file",
                kind="file",
                hint=text("console.grant_file_hint"),
                attrs=' required accept=".csv,.txt,.xlsx,text/csv"',
            )
            + button(text("console.grant_check"))
            + f"</form>{FILL_CSRF}"
        )
        history_title = (
            text("console.grant_history_of", department=department)
            if department
            else text("console.grant_history")
        )
        history = f"<h2>{escape(history_title)}</h2>" + (
            data_table(
                history_title,
                tuple(
                    text(k)
                    for k in (
                        "console.when",
                        "console.program",
                        "console.department",
                        "console.sent_by",
                        "console.grant_file",
                        "console.reason",
                        "console.residents",
                        "console.points",
                    )
                ),
                rows,
                6,
            )
            if rows
            else f"<p>{escape(text('console.no_batches'))}</p>"
        )
        body = (
            desk_head(text, town, found, "/console/grants", text("console.grants"))
            + _said(request, text)
            + one
            + upload
            + history
            + _sign_out(text)
        )
        return page(text, text("console.grants"), body)

    async def one(self, request: Request) -> Response:
        """``POST /console/grants/one``: one resident, after the confirmation (it moves points)."""
        text = Text(language(request))
        posted = await self.pages.posted(request)
        if posted is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        found, town, form = posted
        if form.get("confirm") != "yes":
            return self._back(text, town, "confirm")
        points = ascii_int(form.get("points", "").strip())
        grant = GrantRequest(
            program_id=ascii_int(form.get("programId", "")) or -1,
            reason=form.get("reason", ""),
            idempotency_key=f"console-{form.get('key', '')}",
            rows=[GrantRow(form.get("myKeyId", "").strip().upper(), -1 if points is None else points)],
        )
        try:
            done = await grant_points(found.actor, grant, self.pages.clock.now())
        except GrantRefused as refused:
            return self._back(text, town, f"row_{refused.row_errors[0].reason}")
        except DomainError as error:
            return self._back(text, town, refusal_key(error))
        return self._back(text, town, "granted", points=str(done.points))

    async def check(self, request: Request) -> Response:
        """``POST /console/grants/file``: the dry run of a list — every bad row, or the confirmation."""
        text = Text(language(request))
        officer = await self.pages.officer(request)  # the session first: nobody else's file is read
        if officer is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        async with request.form(max_files=1, max_fields=20) as form:
            upload = form.get("file")
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            data = await upload.read() if isinstance(upload, UploadFile) else b""
            name = (upload.filename or "") if isinstance(upload, UploadFile) else ""
        if not same(fields.get("csrf", ""), officer[0].csrf_hash):
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        found, town = officer
        try:
            checked = await check_grant_list(
                found.actor,
                ascii_int(fields.get("programId", "")) or -1,
                fields.get("reason", ""),
                name,
                data,
                self.pages.clock.now(),
            )
        except DomainError as error:
            return self._back(text, town, refusal_key(error))
        programs = dict(await self._programs(town))
        body = desk_head(text, town, found, "/console/grants", text("console.grant_check_title"))
        body += _summary(text, name, programs.get(fields.get("programId", ""), ""), fields, checked)
        if checked.file_id is None:
            body += _bad_rows(text, checked) + link_button(
                f"/console/grants?lang={text.lang}&m={town.code}", text("console.grant_again"), "secondary"
            )
            return page(text, text("console.grant_check_title"), body, status=422)
        body += (
            f'<form method="post" id="grant-file" action="/console/grants/files/{checked.file_id}/start'
            f'?lang={text.lang}" data-progress="/console/grants/files/{checked.file_id}/progress">'
            f'<input type="hidden" name="m" value="{escape(town.code)}">{CSRF_FIELD}'
            + confirm_box(
                text("console.grant_file_confirm", rows=f"{checked.rows:,}", points=f"{checked.points:,}")
            )
            + button(text("console.grant_go"))
            + "</form>"
            + '<div class="progress-box" hidden>'
            + f'<label for="grant-progress">{escape(text("console.progress"))}</label>'
            + f'<progress id="grant-progress" max="{checked.rows}" value="0"></progress>'
            f'<p id="grant-status" role="status" aria-live="polite"'
            f' data-checking="{escape(catalogue(text.lang)["console.progress_checking"])}"'
            f' data-writing="{escape(catalogue(text.lang)["console.progress_writing"])}"'
            f' data-done="{escape(catalogue(text.lang)["console.progress_done"])}"'
            f' data-failed="{escape(catalogue(text.lang)["console.progress_failed"])}"></p></div>'
            + link_button(
                f"/console/grants?lang={text.lang}&m={town.code}", text("console.grant_cancel"), "tertiary"
            )
            + FILL_CSRF
            + script("grant_file.js")
        )
        return page(text, text("console.grant_check_title"), body)

    async def start(self, request: Request) -> Response:
        """``POST /console/grants/files/{id}/start``: claim the list and grant it. A script asking for
        JSON gets 202 at once and follows the progress; a plain form waits and is sent to the history."""
        text = Text(language(request))
        posted = await self.pages.posted(request)
        wants_json = "application/json" in request.headers.get("accept", "")
        if posted is None:
            if wants_json:
                return JSONResponse({"error": text("error.UNAUTHENTICATED")}, status_code=401)
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        found, town, form = posted
        file_id = ascii_int(request.path_params["file_id"]) or -1
        if form.get("confirm") != "yes":
            if wants_json:
                return JSONResponse({"error": text("console.said_confirm")}, status_code=400)
            return self._back(text, town, "confirm")
        now = self.pages.clock.now()
        try:
            await start_grant_file(found.actor, file_id, now)
        except DomainError as error:
            if wants_json:
                return JSONResponse({"error": text.error(error)}, status_code=409)
            return self._back(text, town, refusal_key(error))
        if wants_json:
            task = asyncio.create_task(self._run(found.actor, file_id))
            self.running.add(task)
            task.add_done_callback(self.running.discard)
            return JSONResponse({"started": file_id}, status_code=202)
        try:
            done = await run_grant_file(found.actor, file_id, now)
        except DomainError as error:
            return self._back(text, town, refusal_key(error))
        return self._back(text, town, "granted", points=str(done.points))

    async def _run(self, actor: Actor, file_id: int) -> None:
        try:
            await run_grant_file(actor, file_id, self.pages.clock.now())
        except DomainError:
            pass  # recorded on the list as FAILED, with its reason; the page reads it
        except Exception:
            log.exception("granting list %s failed", file_id)

    async def progress(self, request: Request) -> Response:
        """``GET /console/grants/files/{id}/progress``: how far the list's grant is (JSON). Read
        beside the grant's own write transaction (:func:`domain.sql.side_reader`), so that on SQLite
        the answer does not wait for the grant to commit."""
        text = Text(language(request))
        sql = side_reader()
        found = await self.pages.officer(request, sql=sql)
        if found is None:
            return JSONResponse({"error": text("error.UNAUTHENTICATED")}, status_code=401)
        try:
            file_id = ascii_int(request.path_params["file_id"]) or -1
            staged = await get_grant_file(found[0].actor, sql, file_id)
        except DomainError as error:
            return JSONResponse({"error": text.error(error)}, status_code=404)
        return JSONResponse(_progress(staged))


def _progress(staged: GrantFileView) -> dict[str, object]:
    phase = {
        GrantFileStatus.CHECKED: "waiting",
        GrantFileStatus.RUNNING: "checking" if staged.done_rows < staged.row_count else "writing",
        GrantFileStatus.DONE: "done",
        GrantFileStatus.FAILED: "failed",
    }[staged.status]
    return {
        "phase": phase,
        "done": staged.done_rows,
        "total": staged.row_count,
        "points": staged.points,
        "failure": staged.failure,
    }


def _summary(text: Text, name: str, program: str, fields: dict[str, str], checked: CheckedList) -> str:
    rows = [
        (text("console.grant_file"), name or "-"),
        (text("console.encoding"), checked.encoding),
        (text("console.program"), program),
        (text("console.reason"), fields.get("reason", "").strip()),
        (text("console.rows"), f"{checked.rows:,}"),
        (text("console.points"), f"{checked.points:,}"),
    ]
    table = data_table(
        text("console.grant_check_title"), (text("console.item"), text("console.value")), rows, 9
    )
    folded = (
        banner("info", text("console.folded", rows=f"{checked.folded:,}"), live=False)
        if checked.folded
        else ""
    )
    if checked.file_id is None:
        return (
            banner(
                "error",
                text("console.bad_rows", count=f"{checked.error_count:,}"),
                f"<p>{escape(text('console.nothing_applied'))}</p>",
            )
            + table
        )
    return banner("success", text("console.list_good", rows=f"{checked.rows:,}"), live=False) + table + folded


def _bad_rows(text: Text, checked: CheckedList) -> str:
    rows = [(f"{e.row:,}", e.my_key_id or "-", _row_problem(text, e)) for e in checked.errors]
    shown = ""
    if checked.error_count > len(checked.errors):
        shown = f"<p>{escape(text('console.bad_rows_shown', shown=f'{len(checked.errors):,}'))}</p>"
    return (
        data_table(
            text("console.bad_rows_title"),
            (text("console.line"), text("console.my_key_id"), text("console.problem")),
            rows,
            9,
        )
        + shown
    )


def _row_problem(text: Text, error: RowError) -> str:
    return text(f"console.row_{error.reason}")
