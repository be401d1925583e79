"""QR codes for vouchers, with the ``qrcode`` package: a single-path SVG, and a PNG.

The text is upper case (``HTTPS://HOST/V/TOKEN``; scheme and host are case-insensitive, the route
answers /V/ as /v/), so the whole code is in alphanumeric mode: version 6 instead of 8 at the same
error correction, larger modules, easier to read from thermal paper at 30 cm.
"""

import io

import qrcode
from qrcode.image.pure import PyPNGImage
from qrcode.image.svg import SvgPathImage


def qr_text(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/').upper()}/V/{token}"


def _code(text: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    return code


def qr_version(text: str) -> int:
    return int(_code(text).version)


def qr_svg(text: str) -> str:
    image = _code(text).make_image(image_factory=SvgPathImage)
    return image.to_string(encoding="unicode")  # type: ignore[no-any-return]


def qr_png(text: str, box_size: int = 8) -> bytes:
    code = _code(text)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image(image_factory=PyPNGImage).save(buffer)
    return buffer.getvalue()
