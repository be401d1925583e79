"""``/me/online``: what a resident does with points beyond the shops' counters (a card session).

* move reserved points into a support event taking points now (held: they stay the resident's,
  spendable where the event allows; donation: given to the cause);
* give points from a balance to a donation event of the same municipality, choosing whether the
  public event page names them (by a name they type, else their MyKey ID);
* buy what a municipality sells for points (the programs that pay for each item are offered), and
  follow their orders.

Each form carries a key made when the page was drawn, so pressing twice gives once.
"""

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from html import escape

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.auth.sessions import SessionActor
from domain.clock import JST, Clock
from domain.errors import DomainError
from domain.municipalities.portal import EventOnShow, events_taking_points
from domain.numbers import ascii_int
from domain.online.donations import donate_points
from domain.online.items import ItemView, OrderView, items_payable_with, my_orders, order_item
from domain.points.queries import Balance, list_balances, list_reserved
from domain.points.reserved import move_reserved_points
from domain.programs.queries import ProgramView, list_programs_by_id
from domain.residents.access import access_resident_by_actor
from domain.sql import reader
from web.components import Tone, badge, button, field, select
from web.cookies import CSRF_FIELD, FILL_CSRF
from web.i18n import Text, language
from web.layout import page
from web.resident import Notice, ResidentPages

MOST_EVENTS = 50


def _key() -> str:
    return secrets.token_urlsafe(16)


def _event_label(text: Text, p: ProgramView, town: str) -> str:
    return f"{town} {p.name} ({text(f'console.mode_{p.mode.value}') if p.mode else ''})"


@dataclass(frozen=True)
class OnlinePages:
    clock: Clock
    residents: ResidentPages

    async def show(self, request: Request) -> Response:
        text = Text(language(request))
        found = await self.residents.session_actor(request)
        if found is None:
            return RedirectResponse(f"/signin?lang={text.lang}&next=/me/online", status_code=303)
        resident = await access_resident_by_actor(found.actor)
        now, sql = self.clock.now(), reader()
        balances = await list_balances(sql, resident.id, now)
        names = await self.residents.program_names(sql, [b.program_id for b in balances])
        reserved = sum(lot.points for lot in await list_reserved(sql, resident.id, now))
        events = await events_taking_points(sql, now, MOST_EVENTS)
        programs = await list_programs_by_id(sql, [b.program_id for b in balances]) if balances else {}
        towns_held = {p.municipality_id for p in programs.values()}
        givable = [e for e in events if e.program.takes_donations and e.program.municipality_id in towns_held]
        items = await items_payable_with(sql, [b.program_id for b in balances])
        orders = await my_orders(found.actor)
        notice = Notice.from_query(request)
        labels = {e.program.id: _event_label(text, e.program, e.municipality.name) for e in events}
        plain = {e.program.id: f"{e.municipality.name} {e.program.name}" for e in events}
        body = (
            f"<h1>{escape(text('online.title'))}</h1><p>{escape(text('online.lead'))}</p>"
            + ("" if notice is None else notice.html(text, names | plain))
            + _move_form(text, reserved, events, labels)
            + _give_form(text, givable, balances, names, labels)
            + _items(text, items, balances, names)
            + _orders(text, orders)
            + f'<p><a href="/me?lang={text.lang}">{escape(text("nav.mypage"))}</a></p>'
            + FILL_CSRF
        )
        return page(text, text("online.title"), body)

    async def _act(
        self, request: Request, act: Callable[[SessionActor, dict[str, str]], Awaitable[Notice]]
    ) -> Response:
        """Run one form's action (a card session's, CSRF checked) and come back to /me/online saying
        what happened; a refusal keeps the program and the points asked for."""
        text = Text(language(request))
        checked = await self.residents.checked_form(request)
        if checked is None:
            return RedirectResponse(f"/signin?lang={text.lang}", status_code=303)
        found, form = checked
        try:
            notice = await act(found, form)
        except DomainError as error:
            refused = Notice.refusal(error, to="/me/online")
            notice = replace(refused, program=_number(form, "programId"), amount=_number(form, "points"))
        return notice.redirect(text)

    async def move(self, request: Request) -> Response:
        """``POST /me/online/move``: reserved points into a support event taking points now."""

        async def act(found: SessionActor, form: dict[str, str]) -> Notice:
            moved = await move_reserved_points(
                found.actor, _number(form, "programId") or -1, _number(form, "points") or 0, self.clock.now()
            )
            return Notice("me.event_move_done", moved.points, moved.program.id, to="/me/online")

        return await self._act(request, act)

    async def donate(self, request: Request) -> Response:
        """``POST /me/online/donate``: points from a balance to a donation event."""

        async def act(found: SessionActor, form: dict[str, str]) -> Notice:
            done = await donate_points(
                found.actor,
                _number(form, "programId") or -1,
                _number(form, "points") or 0,
                _number(form, "fromProgramId") or -1,
                form.get("showName") == "yes",
                form.get("key", ""),
                self.clock.now(),
                form.get("donorName") or None,
            )
            return Notice("me.donate_done", done.points, done.program_id, to="/me/online")

        return await self._act(request, act)

    async def order(self, request: Request) -> Response:
        """``POST /me/online/order``: an item, paid with one program's points."""

        async def act(found: SessionActor, form: dict[str, str]) -> Notice:
            done = await order_item(
                found.actor,
                _number(form, "itemId") or -1,
                _number(form, "quantity") or 0,
                _number(form, "programId") or -1,
                form.get("key", ""),
                self.clock.now(),
            )
            return Notice("me.order_done", done.points, amount=done.id, to="/me/online")

        return await self._act(request, act)


