"""``/console/online``: what the municipality sells for points, and the orders to hand over.

* The items (price in points, stock, on sale or not, the programs that pay for them), a form to add
  one, and forms to add stock and to take an item off sale or put it back.
* The placed orders, with who to hand each to (the resident's MyKey ID), and the two ways an order
  ends: handed over, or cancelled (the stock comes back, the points return as a new lot). The last
  closed orders below them.
"""

from dataclasses import dataclass
from html import escape

from starlette.requests import Request
from starlette.responses import Response

from domain.auth.sessions import SessionActor
from domain.municipalities.queries import MunicipalityView
from domain.numbers import ascii_int
from domain.online.items import (
    ItemInput,
    ItemView,
    OrderView,
    add_item,
    cancel_order,
    fulfil_order,
    list_items,
    list_orders,
    restock_item,
    set_item_on_sale,
)
from domain.programs.queries import ProgramView, list_programs_by_municipality
from domain.sql import reader
from models.programs import ProgramKind
from web.components import button, confirm_box, data_table, field, select
from web.console_desks import Desk, _form, _when
from web.i18n import Text

CLOSED_SHOWN = 20


def _payers(programs: list[ProgramView]) -> list[ProgramView]:
    """The programs whose points may pay for items: the regular program and held events."""
    return [p for p in programs if p.kind is ProgramKind.REGULAR or p.held]


def _item_form(text: Text, town: MunicipalityView, payers: list[ProgramView]) -> str:
    ticks = "".join(
        f'<label class="choice"><input type="checkbox" class="check" name="program_{p.id}" value="yes"'
        f"{' checked' if p.kind is ProgramKind.REGULAR else ''}> {escape(p.name)}</label>"
        for p in payers
    )
    return _form(
        text,
        "/console/online/items",
        town,
        field("item-name", text("console.name"), name="name", attrs=' required maxlength="100"')
        + field(
            "item-description",
            text("console.item_description"),
            name="description",
            hint=text("console.item_description_hint"),
            attrs=' maxlength="1000"',
        )
        + field(
            "item-price",
            text("console.item_price"),
            name="pricePoints",
            attrs=' inputmode="numeric" required',
        )
        + field("item-stock", text("console.item_stock"), name="stock", attrs=' inputmode="numeric" required')
        + f'<fieldset class="field"><legend>{escape(text("console.item_paid_by"))}</legend>{ticks}</fieldset>'
        + button(text("console.item_add")),
    )


def _item_rows(text: Text, items: list[ItemView], names: dict[int, str]) -> list[tuple[str, ...]]:
    return [
        (
            i.name,
            f"{i.price_points:,}",
            f"{i.stock:,}",
            text("console.yes") if i.on_sale else text("console.no"),
            "、".join(names.get(p, "?") for p in i.program_ids),
        )
        for i in items
    ]


def _order_rows(text: Text, orders: list[OrderView]) -> list[tuple[str, ...]]:
    return [
        (
            f"#{o.id}",
            o.item_name,
            f"{o.quantity:,}",
            f"{o.points:,}",
            o.my_key_id,
            _when(text, o.created_at),
            text(f"console.order_{o.status}"),
        )
        for o in orders
    ]


