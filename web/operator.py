"""The operator's desk: sign in, and suspend a MyKey ID when its resident asks (seed 002:
利用停止の申請の受付 — a lost card reported by telephone or at a counter), with the reason.

The page calls the same action as the ``suspendMyKeyIdOnRequest`` mutation; the reason and who
suspended are kept with the resident.
"""

from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.auth.permissions import Permission
from domain.auth.sessions import SessionActor
from domain.auth.tokens import same
from domain.clock import Clock
from domain.errors import DomainError
from domain.partners.billing import BillingInput, list_partner_billing, set_partner_billing
from domain.residents.actions import suspend_on_request
from domain.sql import reader
from domain.staff.actions import StaffInput, add_staff
from models.staff import StaffRole
from web.components import banner, button, field, select
from web.cookies import CSRF_FIELD, FILL_CSRF, signed_in
from web.i18n import Text, catalogue, language, refusal_key
from web.layout import page
from web.staff_signin import StaffSignIn


def _desk(text: Text, said: str = "", failed: bool = False) -> str:
    status = ""
    if said:
        kind = 'class="error" role="alert"' if failed else 'class="card" role="status"'
        status = f"<p {kind}>{escape(said)}</p>"
    return (
        f"<h1>{escape(text('operator.title'))}</h1>{status}"
        f"<p>{escape(text('operator.lead'))}</p>"
        f'<form method="post" action="/operator/suspend?lang={text.lang}">{CSRF_FIELD}'
        f'<label for="id">{escape(text("signin.mykeyid"))}</label>'
        '<input id="id" name="myKeyId" autocapitalize="characters" required maxlength="8">'
        f'<label for="reason">{escape(text("operator.reason"))}</label>'
        '<input id="reason" name="reason" required maxlength="200">'
        f'<button type="submit">{escape(text("operator.suspend"))}</button></form>' + FILL_CSRF
    )


@dataclass(frozen=True)
class OperatorPages:
    clock: Clock
    secure_cookies: bool

    async def _operator(self, request: Request) -> SessionActor | None:
        return await signed_in(request, self.clock.now(), Permission.OPERATOR)

    async def signin(self, request: Request) -> Response:
        return await StaffSignIn(
            "/operator/signin",
            "operator.signin",
            Permission.OPERATOR,
            "/operator",
            "operator.only",
            self.clock,
            self.secure_cookies,
        ).respond(request)

    async def desk(self, request: Request) -> Response:
        text = Text(language(request))
        if await self._operator(request) is None:
            return RedirectResponse(f"/operator/signin?lang={text.lang}", status_code=303)
        return page(text, text("operator.title"), _desk(text))

    async def suspend(self, request: Request) -> Response:
        text = Text(language(request))
        found = await self._operator(request)
        form = {k: str(v) for k, v in (await request.form()).items()}
        if found is None or not same(form.get("csrf", ""), found.csrf_hash):
            return RedirectResponse(f"/operator/signin?lang={text.lang}", status_code=303)
        try:
            resident = await suspend_on_request(
                found.actor, form.get("myKeyId", ""), form.get("reason", ""), self.clock.now()
            )
        except DomainError as error:
            return page(text, text("operator.title"), _desk(text, text.error(error), failed=True), status=400)
        done = text("operator.done", my_key_id=resident.my_key_id)
        return page(text, text("operator.title"), _desk(text, done))


