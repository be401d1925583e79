"""Registration, screen 16 of seed 001 step by step: the card, the MyKey ID, password and choices.

The page is a form; web/static/register.js drives it through the same GraphQL operations an app
would use (beginRegistration, generateMyKeyId, checkMyKeyId, completeRegistration with a cookie).
"""

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from domain.municipalities.queries import list_municipalities
from domain.sql import reader
from web.assets import script
from web.i18n import Text, language
from web.layout import page
from web.notifications import NOTIFICATION_FIELDS


def _field(text: Text, key: str, name: str, kind: str = "text", extra: str = "") -> str:
    return (
        f'<label for="{name}">{escape(text(key))}</label>'
        f'<input id="{name}" name="{name}" type="{kind}" {extra}>'
    )


async def register(request: Request) -> HTMLResponse:
    text = Text(language(request))
    towns = await list_municipalities(reader(), first=2000)
    options = "".join(
        f'<option value="{m.code}">{escape(m.prefecture)} {escape(m.name)}</option>' for m in towns
    )
    boxes = "".join(
        f'<label><input type="checkbox" name="{name}" class="check"> {escape(text(key))}</label>'
        for name, key in NOTIFICATION_FIELDS
    )
    scripts = {k: text.raw(k) for k in ("register.available", "register.taken", "register.generated")}
    data = "".join(f' data-{k.replace(".", "-")}="{escape(v)}"' for k, v in scripts.items())
    body = (
        f'<h1>{escape(text("register.title"))}</h1><div id="register"{data}>'
        f"<h2>{escape(text('register.step_card'))}</h2>"
        + _field(text, "register.card", "card", "file", 'accept=".pem"')
        + '<p id="state" role="status"></p>'
        f'<fieldset id="step-id" disabled><legend>{escape(text("register.step_id"))}</legend>'
        f"<p>{escape(text('register.id_help'))}</p>"
        f'<button id="generate" type="button">{escape(text("register.generate"))}</button>'
        + _field(text, "register.candidate", "candidate", "text", 'maxlength="8" autocapitalize="characters"')
        + f'<button id="check" type="button">{escape(text("register.check"))}</button></fieldset>'
        f'<form id="step-form"><fieldset disabled><legend>{escape(text("register.step_form"))}</legend>'
        + _field(text, "register.password", "password", "password", 'autocomplete="new-password" required')
        + _field(text, "register.password2", "password2", "password", 'autocomplete="new-password" required')
        + _field(text, "register.email", "email", "email", 'autocomplete="email"')
        + _field(text, "register.email2", "email2", "email")
        + f"<p>{escape(text('register.notify'))}</p>{boxes}"
        f'<label for="basic">{escape(text("register.basic"))}</label><select id="basic">{options}</select>'
        f'<button type="submit">{escape(text("register.submit"))}</button></fieldset></form></div>'
        + script("register.js")
    )
    return page(text, text("register.title"), body)
