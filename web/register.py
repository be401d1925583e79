"""Registration, screen 16 of seed 001, one step per screen: the card, the MyKey ID, the password
and choices. Each step says what it needs; a refusal stands under its field, with a summary at the
top that takes the focus; the password's rules tick as the resident types.

The page is a form; web/static/register.js drives it through the same GraphQL operations an app
would use (beginRegistration, generateMyKeyId, checkMyKeyId, completeRegistration with a cookie).
"""

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from domain.municipalities.queries import list_municipalities
from domain.sql import reader
from web.assets import script
from web.components import banner, button, field, steps
from web.i18n import Text, language
from web.layout import page
from web.notifications import NOTIFICATION_FIELDS

ON_BY_DEFAULT = {"pointsExpired"}  # the expiry warning: the one a resident would not want to miss
STEPS = ("register.step_card", "register.step_id", "register.step_form")


def _section(number: int, text: Text, body: str) -> str:
    hidden = "" if number == 1 else " hidden"
    return (
        f'<section class="reg-step" id="step-{number}" data-step="{number}"{hidden}>'
        f"<h2>{escape(text(STEPS[number - 1]))}</h2>"
        f'<div class="summary" id="summary-{number}"></div>{body}</section>'
    )


def _rules(text: Text) -> str:
    items = "".join(
        f'<li data-rule="{rule}"><span aria-hidden="true">・</span>'
        f"{escape(text('register.rule_' + rule))}</li>"
        for rule in ("length", "halfwidth", "same")
    )
    return f'<ul class="rules" id="password-rules" aria-live="polite">{items}</ul>'


async def register(request: Request) -> HTMLResponse:
    text = Text(language(request))
    towns = await list_municipalities(reader(), first=2000)
    options = "".join(
        f'<option value="{m.code}" data-search="{escape(m.prefecture + m.name + m.kana)}">'
        f"{escape(m.prefecture)} {escape(m.name)}</option>"
        for m in towns
    )
    boxes = "".join(
        f'<label class="choice"><input type="checkbox" name="{name}" class="check"'
        f"{' data-default' if name in ON_BY_DEFAULT else ''} disabled> {escape(text(key))}</label>"
        for name, key in NOTIFICATION_FIELDS
    )
    keys = (
        "register.available",
        "register.taken",
        "register.generated",
        "register.summary",
        "register.card_read",
        "register.basic_required",
    )
    data = "".join(f' data-{k.replace(".", "-").replace("_", "-")}="{escape(text.raw(k))}"' for k in keys)
    card = (
        f"<p>{escape(text('register.card_what'))}</p>"
        + field("card", text("register.card"), kind="file", attrs=' accept=".pem"')
        + '<div id="card-state" role="status"></div>'
    )
    identity = (
        f"<p>{escape(text('register.id_help'))}</p>"
        + button(text("register.generate"), "primary", "button", ' id="generate"')
        + field(
            "candidate",
            text("register.candidate"),
            hint=text("register.candidate_hint"),
            attrs=' maxlength="8" autocapitalize="characters" autocomplete="off"',
        )
        + button(text("register.check"), "secondary", "button", ' id="check"')
        + '<p id="state" role="status"></p>'
        + button(text("register.next"), "primary", "button", ' id="to-form" disabled')
    )
    form = (
        '<form id="step-form" novalidate>'
        + field(
            "password",
            text("register.password"),
            kind="password",
            attrs=' autocomplete="new-password" required maxlength="16"',
        )
        + field(
            "password2",
            text("register.password2"),
            kind="password",
            attrs=' autocomplete="new-password" required maxlength="16"',
        )
        + _rules(text)
        + field("email", text("register.email"), kind="email", attrs=' autocomplete="email"')
        + field("email2", text("register.email2"), kind="email", attrs=' autocomplete="off"')
        + f'<fieldset id="notify"><legend>{escape(text("register.notify"))}</legend>'
        f'<p class="hint" id="notify-hint">{escape(text("register.notify_needs_email"))}</p>'
        f"{boxes}</fieldset>"
        + field(
            "town-search",
            text("register.basic_search"),
            hint=text("register.basic_search_hint"),
            attrs=' autocomplete="off"',
        )
        + f'<div class="field"><label for="basic">{escape(text("register.basic"))}</label>'
        f'<select id="basic" name="basic" required><option value="">{escape(text("register.basic_none"))}'
        f"</option>{options}</select></div>" + button(text("register.submit")) + "</form>"
    )
    body = (
        f"<h1>{escape(text('register.title'))}</h1>"
        + steps([text(k) for k in STEPS], 1)
        + f"<noscript>{banner('warning', text('register.needs_script'), live=False)}</noscript>"
        + f'<div id="register"{data}>'
        + _section(1, text, card)
        + _section(2, text, identity)
        + _section(3, text, form)
        + "</div>"
        + script("register.js")
    )
    return page(text, text("register.title"), body)
