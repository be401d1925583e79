"""The page frame every server-rendered page shares: language, viewport, the one style sheet."""

import json
from html import escape
from pathlib import Path

from starlette.responses import HTMLResponse

from web.i18n import Text

STATIC = Path(__file__).with_name("static")
# installed from the npm registry by `make install` (package.json), never committed
DESIGN_TOKENS = (
    Path(__file__).resolve().parent.parent / "node_modules" / "@digital-go-jp" / "design-tokens" / "dist"
)

FRAME = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | {site}</title><link rel="stylesheet" href="/vendor/design-tokens/tokens.css">
<link rel="stylesheet" href="/static/app.css"></head>
<body><header><a href="/">{site}</a><a href="?lang={other}" lang="{other}">{switch}</a></header>
<main>{body}</main><script type="application/json" id="errors">{errors}</script></body></html>"""


def page(text: Text, title: str, body: str, status: int = 200) -> HTMLResponse:
    """A whole page; ``body`` is already-escaped HTML."""
    html = FRAME.format(
        lang=text.lang,
        title=escape(title),
        site=escape(text("site.name")),
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
