"""Sign-in for staff pages (the shop's phone, the operator's desk): one form, one check of the role."""

from dataclasses import dataclass
from html import escape

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.auth.permissions import Caller, Permission
from domain.clock import Clock
from domain.errors import DomainError
from domain.staff.actions import log_in_staff
from schema.sessions import set_session_cookies
from web.i18n import Text, language
from web.layout import page


@dataclass(frozen=True)
class StaffSignIn:
    """``path`` takes the form; staff whom ``permission`` admits land on ``landing``, others see ``only``."""

    path: str
    title: str  # message key
    permission: Permission  # who may use this desk
    landing: str
    only: str  # message key
    clock: Clock
    secure_cookies: bool

    def form(self, text: Text, error: str = "") -> str:
        failed = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
        return (
            f"<h1>{escape(text(self.title))}</h1>{failed}"
            f'<form method="post" action="{self.path}?lang={text.lang}">'
            f'<label for="login">{escape(text("shop.login"))}</label>'
            '<input id="login" name="login" autocomplete="username" required maxlength="60">'
            f'<label for="pw">{escape(text("signin.password"))}</label>'
            '<input id="pw" name="password" type="password" autocomplete="current-password" required>'
            f'<button type="submit">{escape(text("signin.submit"))}</button></form>'
        )

    async def respond(self, request: Request) -> Response:
        text = Text(language(request))
        if request.method == "GET":
            return page(text, text(self.title), self.form(text))
        form = await request.form()
        address = request.client.host if request.client else "unknown"
        try:
            staff, session = await log_in_staff(
                str(form.get("login", "")), str(form.get("password", "")), self.clock.now(), address
            )
        except DomainError as error:
            return page(text, text(self.title), self.form(text, text.error(error)), status=401)
        if not self.permission.admits_caller(Caller(staff.role.value)):
            return page(text, text(self.title), self.form(text, text(self.only)), status=403)
        response = RedirectResponse(f"{self.landing}?lang={text.lang}", status_code=303)
        set_session_cookies(response, session, self.clock.now(), self.secure_cookies)
        return response
