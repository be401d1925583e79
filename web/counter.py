"""The counter page of a LOOKUP terminal (a library, a museum): card in, this service's number out.

The device registers itself once with the activation code from its administrator (the token is
kept in the browser's storage); a connection test pings the platform. Then a resident presents the
card and the page shows the number large, as a Code 128 barcode for the library's own reader, and
as a printable label. All calls go to /graphql with the terminal's own token.
"""

import io
from html import escape

import barcode
from barcode.writer import SVGWriter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from web.assets import script
from web.i18n import Text, language
from web.layout import page

MAX_VALUE = 40


def _messages(text: Text) -> str:
    keys = [
        "counter.activated",
        "counter.ping_ok",
        "counter.valid_until",
        "counter.reconfirm",
        "counter.none",
    ]
    return "".join(
        f' data-{key.replace(".", "-").replace("_", "-")}="{escape(text.raw(key))}"' for key in keys
    )


async def counter(request: Request) -> HTMLResponse:
    text = Text(language(request))
    body = (
        f"<h1>{escape(text('counter.title'))}</h1><p>{escape(text('counter.lead'))}</p>"
        f'<div id="counter"{_messages(text)}>'
        f'<form id="activate"><label for="code">{escape(text("counter.code"))}</label>'
        '<input id="code" autocomplete="off" autocapitalize="characters" required>'
        f'<button type="submit">{escape(text("counter.activate"))}</button></form>'
        f'<p id="state" role="status"></p>'
        f'<button id="ping" type="button">{escape(text("counter.ping"))}</button>'
        f'<label for="card">{escape(text("counter.card"))}</label><input id="card" type="file" accept=".pem">'
        f'<section id="result" hidden><h2>{escape(text("counter.number"))}</h2>'
        '<p id="number" class="balance number-large"></p><img id="barcode" alt="" width="300">'
        '<p id="details"></p>'
        f'<button id="print" type="button">{escape(text("counter.print"))}</button></section></div>'
        + script("counter.js")
    )
    return page(text, text("counter.title"), body)


async def barcode_svg(request: Request) -> Response:
    """``/counter/barcode.svg?value=789``: Code 128, the symbology library readers take."""
    value = request.query_params.get("value", "")
    if not value or len(value) > MAX_VALUE or not value.isascii() or not value.isprintable():
        return Response(status_code=400)
    out = io.BytesIO()
    barcode.get("code128", value, writer=SVGWriter()).write(
        out, options={"write_text": False, "module_height": 12.0, "quiet_zone": 4}
    )
    return Response(out.getvalue(), media_type="image/svg+xml")
