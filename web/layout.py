"""The page frame every server-rendered page shares: language, viewport, the one style sheet."""

import json
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from starlette.responses import HTMLResponse

from web.assets import stylesheet
from web.i18n import Text

# installed from the npm registry by `make install` (package.json), never committed
DESIGN_TOKENS = (
    Path(__file__).resolve().parent.parent / "node_modules" / "@digital-go-jp" / "design-tokens" / "dist"
)

TOKENS_LINK = '<link rel="stylesheet" href="/vendor/design-tokens/tokens.css">'


@cache
def tokens_installed() -> bool:
    """Whether ``npm ci`` installed the design tokens; without them app.css's own values are used."""
    return (DESIGN_TOKENS / "tokens.css").is_file()


FRAME = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | {site}</title>{tokens}
{style}</head>
<body><a class="skip" href="#main">{skip}</a>
<header class="site"><a class="brand" href="/?lang={lang}">{site}</a>
<a href="?lang={other}" lang="{other}" hreflang="{other}">{switch}</a></header>
<main id="main">{body}</main>
<footer class="site"><p>{runs}</p><ul>
<li><a href="/privacy?lang={lang}">{privacy}</a></li><li><a href="/terms?lang={lang}">{terms}</a></li>
<li><a href="mailto:{contact}">{contact_label}</a></li></ul></footer>
<script type="application/json" id="errors">{errors}</script></body></html>"""


@dataclass
class Site:
    """Who runs the service (the footer): set once from the settings when the app starts."""

    operator: str = "MyKey Points 運営事務局"
    contact: str = "support@mykey-points.invalid"


SITE = Site()


def configure(operator: str, contact: str) -> None:
    SITE.operator, SITE.contact = operator, contact


def page(text: Text, title: str, body: str, status: int = 200) -> HTMLResponse:
    """A whole page; ``body`` is already-escaped HTML."""
    html = FRAME.format(
        lang=text.lang,
        title=escape(title),
        site=escape(text("site.name")),
        style=stylesheet("app.css"),
        tokens=TOKENS_LINK if tokens_installed() else "",
        skip=escape(text("nav.skip")),
        runs=escape(text("footer.runs", operator=SITE.operator)),
        privacy=escape(text("footer.privacy")),
        terms=escape(text("footer.terms")),
        contact=escape(SITE.contact),
        contact_label=escape(text("footer.contact", contact=SITE.contact)),
        other=text.other,
        switch=escape(text("lang.switch")),
        body=body,
        errors=json.dumps(text.errors(), ensure_ascii=False).replace(
            "</", "<\\/"
        ),  # trusted text in a script
    )
    response = HTMLResponse(html, status_code=status)
    response.set_cookie("lang", text.lang, max_age=365 * 86400, samesite="lax")
    return response


EMBED_FRAME = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | {site}</title>{tokens}
{style}</head>
<body class="embedded"><main id="main">{body}</main>
<footer class="site"><p><a href="/?lang={lang}" target="_blank" rel="noopener">{site}</a></p></footer>
</body></html>"""


def embed_page(text: Text, title: str, body: str, status: int = 200) -> HTMLResponse:
    """A page another site frames: no site header, no cookie, links open on our site."""
    html = EMBED_FRAME.format(
        lang=text.lang,
        title=escape(title),
        site=escape(text("site.name")),
        style=stylesheet("app.css"),
        tokens=TOKENS_LINK if tokens_installed() else "",
        body=body,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["cache-control"] = "public, max-age=300"
    return response
