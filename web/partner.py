"""The partner console (``/partner``), for a partner company's staff: its exchanges by day with the
reconciliation file, its coupon batches (issue, the one download, redeemed, void), what it owes each
municipality, its keys (client secret rotation with an overlap, webhook, the widget's return
addresses) and its activity log.

Every page calls the same domain function as its GraphQL operation, so the access layer decides what
a partner's staff see: their own partner's, and nothing of the residents behind an exchange. Secrets
are shown once, in the answer to the form that made them, never in a URL.
"""

from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.audit.log import list_partner_audit
from domain.auth.permissions import Permission
from domain.auth.sessions import SessionActor
from domain.auth.tokens import same
from domain.clock import JST, Clock, japan_date
from domain.errors import DomainError, ErrorCode
from domain.numbers import ascii_int
from domain.partners.actions import PartnerKeys, partner_keys, rotate_partner_secret
from domain.partners.authorize import set_redirect_uris
from domain.partners.coupons import download_batch, issue_batch, list_batches, void_batch
from domain.partners.reconciliation import list_partner_exchanges
from domain.partners.statements import list_partner_statements
from domain.partners.webhooks import set_webhook
from domain.sql import reader
from web.components import Tone, banner, button, confirm_box, data_table, field, select
from web.cookies import CSRF_FIELD, FILL_CSRF, signed_in
from web.i18n import Text, catalogue, language, refusal_key
from web.layout import page
from web.staff_signin import StaffSignIn

SEAL_COOKIE = "mykey_coupon_seal_{}"  # a sealed batch's key, in the issuing browser only

DESKS = (
    ("/partner", "partner.exchanges"),
    ("/partner/coupons", "partner.coupons"),
    ("/partner/statements", "partner.statements"),
    ("/partner/keys", "partner.keys"),
    ("/partner/activity", "partner.activity"),
)

SAID: dict[str, Tone] = {
    "issued": "success",
    "voided": "success",
    "confirm": "error",
}


def _when(value: datetime | None) -> str:
    return "-" if value is None else f"{value.astimezone(JST):%Y-%m-%d %H:%M}"


def _said(request: Request, text: Text) -> str:
    """What the last form did: a message key from our own list or the error catalogue, never text."""
    key = request.query_params.get("said", "")
    if key in SAID:
        return banner(SAID[key], text(f"partner.said_{key}"))
    if key.startswith("error.") and key.split(".")[1] in ErrorCode.__members__ and key in catalogue("ja"):
        return banner("error", text(key))
    return ""


