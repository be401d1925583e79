"""The counter's barcode: a service number as Code 128, for a library's own reader (the counter page
itself is web/terminals.py)."""

import io

import barcode
from barcode.writer import SVGWriter
from starlette.requests import Request
from starlette.responses import Response

MAX_VALUE = 40


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