@dataclass(frozen=True)
class PartnerBillingDesk:
    """``/operator/partners``: who each partner's invoices go to (the settlement's partner statements
    name them), recorded by the operator."""

    clock: Clock

    async def show(self, request: Request) -> Response:
        text = Text(language(request))
        found = await signed_in(request, self.clock.now(), Permission.OPERATOR)
        if found is None:
            return RedirectResponse(f"/operator/signin?lang={text.lang}", status_code=303)
        partners = await list_partner_billing(found.actor, reader())
        items = "".join(
            f"<li><strong>{escape(p.name)}</strong> ({escape(p.client_id)})<br>"
            + escape(
                f"{p.billing_name} · {p.billing_email} · {p.invoice_number or '-'}"
                if p.billing_name
                else text("operator.billing_none")
            )
            + "</li>"
            for p in partners
        )
        said = request.query_params.get("said", "")
        notice = ""
        if said == "saved":
            notice = banner("success", text("operator.billing_saved"))
        elif said == "staff_added":
            notice = banner("success", text("operator.partner_staff_added"))
        elif said.startswith("error.") and said in catalogue("ja"):
            notice = banner("error", text(said))
        options = [(p.client_id, p.name) for p in partners]
        body = (
            f"<h1>{escape(text('operator.billing_title'))}</h1>{notice}"
            f'<ul class="plain">{items}</ul>'
            f'<form method="post" action="/operator/partners/billing?lang={text.lang}">{CSRF_FIELD}'
            + select("partner", text("operator.partner"), options, name="clientId")
            + field("billing-name", text("operator.billing_name"), name="name", attrs=" required")
            + field("billing-department", text("operator.billing_department"), name="department")
            + field("postal", text("operator.postal"), name="postalCode", hint="210-8577", attrs=" required")
            + field("address", text("operator.address"), name="address", attrs=" required")
            + field(
                "billing-email", text("operator.billing_email"), name="email", kind="email", attrs=" required"
            )
            + field("invoice", text("operator.invoice"), name="invoiceNumber", hint="T1234567890123")
            + button(text("operator.billing_save"))
            + "</form>"
            + f"<h2>{escape(text('operator.partner_staff_title'))}</h2>"
            + f"<p>{escape(text('operator.partner_staff_lead'))}</p>"
            + f'<form method="post" action="/operator/partners/staff?lang={text.lang}">{CSRF_FIELD}'
            + select("staff-partner", text("operator.partner"), options, name="clientId")
            + field("staff-login", text("shop.login"), name="login", attrs=' required maxlength="80"')
            + field(
                "staff-password",
                text("console.first_password"),
                name="password",
                kind="password",
                hint=text("console.first_password_hint"),
                attrs=' required minlength="12" autocomplete="new-password"',
            )
            + button(text("operator.partner_staff_add"))
            + f"</form>{FILL_CSRF}"
        )
        return page(text, text("operator.billing_title"), body)

    async def save(self, request: Request) -> Response:
        text = Text(language(request))
        found = await signed_in(request, self.clock.now(), Permission.OPERATOR)
        form = {k: str(v) for k, v in (await request.form()).items()}
        if found is None or not same(form.get("csrf", ""), found.csrf_hash):
            return RedirectResponse(f"/operator/signin?lang={text.lang}", status_code=303)
        details = BillingInput(
            name=form.get("name", ""),
            postal_code=form.get("postalCode", ""),
            address=form.get("address", ""),
            email=form.get("email", ""),
            department=form.get("department") or None,
            invoice_number=form.get("invoiceNumber") or None,
        )
        try:
            await set_partner_billing(found.actor, form.get("clientId", ""), details, self.clock.now())
            said = "saved"
        except DomainError as error:
            said = refusal_key(error)
        query = urlencode({"lang": text.lang, "said": said})
        return RedirectResponse(f"/operator/partners?{query}", status_code=303)

    async def add_staff(self, request: Request) -> Response:
        """``POST /operator/partners/staff``: an account for a partner's console."""
        text = Text(language(request))
        found = await signed_in(request, self.clock.now(), Permission.OPERATOR)
        form = {k: str(v) for k, v in (await request.form()).items()}
        if found is None or not same(form.get("csrf", ""), found.csrf_hash):
            return RedirectResponse(f"/operator/signin?lang={text.lang}", status_code=303)
        staff = StaffInput(
            form.get("login", "").strip(),
            form.get("password", ""),
            StaffRole.PARTNER_STAFF,
            partner_client_id=form.get("clientId", ""),
        )
        try:
            await add_staff(found.actor, staff, self.clock.now())
            said = "staff_added"
        except DomainError as error:
            said = refusal_key(error)
        query = urlencode({"lang": text.lang, "said": said})
        return RedirectResponse(f"/operator/partners?{query}", status_code=303)
