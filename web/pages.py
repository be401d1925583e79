"""The pages every visitor may meet: not found (in the visitor's language), privacy and terms."""

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from web.i18n import Text, catalogue, language
from web.layout import page


async def not_found(request: Request, exc: Exception) -> Response:
    """404 in the visitor's language, leading home and to sign-in (a JSON body for API callers)."""
    if "text/html" not in request.headers.get("accept", ""):
        body = {"error": {"code": "NOT_FOUND", "message": "Nothing is here."}}
        return JSONResponse(body, status_code=404)
    text = Text(language(request))
    body_html = (
        f"<h1>{escape(text('notfound.title'))}</h1><p>{escape(text('notfound.lead'))}</p>"
        f'<p><a class="button" href="/?lang={text.lang}">{escape(text("notfound.home"))}</a></p>'
        f'<p><a href="/signin?lang={text.lang}">{escape(text("nav.signin"))}</a></p>'
    )
    return page(text, text("notfound.title"), body_html, status=404)


def _document(request: Request, key: str) -> HTMLResponse:
    """A page of headings and paragraphs from the catalogue (``<key>.sections``: [title, text…])."""
    text = Text(language(request))
    sections = catalogue(text.lang)[f"{key}.sections"]
    parts = [f"<h1>{escape(text(f'{key}.title'))}</h1><p>{escape(text(f'{key}.lead'))}</p>"]
    for heading, *paragraphs in sections:
        parts.append(f"<h2>{escape(heading)}</h2>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs))
    response = page(text, text(f"{key}.title"), "".join(parts))
    response.headers["cache-control"] = "public, max-age=3600"
    return response


async def privacy(request: Request) -> HTMLResponse:
    return _document(request, "privacy")


async def terms(request: Request) -> HTMLResponse:
    return _document(request, "terms")