def _number(form: dict[str, str], name: str) -> int | None:
    return ascii_int(form.get(name, "").strip())


def _move_form(text: Text, reserved: int, events: list[EventOnShow], labels: dict[int, str]) -> str:
    """Reserved points into a support event taking points now (only while there are some)."""
    if reserved <= 0 or not events:
        return ""
    choices = [(str(e.program.id), labels[e.program.id]) for e in events]
    return (
        f'<section id="move-event"><h2>{escape(text("online.move_title"))}</h2>'
        f"<p>{escape(text('online.move_lead', points=text.points(reserved)))}</p>"
        f'<form method="post" action="/me/online/move?lang={text.lang}">{CSRF_FIELD}'
        + select("move-event-program", text("online.event"), choices, name="programId")
        + field(
            "move-event-points",
            text("online.points"),
            name="points",
            kind="number",
            value=str(reserved),
            attrs=f' inputmode="numeric" min="1" max="{reserved}" required',
        )
        + button(text("online.move"))
        + "</form></section>"
    )


def _balance_choices(text: Text, balances: list[Balance], names: dict[int, str]) -> list[tuple[str, str]]:
    return [
        (
            str(b.program_id),
            text("me.program_option", program=names[b.program_id], points=text.points(b.points)),
        )
        for b in balances
    ]


def _give_form(
    text: Text,
    events: list[EventOnShow],
    balances: list[Balance],
    names: dict[int, str],
    labels: dict[int, str],
) -> str:
    """A donation: the event, the balance it comes from, how much, and whether to be named."""
    title = f'<section id="give"><h2>{escape(text("online.give_title"))}</h2>'
    if not events or not balances:
        return title + f"<p>{escape(text('online.give_none'))}</p></section>"
    return (
        title
        + f"<p>{escape(text('online.give_lead'))}</p>"
        + f'<form method="post" action="/me/online/donate?lang={text.lang}">{CSRF_FIELD}'
        + f'<input type="hidden" name="key" value="{_key()}">'
        + select(
            "give-event",
            text("online.event"),
            [(str(e.program.id), labels[e.program.id]) for e in events],
            name="programId",
        )
        + select(
            "give-from", text("online.from"), _balance_choices(text, balances, names), name="fromProgramId"
        )
        + field(
            "give-points",
            text("online.points"),
            name="points",
            kind="number",
            attrs=' inputmode="numeric" min="1" required',
        )
        + '<label class="choice"><input type="checkbox" class="check" name="showName" value="yes"> '
        + f"{escape(text('online.show_name'))}</label>"
        + field(
            "give-name",
            text("online.donor_name"),
            name="donorName",
            hint=text("online.donor_name_hint"),
            attrs=' maxlength="30" autocomplete="nickname"',
        )
        + button(text("online.give"))
        + "</form></section>"
    )


def _items(text: Text, items: list[ItemView], balances: list[Balance], names: dict[int, str]) -> str:
    """Each item with its price and what is left, and an order form paid by a balance that may pay."""
    held = {b.program_id: b for b in balances}
    cards = []
    for item in items:
        payers = [held[p] for p in item.program_ids if p in held]
        left = text("online.left", n=f"{item.stock:,}") if item.stock else text("online.sold_out")
        head = (
            f'<li class="card" id="item-{item.id}"><h3>{escape(item.name)}</h3>'
            f"<p>{escape(item.description)}</p>"
            f"<p><strong>{text.points(item.price_points)}</strong> · "
            f'<span class="muted">{escape(left)}</span></p>'
        )
        if not item.stock or not payers:
            cards.append(head + "</li>")
            continue
        cards.append(
            head
            + f'<form method="post" action="/me/online/order?lang={text.lang}">{CSRF_FIELD}'
            + f'<input type="hidden" name="key" value="{_key()}">'
            + f'<input type="hidden" name="itemId" value="{item.id}">'
            + field(
                f"quantity-{item.id}",
                text("online.quantity"),
                name="quantity",
                kind="number",
                value="1",
                attrs=f' inputmode="numeric" min="1" max="{min(item.stock, 10)}" required',
            )
            + select(
                f"pay-{item.id}",
                text("online.pay_with"),
                _balance_choices(text, payers, names),
                name="programId",
            )
            + button(text("online.order"))
            + "</form></li>"
        )
    listing = (
        f'<ul class="plain">{"".join(cards)}</ul>' if cards else f"<p>{escape(text('online.no_items'))}</p>"
    )
    return f'<section id="items"><h2>{escape(text("online.items_title"))}</h2>{listing}</section>'


def _orders(text: Text, orders: list[OrderView]) -> str:
    tones: dict[str, Tone] = {"PLACED": "info", "FULFILLED": "success", "CANCELLED": "warning"}
    rows = "".join(
        f"<li><strong>#{o.id}</strong> {escape(o.item_name)} × {o.quantity} · {text.points(o.points)} · "
        f"{o.created_at.astimezone(JST):%Y-%m-%d %H:%M} "
        + badge(tones[o.status], text(f"console.order_{o.status}"))
        + "</li>"
        for o in orders
    )
    listing = f'<ul class="plain">{rows}</ul>' if rows else f"<p>{escape(text('online.no_orders'))}</p>"
    return (
        f'<section id="orders"><h2>{escape(text("online.orders_title"))}</h2>'
        f"<p>{escape(text('online.orders_lead'))}</p>{listing}</section>"
    )
