"""The terminals' pages: a library counter (LOOKUP), a shop's till (PAY), a tourist office's voucher
printer (PRINT) and an event's granting desk (GRANT).

Each device activates itself once with the code its administrator gave (the token is kept in the
browser's storage, per kind, so a reload does not ask again), then does its one job full-screen.
Every call goes to /graphql with the terminal's own token; web/static/terminal.js is the shared
part, web/static/<kind>.js the job.
"""

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from web.assets import script, stylesheet
from web.components import button, field
from web.i18n import Text, language
from web.layout import page

SHARED = (
    "terminal.activated",
    "terminal.ping_ok",
    "terminal.wrong_kind",
    "terminal.summary",
    "terminal.needs_setup",
)


def _messages(text: Text, keys: tuple[str, ...]) -> str:
    return "".join(
        f' data-{key.replace(".", "-").replace("_", "-")}="{escape(text.raw(key))}"' for key in SHARED + keys
    )


def _frame(text: Text, kind: str, title: str, lead: str, job: str, keys: tuple[str, ...], js: str) -> str:
    """The activation (shown until the device has a token of this kind) and the job (after)."""
    return (
        f"<h1>{escape(title)}</h1>"
        f'<div id="terminal" data-kind="{kind}"{_messages(text, keys)}>'
        '<section id="setup" hidden><div class="summary"></div>'
        f"<p>{escape(text('terminal.setup_lead'))}</p>"
        '<form id="activate" novalidate>'
        + field(
            "code",
            text("terminal.code"),
            hint=text("terminal.code_hint"),
            attrs=' autocomplete="off" autocapitalize="characters" required',
        )
        + button(text("terminal.activate"))
        + "</form></section>"
        '<section id="job" hidden>'
        '<div class="terminal-bar"><p id="terminal-name" class="muted"></p>'
        + button(text("terminal.ping"), "tertiary", "button", ' id="ping"')
        + button(text("terminal.reset"), "tertiary", "button", ' id="reset"')
        + '</div><p id="state" role="status"></p>'
        f'<p>{escape(lead)}</p><div class="summary"></div>{job}</section></div>' + script(js)
    )


def _card(text: Text) -> str:
    return field("card", text("terminal.card"), kind="file", attrs=' accept=".pem"')


async def counter(request: Request) -> HTMLResponse:
    """LOOKUP: card in → this service's number, full-screen, as text, Code 128 and a dated label,
    or typed into the library system's focused field (keyboard-wedge mode)."""
    text = Text(language(request))
    job = (
        _card(text) + '<label class="choice"><input type="checkbox" class="check" id="wedge">'
        f" {escape(text('counter.wedge'))}</label>"
        + field("wedge-target", text("counter.wedge_target"), hint=text("counter.wedge_hint"))
        + '<section id="result" class="outcome outcome-ok" hidden><div class="outcome-box" role="alert">'
        '<p id="service" class="outcome-detail"></p><p id="number" class="number-large"></p>'
        f'<img id="barcode" alt="{escape(text("counter.barcode"))}" width="300" height="90">'
        '<p id="details" class="outcome-detail"></p><p id="label-day" class="outcome-detail"></p>'
        + button(text("counter.print"), "secondary", "button", ' id="print"')
        + button(text("counter.next"), "primary", "button", ' id="next"')
        + "</div></section>"
    )
    keys = ("counter.valid_until", "counter.reconfirm", "counter.none", "counter.label_day")
    body = _frame(text, "LOOKUP", text("counter.title"), text("counter.lead"), job, keys, "counter.js")
    return page(text, text("counter.title"), stylesheet("label.css") + body)


async def pay(request: Request) -> HTMLResponse:
    """PAY: the amount, then the card; a receipt to print."""
    text = Text(language(request))
    job = (
        '<form id="sale" novalidate>'
        + field(
            "amount",
            text("pay.amount"),
            kind="number",
            attrs=' inputmode="numeric" min="1" required',
        )
        + _card(text)
        + "</form>"
        + '<section id="receipt" class="outcome" hidden><div class="outcome-box receipt" role="alert">'
        '<p class="outcome-sign" aria-hidden="true"></p><p class="outcome-title"></p>'
        '<p class="outcome-detail"></p>'
        + button(text("pay.print"), "secondary", "button", ' id="print"')
        + button(text("pay.next"), "primary", "button", ' id="next"')
        + "</div></section>"
    )
    keys = ("pay.done", "pay.balance", "pay.refused", "pay.amount_first")
    body = _frame(text, "PAY", text("pay.title"), text("pay.lead"), job, keys, "pay.js")
    return page(text, text("pay.title"), stylesheet("receipt-58.css") + body)


async def printer(request: Request) -> HTMLResponse:
    """PRINT: a voucher from the municipality's budget, on a 58 or 80 mm roll."""
    text = Text(language(request))
    paper = "58" if request.query_params.get("paper") == "58" else "80"
    job = (
        '<form id="voucher-form" novalidate>'
        f'<div class="field"><label for="program">{escape(text("print.program"))}</label>'
        '<select id="program" required></select></div>'
        + field("face", text("print.face"), kind="number", attrs=' inputmode="numeric" min="1" required')
        + button(text("print.submit"))
        + "</form>"
        + '<section id="printed" class="printed" hidden><div id="voucher-qr" class="qr-full"></div>'
        '<p id="voucher-value" class="big-number"></p><p id="voucher-code" class="typed-code"></p>'
        '<p id="voucher-until"></p>'
        + button(text("print.again"), "secondary", "button", ' id="print"')
        + button(text("print.next"), "primary", "button", ' id="next"')
        + "</section>"
    )
    keys = ("print.until",)
    body = _frame(text, "PRINT", text("print.title"), text("print.lead"), job, keys, "printer.js")
    return page(text, text("print.title"), stylesheet(f"receipt-{paper}.css") + body)


async def grant(request: Request) -> HTMLResponse:
    """GRANT: the program, the points and why, then each resident's card."""
    text = Text(language(request))
    job = (
        '<form id="grant-form" novalidate>'
        f'<div class="field"><label for="program">{escape(text("grant.program"))}</label>'
        '<select id="program" required></select></div>'
        + field("points", text("grant.points"), kind="number", attrs=' inputmode="numeric" min="1" required')
        + field("reason", text("grant.reason"), hint=text("grant.reason_hint"), attrs=" required")
        + _card(text)
        + "</form>"
        '<div id="granted" aria-live="polite"></div>'
    )
    keys = ("grant.done", "grant.fill_first")
    body = _frame(text, "GRANT", text("grant.title"), text("grant.lead"), job, keys, "grant.js")
    return page(text, text("grant.title"), body)
