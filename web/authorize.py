"""``/oauth/authorize``: the page the exchange widget opens. The resident signs in on MyKey's own
page (first-party: no third-party cookie), sees the partner, its points and their yen value, chooses
reserved points or one of their town's running support events, and confirms. The partner's page then
gets a code through its registered redirect URI. Like every page, it refuses to be framed.
"""

from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from domain.auth import ratelimit
from domain.auth.permissions import Permission
from domain.auth.tokens import same
from domain.clock import Clock, japan_date
from domain.errors import DomainError
from domain.numbers import ascii_int
from domain.partners.authorize import AuthorizationRequest, AuthorizeRefused, check_authorization, grant_code
from domain.programs.queries import list_open_events
from domain.residents.access import access_resident_by_actor
from domain.sql import reader
from web.assets import STATIC, script
from web.components import banner, button, link_button
from web.cookies import CSRF_FIELD, FILL_CSRF, signed_in
from web.i18n import Text, language
from web.layout import page

PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "code_challenge",
    "code_challenge_method",
    "partner_points",
    "external_ref",
)


KEPT = (*PARAMS, "display")  # "popup": the widget opened this page and waits for the result


def _ask(values: dict[str, str]) -> AuthorizationRequest:
    return AuthorizationRequest(*(values.get(name, "") for name in PARAMS))


def _back(uri: str, **query: str) -> RedirectResponse:
    joiner = "&" if "?" in uri else "?"
    return RedirectResponse(f"{uri}{joiner}{urlencode(query)}", status_code=303)


@dataclass(frozen=True)
class AuthorizePages:
    clock: Clock

    def _refused(self, text: Text, refused: AuthorizeRefused, ask: AuthorizationRequest) -> Response:
        if refused.redirect:  # the partner's own URI hears why (RFC 6749 §4.1.2.1)
            return _back(
                ask.redirect_uri, error=refused.error, error_description=refused.message, state=ask.state
            )
        body = banner("error", text("authorize.cannot"), f"<p>{escape(refused.message)}</p>")
        return page(text, text("authorize.title"), body, status=400)

    async def _too_many(self, request: Request, text: Text) -> Response | None:
        """The widget's pages are rate-limited per client address (a 429 page past the allowance)."""
        address = request.client.host if request.client else "unknown"
        try:
            await ratelimit.hit(ratelimit.AUTHORIZE_PER_ADDRESS, address, self.clock.now())
        except DomainError as error:
            return page(text, text("authorize.title"), banner("error", text.error(error)), status=429)
        return None

    async def show(self, request: Request) -> Response:
        text = Text(language(request))
        if (limited := await self._too_many(request, text)) is not None:
            return limited
        values = {k: v for k, v in request.query_params.items() if k in KEPT}
        ask = _ask(values)
        try:
            authorizing = await check_authorization(reader(), ask)
        except AuthorizeRefused as refused:
            return self._refused(text, refused, ask)
        found = await signed_in(request, self.clock.now(), Permission.RESIDENT)
        head = f"<h1>{escape(text('authorize.title'))}</h1>" + banner(
            "info",
            text(
                "authorize.offer",
                partner=authorizing.partner_name,
                points=f"{authorizing.partner_points:,}",
                yen=f"{authorizing.yen:,}",
            ),
            live=False,
        )
        if found is None:
            back = f"/oauth/authorize?{urlencode(values)}"
            signin = f"/signin?{urlencode({'lang': text.lang, 'next': back})}"
            body = (
                head
                + f"<p>{escape(text('authorize.sign_in_first'))}</p>"
                + link_button(signin, text("nav.signin"))
            )
            return page(text, text("authorize.title"), body)
        resident = await access_resident_by_actor(found.actor)
        events = []
        if resident.basic_municipality_id is not None:
            events = await list_open_events(
                reader(), resident.basic_municipality_id, japan_date(self.clock.now())
            )
        choices = (
            '<fieldset class="field"><legend>'
            + escape(text("authorize.into"))
            + "</legend>"
            + '<label class="choice"><input type="radio" class="check" name="program" value="" checked> '
            + escape(text("authorize.reserved", yen=f"{authorizing.yen:,}"))
            + "</label>"
            + "".join(
                f'<label class="choice"><input type="radio" class="check" name="program" value="{e.id}"> '
                f"{escape(text('authorize.event', name=e.name))}</label>"
                for e in events
            )
            + "</fieldset>"
        )
        hidden = "".join(f'<input type="hidden" name="{k}" value="{escape(v)}">' for k, v in values.items())
        body = (
            head
            + f'<form method="post" action="/oauth/authorize?lang={text.lang}">{CSRF_FIELD}{hidden}'
            + choices
            + button(text("authorize.confirm", partner=authorizing.partner_name))
            + "</form>"
            + f'<form method="get" action="{escape(authorizing.redirect_uri)}">'
            + '<input type="hidden" name="error" value="access_denied">'
            + f'<input type="hidden" name="state" value="{escape(authorizing.state)}">'
            + button(text("authorize.decline"), "tertiary")
            + "</form>"
            + FILL_CSRF
        )
        return page(text, text("authorize.title"), body)

    async def confirm(self, request: Request) -> Response:
        text = Text(language(request))
        if (limited := await self._too_many(request, text)) is not None:
            return limited
        form = {k: str(v) for k, v in (await request.form()).items()}
        found = await signed_in(request, self.clock.now(), Permission.RESIDENT)
        if found is None or not same(form.get("csrf", ""), found.csrf_hash):
            values = {k: v for k, v in form.items() if k in KEPT}
            return RedirectResponse(
                f"/signin?{urlencode({'lang': text.lang, 'next': '/oauth/authorize?' + urlencode(values)})}",
                status_code=303,
            )
        ask = _ask(form)
        program = ascii_int(form.get("program", "")) if form.get("program") else None
        try:
            authorizing, code = await grant_code(found.actor, ask, program, self.clock.now())
        except AuthorizeRefused as refused:
            return self._refused(text, refused, ask)
        except DomainError as error:
            return page(text, text("authorize.title"), banner("error", text.error(error)), status=400)
        # not a 303: the page's CSP (form-action 'self') would stop a form's redirect to another origin
        return _handoff(text, authorizing.redirect_uri, code, authorizing.state)


def _handoff(text: Text, redirect_uri: str, code: str, state: str) -> Response:
    """The consent's last page. In the widget's popup it posts the code to the window that opened it,
    at the partner's registered origin only, and closes; in a whole window (a phone, a blocked popup)
    it goes on to the partner's redirect URI with the code and state (a link does too, without script)."""
    target = urlsplit(redirect_uri)
    joiner = "&" if "?" in redirect_uri else "?"
    fallback = f"{redirect_uri}{joiner}{urlencode({'code': code, 'state': state})}"
    body = (
        banner("success", text("authorize.done"), live=False)
        + f'<div id="handoff" data-origin="{escape(f"{target.scheme}://{target.netloc}")}"'
        f' data-code="{escape(code)}" data-state="{escape(state)}" data-fallback="{escape(fallback)}"></div>'
        + link_button(fallback, text("authorize.continue"), "secondary")
        + script("handoff.js")
    )
    return page(text, text("authorize.title"), body)


async def widget_js(request: Request) -> Response:
    """``GET /widget.js``: the script partners embed (a fixed URL, so cached for minutes, not a year)."""
    return FileResponse(
        STATIC / "widget.js", media_type="text/javascript", headers={"cache-control": "public, max-age=300"}
    )