@dataclass(frozen=True)
class OnlineDesk(Desk):
    async def show(self, request: Request) -> Response:
        opened = await self._open(request)
        if isinstance(opened, Response):
            return opened
        text, found, town = opened
        programs = (await list_programs_by_municipality(reader(), [town.id]))[town.id]
        names = {p.id: p.name for p in programs}
        items = await list_items(town.code, on_sale_only=False)
        placed = await list_orders(found.actor, town.code, "PLACED", 500)
        closed = [o for o in await list_orders(found.actor, town.code, None, 200) if o.status != "PLACED"]
        head = tuple(
            text(k)
            for k in (
                "console.name",
                "console.item_price",
                "console.item_stock",
                "console.item_on_sale",
                "console.item_paid_by",
            )
        )
        order_head = tuple(
            text(k)
            for k in (
                "console.order_no",
                "console.goods",
                "console.order_quantity",
                "console.points",
                "console.my_key_id",
                "console.order_placed",
                "console.order_status",
            )
        )
        item_choices = [(str(i.id), i.name) for i in items]
        stock_forms = ""
        if items:
            stock_forms = _form(
                text,
                "/console/online/restock",
                town,
                select("restock-item", text("console.goods"), item_choices, name="item")
                + field(
                    "restock-add",
                    text("console.item_restock_add"),
                    name="add",
                    attrs=' inputmode="numeric" required',
                )
                + button(text("console.item_restock")),
            ) + _form(
                text,
                "/console/online/sale",
                town,
                select("sale-item", text("console.goods"), item_choices, name="item")
                + select(
                    "sale-state",
                    text("console.item_on_sale"),
                    [("yes", text("console.item_sell")), ("no", text("console.item_stop"))],
                    name="onSale",
                )
                + button(text("console.save"), "secondary"),
            )
        handing = ""
        if placed:
            choices = [(str(o.id), f"#{o.id} {o.item_name} × {o.quantity} ({o.my_key_id})") for o in placed]
            handing = _form(
                text,
                "/console/online/fulfil",
                town,
                select("fulfil-order", text("console.order_no"), choices, name="order")
                + button(text("console.order_fulfil")),
            ) + _form(
                text,
                "/console/online/cancel",
                town,
                select("cancel-order", text("console.order_no"), choices, name="order")
                + confirm_box(text("console.order_cancel_confirm"))
                + button(text("console.order_cancel"), "secondary"),
            )
        public = f"/m/{town.code}?lang={text.lang}#items"
        body = (
            f'<p><a href="{escape(public)}">{escape(text("console.portal_public"))}</a></p>'
            + f"<h2>{escape(text('console.orders_placed'))}</h2>"
            + (
                data_table(text("console.orders_placed"), order_head, _order_rows(text, placed), 2)
                if placed
                else f"<p>{escape(text('console.no_orders'))}</p>"
            )
            + handing
            + f"<h2>{escape(text('console.items'))}</h2>"
            + (
                data_table(text("console.items"), head, _item_rows(text, items, names), 1)
                if items
                else f"<p>{escape(text('console.no_items'))}</p>"
            )
            + stock_forms
            + f"<h2>{escape(text('console.item_add'))}</h2><p>{escape(text('console.item_lead'))}</p>"
            + _item_form(text, town, _payers(programs))
            + f"<h2>{escape(text('console.orders_closed'))}</h2>"
            + (
                data_table(
                    text("console.orders_closed"), order_head, _order_rows(text, closed[:CLOSED_SHOWN]), 2
                )
                if closed
                else f"<p>{escape(text('console.no_orders'))}</p>"
            )
        )
        return self._page(text, found, town, request, "console.online", body)

    async def add(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            programs = [
                int(k.removeprefix("program_"))
                for k, v in form.items()
                if k.startswith("program_") and v == "yes" and k.removeprefix("program_").isdigit()
            ]
            item = ItemInput(
                town.code,
                form.get("name", ""),
                form.get("description", ""),
                ascii_int(form.get("pricePoints", "").strip()) or 0,
                _count(form.get("stock", "")),
                programs,
            )
            await add_item(found.actor, item, self.pages.clock.now())
            return "item_added"

        return await self._act(request, act)

    async def restock(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            item = ascii_int(form.get("item", "")) or -1
            await restock_item(
                found.actor, item, ascii_int(form.get("add", "").strip()) or 0, self.pages.clock.now()
            )
            return "item_restocked"

        return await self._act(request, act)

    async def sale(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            item = ascii_int(form.get("item", "")) or -1
            await set_item_on_sale(found.actor, item, form.get("onSale") == "yes", self.pages.clock.now())
            return "item_saved"

        return await self._act(request, act)

    async def fulfil(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            await fulfil_order(found.actor, ascii_int(form.get("order", "")) or -1, self.pages.clock.now())
            return "order_fulfilled"

        return await self._act(request, act)

    async def cancel(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            if form.get("confirm") != "yes":
                return "confirm"
            await cancel_order(found.actor, ascii_int(form.get("order", "")) or -1, self.pages.clock.now())
            return "order_cancelled"

        return await self._act(request, act)


def _count(value: str) -> int:
    """A stock as typed: empty or not a number is -1, which the domain refuses with its message."""
    number = ascii_int(value.strip())
    return -1 if number is None else number