@dataclass(frozen=True)
class PartnerPages:
    clock: Clock
    secure_cookies: bool

    async def signin(self, request: Request) -> Response:
        return await StaffSignIn(
            "/partner/signin",
            "partner.signin",
            Permission.PARTNER_STAFF,
            "/partner",
            "partner.only",
            self.clock,
            self.secure_cookies,
        ).respond(request)

    async def _staff(self, request: Request) -> SessionActor | None:
        return await signed_in(request, self.clock.now(), Permission.PARTNER_STAFF)

    async def _posted(self, request: Request) -> tuple[SessionActor, dict[str, str]] | None:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        found = await self._staff(request)
        if found is None or not same(form.get("csrf", ""), found.csrf_hash):
            return None
        return found, form

    async def _ticked(
        self, request: Request, text: Text
    ) -> tuple[SessionActor, dict[str, str], str] | Response:
        """A coupon form's sender, its fields and the page to go back to, once its tick is given;
        otherwise the answer (sign in again, or tick the box)."""
        posted = await self._posted(request)
        if posted is None:
            return self._to_signin(text)
        back = f"/partner/coupons?lang={text.lang}"
        if posted[1].get("confirm") != "yes":
            return RedirectResponse(f"{back}&said=confirm", status_code=303)
        return posted[0], posted[1], back

    def _to_signin(self, text: Text) -> Response:
        return RedirectResponse(f"/partner/signin?lang={text.lang}", status_code=303)

    async def _frame(self, text: Text, found: SessionActor, here: str, title: str, body: str) -> Response:
        keys = await partner_keys(found.actor, reader())
        current = ' aria-current="page"'
        items = "".join(
            f'<li><a href="{path}?lang={text.lang}"{current if path == here else ""}>'
            f"{escape(text(key))}</a></li>"
            for path, key in DESKS
        )
        nav = f'<nav class="desk-nav" aria-label="{escape(text("partner.nav"))}"><ul>{items}</ul></nav>'
        head = f'{nav}<h1>{escape(title)}</h1><p class="big-number">{escape(keys.name)}</p>'
        signout = (
            f'<form method="post" action="/signout">{CSRF_FIELD}'
            + button(text("nav.signout"), "tertiary")
            + "</form>"
        )
        return page(text, title, head + body + signout + FILL_CSRF)

    async def exchanges(self, request: Request) -> Response:
        """``GET /partner?day=&ref=``: one Japan day's exchanges (or the one with a reference)."""
        text = Text(language(request))
        found = await self._staff(request)
        if found is None:
            return self._to_signin(text)
        now = self.clock.now()
        ref = request.query_params.get("ref", "").strip()[:100]
        notice = ""
        try:
            day = date.fromisoformat(request.query_params.get("day", "") or japan_date(now).isoformat())
            listed = await list_partner_exchanges(found.actor, reader(), day, now, ref or None)
        except ValueError:
            day, listed = japan_date(now), []
            notice = banner("error", text("partner.bad_day"))
        except DomainError as error:
            day, listed = japan_date(now), []
            notice = banner("error", text.error(error))
        rows = [
            (
                f"{e.id}",
                e.external_ref,
                _when(e.created_at),
                f"{e.partner_points:,}",
                f"{e.yen:,}",
                f"{e.points:,}",
                text(f"partner.status_{e.status}") if e.status == "COMPLETED" else e.status,
            )
            for e in listed
        ]
        totals = text(
            "partner.day_totals",
            count=f"{len(listed):,}",
            yen=f"{sum(e.yen for e in listed):,}",
            points=f"{sum(e.points for e in listed):,}",
        )
        filters = (
            f'<form method="get" action="/partner" class="inline-form"><input type="hidden" name="lang"'
            f' value="{text.lang}">'
            + field("day", text("partner.day"), kind="date", value=day.isoformat(), attrs=" required")
            + field("ref", text("partner.ref"), value=ref, attrs=' maxlength="100"')
            + button(text("partner.show"), "secondary")
            + "</form>"
        )
        body = (
            notice
            + filters
            + data_table(
                text("partner.exchanges_of", day=day.isoformat()),
                tuple(
                    text(k)
                    for k in (
                        "partner.exchange_id",
                        "partner.ref",
                        "partner.at",
                        "partner.partner_points",
                        "partner.yen",
                        "partner.points",
                        "partner.state",
                    )
                ),
                rows,
                3,
            )
            + f"<p>{escape(totals)}</p>"
            + f'<p><a href="/partner/reconciliation/{day.isoformat()}.csv" download>'
            f"{escape(text('partner.reconciliation', day=day.isoformat()))}</a></p>"
        )
        return await self._frame(text, found, "/partner", text("partner.exchanges"), body)

    async def coupons(self, request: Request) -> Response:
        text = Text(language(request))
        found = await self._staff(request)
        if found is None:
            return self._to_signin(text)
        now = self.clock.now()
        batches = await list_batches(found.actor, reader())
        rows = []
        actions = []
        for b in batches:
            state = (
                text("partner.batch_voided")
                if b.voided_at
                else text("partner.batch_ready")
                if b.downloadable(now)
                else text("partner.batch_downloaded")
                if b.downloaded_at
                else text("partner.batch_lapsed")
            )
            rows.append(
                (
                    f"{b.id}",
                    _when(b.created_at),
                    state,
                    f"{b.count:,}",
                    f"{b.points:,}",
                    f"{b.redeemed:,}",
                    f"{b.voided:,}",
                    _when(b.expires_at),
                )
            )
            actions.append(self._batch_actions(text, b.id, b.downloadable(now), b.voided_at is None))
        issue = (
            f"<h2>{escape(text('partner.issue_title'))}</h2>"
            f'<form method="post" action="/partner/coupons/issue?lang={text.lang}">{CSRF_FIELD}'
            + field(
                "count",
                text("partner.count"),
                kind="number",
                value="100",
                attrs=' min="1" max="1000" required',
            )
            + field(
                "coupon-points",
                text("partner.coupon_points"),
                name="points",
                kind="number",
                value="500",
                attrs=' min="1" max="100000" required',
            )
            + field(
                "expires",
                text("partner.expires_on"),
                name="expiresOn",
                kind="date",
                hint=text("partner.expires_hint"),
            )
            + confirm_box(text("partner.issue_confirm"))
            + button(text("partner.issue"))
            + "</form>"
        )
        body = (
            _said(request, text)
            + banner("info", text("partner.coupons_lead"), live=False)
            + issue
            + data_table(
                text("partner.batches"),
                tuple(
                    text(k)
                    for k in (
                        "partner.batch",
                        "partner.issued_at",
                        "partner.state",
                        "partner.count",
                        "partner.coupon_points",
                        "partner.redeemed",
                        "partner.voided",
                        "partner.expires",
                    )
                ),
                rows,
                3,
            )
            + "".join(actions)
        )
        return await self._frame(text, found, "/partner/coupons", text("partner.coupons"), body)

    @staticmethod
    def _batch_actions(text: Text, batch_id: int, downloadable: bool, voidable: bool) -> str:
        if not (downloadable or voidable):
            return ""
        parts = [
            f'<section class="card" aria-labelledby="batch-{batch_id}"><h3 id="batch-{batch_id}">'
            f"{escape(text('partner.batch_n', batch=batch_id))}</h3>"
        ]
        if downloadable:
            parts.append(
                f'<form method="post" action="/partner/coupons/{batch_id}/download?lang={text.lang}">'
                f"{CSRF_FIELD}" + button(text("partner.download")) + "</form>"
            )
        if voidable:
            parts.append(
                f'<form method="post" action="/partner/coupons/{batch_id}/void?lang={text.lang}">{CSRF_FIELD}'
                + confirm_box(text("partner.void_confirm"), name="confirm")
                + button(text("partner.void"), "secondary")
                + "</form>"
            )
        return "".join(parts) + "</section>"

    async def issue(self, request: Request) -> Response:
        """``POST /partner/coupons/issue``: a sealed batch; its key goes to this browser alone."""
        text = Text(language(request))
        ticked = await self._ticked(request, text)
        if isinstance(ticked, Response):
            return ticked
        found, form, back = ticked
        now = self.clock.now()
        try:
            ends = None
            if form.get("expiresOn", "").strip():
                try:  # the end of that Japan day
                    last = date.fromisoformat(form["expiresOn"].strip())
                except ValueError as exc:
                    raise DomainError(
                        ErrorCode.INVALID_INPUT, "The date is YYYY-MM-DD.", "expiresAt"
                    ) from exc
                ends = datetime.combine(last, datetime.max.time(), JST).replace(microsecond=0)
            done = await issue_batch(
                found.actor,
                ascii_int(form.get("count", "")) or 0,
                ascii_int(form.get("points", "")) or 0,
                ends,
                now,
                sealed=True,
            )
        except DomainError as error:
            return RedirectResponse(f"{back}&said={refusal_key(error)}", status_code=303)
        response = RedirectResponse(f"{back}&said=issued", status_code=303)
        assert done.seal_key is not None
        response.set_cookie(
            SEAL_COOKIE.format(done.batch_id),
            done.seal_key,
            max_age=3600,
            path=f"/partner/coupons/{done.batch_id}",
            httponly=True,
            samesite="strict",
            secure=self.secure_cookies,
        )
        return response

    async def download(self, request: Request) -> Response:
        """``POST /partner/coupons/{id}/download``: the codes as CSV, once."""
        text = Text(language(request))
        posted = await self._posted(request)
        if posted is None:
            return self._to_signin(text)
        found, _ = posted
        batch_id = ascii_int(request.path_params["id"]) or -1
        cookie = SEAL_COOKIE.format(batch_id)
        try:
            content = await download_batch(
                found.actor, batch_id, request.cookies.get(cookie, ""), self.clock.now()
            )
        except DomainError as error:
            return RedirectResponse(
                f"/partner/coupons?lang={text.lang}&said={refusal_key(error)}", status_code=303
            )
        response = Response(
            content,
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="coupons-{batch_id}.csv"',
                "Cache-Control": "no-store",
            },
        )
        response.delete_cookie(cookie, path=f"/partner/coupons/{batch_id}")
        return response

    async def void(self, request: Request) -> Response:
        text = Text(language(request))
        ticked = await self._ticked(request, text)
        if isinstance(ticked, Response):
            return ticked
        found, _, back = ticked
        try:
            await void_batch(found.actor, ascii_int(request.path_params["id"]) or -1, self.clock.now())
        except DomainError as error:
            return RedirectResponse(f"{back}&said={refusal_key(error)}", status_code=303)
        return RedirectResponse(f"{back}&said=voided", status_code=303)

    async def statements(self, request: Request) -> Response:
        text = Text(language(request))
        found = await self._staff(request)
        if found is None:
            return self._to_signin(text)
        listed = await list_partner_statements(found.actor, reader())
        rows = [
            (
                f"{s.period_start} – {s.period_end}",
                f"{s.municipality_name} ({s.municipality_code})",
                f"{s.points:,}",
                f"{s.yen:,}",
                f"{s.carried_in_yen:,}",
                f"{s.payable_yen:,}",
                f"{s.carried_out_yen:,}",
                f"{s.payout_on}",
                _when(s.invoiced_at) if s.invoiced_at else text("partner.not_invoiced"),
            )
            for s in listed
        ]
        owed = sum(s.payable_yen for s in listed if s.invoiced_at is None)
        body = (
            banner("info", text("partner.statements_lead"), live=False)
            + data_table(
                text("partner.statements"),
                tuple(
                    text(k)
                    for k in (
                        "partner.period",
                        "partner.municipality",
                        "partner.points",
                        "partner.yen",
                        "partner.carried_in",
                        "partner.payable",
                        "partner.carried_out",
                        "partner.payout_on",
                        "partner.invoiced",
                    )
                ),
                rows,
                2,
            )
            + f'<p class="big-number">{escape(text("partner.owed_total", yen=f"{owed:,}"))}</p>'
        )
        return await self._frame(text, found, "/partner/statements", text("partner.statements"), body)

    async def keys(self, request: Request) -> Response:
        text = Text(language(request))
        found = await self._staff(request)
        if found is None:
            return self._to_signin(text)
        return await self._keys_page(text, found, "")

    async def _keys_page(self, text: Text, found: SessionActor, shown: str, status: int = 200) -> Response:
        keys = await partner_keys(found.actor, reader())
        body = shown + _keys_forms(text, keys)
        response = await self._frame(text, found, "/partner/keys", text("partner.keys"), body)
        response.status_code = status
        response.headers["Cache-Control"] = "no-store"  # a secret may be on it
        return response

    async def change_keys(self, request: Request) -> Response:
        """``POST /partner/keys``: rotate the secret, set the webhook or the return addresses; a new
        secret is shown once on the answer."""
        text = Text(language(request))
        posted = await self._posted(request)
        if posted is None:
            return self._to_signin(text)
        found, form = posted
        now = self.clock.now()
        keys = await partner_keys(found.actor, reader())
        action = form.get("action", "")
        try:
            if form.get("confirm") != "yes":
                raise DomainError(ErrorCode.INVALID_INPUT, "Tick the confirmation first.", "confirm")
            if action == "rotate":
                overlap = ascii_int(form.get("overlapHours", ""))
                rotated = await rotate_partner_secret(
                    found.actor, keys.client_id, now, -1 if overlap is None else overlap
                )
                until = rotated.previous_valid_until
                note = (
                    text("partner.previous_until", until=_when(until))
                    if until
                    else text("partner.previous_stopped")
                )
                shown = _secret(text, text("partner.new_secret"), rotated.credentials.client_secret, note)
            elif action == "webhook":
                secret = await set_webhook(found.actor, keys.client_id, form.get("url", ""), now)
                shown = (
                    _secret(text, text("partner.webhook_secret"), secret, text("partner.webhook_secret_note"))
                    if secret
                    else banner("success", text("partner.webhook_removed"))
                )
            elif action == "redirects":
                uris = form.get("redirectUris", "").split()
                await set_redirect_uris(found.actor, keys.client_id, uris, now)
                shown = banner("success", text("partner.redirects_saved"))
            else:
                raise DomainError(ErrorCode.INVALID_INPUT, "Choose what to change.", "action")
        except DomainError as error:
            return await self._keys_page(text, found, banner("error", text.error(error)), 400)
        return await self._keys_page(text, found, shown)

    async def activity(self, request: Request) -> Response:
        text = Text(language(request))
        found = await self._staff(request)
        if found is None:
            return self._to_signin(text)
        events = await list_partner_audit(found.actor, reader(), 200)
        rows = [(_when(e.at), e.who, e.action, e.subject) for e in events]
        body = data_table(
            text("partner.activity"),
            tuple(text(k) for k in ("partner.at", "partner.who", "partner.action", "partner.subject")),
            rows,
            9,
        )
        return await self._frame(text, found, "/partner/activity", text("partner.activity"), body)


