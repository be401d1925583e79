"""The home page (the point navigation portal grows from here)."""

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from web.i18n import Text, language
from web.layout import page


async def home(request: Request) -> HTMLResponse:
    text = Text(language(request))
    body = (
        f"<h1>{escape(text('site.name'))}</h1><p>{escape(text('site.tagline'))}</p>"
        f'<p><a href="/signin?lang={text.lang}">{escape(text("nav.signin"))}</a></p>'
        f'<p><a href="/register?lang={text.lang}">{escape(text("register.title"))}</a></p>'
    )
    return page(text, text("site.name"), body)