def _secret(text: Text, title: str, secret: str, note: str) -> str:
    """A secret, once: it is not kept in clear, so this page is the only place it is shown."""
    return banner(
        "success",
        title,
        f'<p><code class="secret" data-secret>{escape(secret)}</code></p><p>{escape(note)}</p>'
        f"<p>{escape(text('partner.shown_once'))}</p>",
    )


def _keys_forms(text: Text, keys: PartnerKeys) -> str:
    def form(action: str, title: str, inner: str, confirm: str, label: str) -> str:
        return (
            f'<section class="card" aria-labelledby="{action}-title">'
            f'<h2 id="{action}-title">{escape(title)}</h2>'
            f'<form method="post" action="/partner/keys?lang={text.lang}">{CSRF_FIELD}'
            f'<input type="hidden" name="action" value="{action}">'
            + inner
            + confirm_box(confirm)
            + button(label)
            + "</form></section>"
        )

    overlaps = [(str(h), text("partner.overlap_hours", hours=h)) for h in (0, 24, 72, 168)]
    previous = (
        f"<p>{escape(text('partner.previous_until', until=_when(keys.previous_secret_until)))}</p>"
        if keys.previous_secret_until
        else ""
    )
    uris = (keys.redirect_uris or "").split()
    return (
        f"<p>{escape(text('partner.client_id'))}: <code>{escape(keys.client_id)}</code></p>"
        + form(
            "rotate",
            text("partner.rotate_title"),
            previous + select("overlap", text("partner.overlap"), overlaps, name="overlapHours", chosen="24"),
            text("partner.rotate_confirm"),
            text("partner.rotate"),
        )
        + form(
            "webhook",
            text("partner.webhook_title"),
            field(
                "webhook-url",
                text("partner.webhook_url"),
                name="url",
                kind="url",
                value=keys.webhook_url or "",
                hint=text("partner.webhook_hint"),
                attrs=' maxlength="500"',
            ),
            text("partner.webhook_confirm"),
            text("partner.webhook_save"),
        )
        + form(
            "redirects",
            text("partner.redirects_title"),
            '<div class="field"><label for="redirect-uris">'
            f"{escape(text('partner.redirects'))}</label>"
            f'<p class="hint" id="redirect-uris-hint">{escape(text("partner.redirects_hint"))}</p>'
            '<textarea id="redirect-uris" name="redirectUris" rows="4" aria-describedby="redirect-uris-hint">'
            f"{escape(chr(10).join(uris))}</textarea></div>",
            text("partner.redirects_confirm"),
            text("partner.redirects_save"),
        )
    )
