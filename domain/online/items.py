"""What a municipality sells for points online (seed 002: seats at the yearly fireworks, things one
cannot get elsewhere; the original service's regional specialities), and the orders residents place.

* ``add_item`` / ``restock_item`` / ``set_item_on_sale`` (the municipality's admins): an item has a
  price in points, a stock, and the programs whose points pay for it (the municipality's regular
  program and held events).
* ``order_item`` (a resident's card session): one transaction takes the stock with a guarded UPDATE
  (``stock >= quantity``; a CHECK stands behind it), then the points with one ORDER entry from the
  resident's balance in the chosen program to the municipality's budget (the municipality sold its
  own goods: nobody else is paid). Idempotent per (resident, key). Not enough points rolls the stock
  back with everything else.
* ``fulfil_order`` / ``cancel_order`` (its admins): a guarded state change from PLACED. A cancelled
  order puts the stock back and returns the points as a new lot (ORDER_CANCEL), funded as the points
  it took were, valid for the program's validity from the day of the return.

An order keeps only itself (item, quantity, points, state); nothing else about the purchase is
stored (product.md §3): the journal's entries say "online order", never what was bought.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.audit.log import audit
from domain.auth.access import require_current_card_session, require_municipality
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.errors import DomainError, ErrorCode
from domain.events import Event, publish
from domain.ledger.accounts import get_account
from domain.ledger.errors import insufficient_points
from domain.ledger.idempotency import RequestFields, check_key, idempotent
from domain.ledger.journal import Funder, Leg, post_entry
from domain.ledger.rules import expiry_instant
from domain.municipalities.queries import get_municipality_by_code, list_municipalities_by_id
from domain.points import accounts
from domain.programs.queries import get_program, list_programs_by_id
from domain.sql import Sql, reader, transaction
from models.ledger import FunderKind
from models.programs import ProgramKind

MAX_PRICE = 1_000_000
MAX_STOCK = 1_000_000
MAX_QUANTITY = 10


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field)


@dataclass(frozen=True)
class ItemInput:
    municipality_code: str
    name: str
    description: str
    price_points: int
    stock: int
    program_ids: Sequence[int]


@dataclass(frozen=True)
class ItemView:
    id: int
    municipality_id: int
    name: str
    description: str
    price_points: int
    stock: int
    on_sale: bool
    program_ids: tuple[int, ...]


@dataclass(frozen=True)
class _ItemRow:
    id: int
    municipality_id: int
    name: str
    description: str
    price_points: int
    stock: int
    on_sale: bool


def _whole(value: int, low: int, high: int, message: str, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _invalid(message, field)
    return value


def check_item(form: ItemInput) -> ItemInput:
    name = " ".join(form.name.split())
    if not 1 <= len(name) <= 100:
        raise _invalid("Give the item a name of 1–100 characters.", "name")
    description = form.description.strip()
    if len(description) > 1000:
        raise _invalid("A description is at most 1,000 characters.", "description")
    _whole(form.price_points, 1, MAX_PRICE, f"The price is 1 to {MAX_PRICE:,} points.", "pricePoints")
    _whole(form.stock, 0, MAX_STOCK, f"The stock is 0 to {MAX_STOCK:,}.", "stock")
    if not form.program_ids:
        raise _invalid("Choose the programs whose points pay for it.", "programIds")
    return ItemInput(
        form.municipality_code,
        name,
        description,
        form.price_points,
        form.stock,
        sorted(set(form.program_ids)),
    )


async def _items(sql: Sql, where: str, *args: object) -> list[ItemView]:
    rows = await sql.fetch_as(
        _ItemRow,
        "SELECT id, municipality_id, name, description, price_points, stock, on_sale FROM items"
        f" WHERE {where} ORDER BY id",
        *args,
    )
    if not rows:
        return []
    links = await sql.fetch(
        f"SELECT item_id, program_id FROM item_programs WHERE {sql.any_of('item_id', 1)} ORDER BY program_id",
        sql.ids([r.id for r in rows]),
    )
    paid_by: dict[int, list[int]] = {r.id: [] for r in rows}
    for link in links:
        paid_by[int(link["item_id"])].append(int(link["program_id"]))
    return [
        ItemView(
            r.id,
            r.municipality_id,
            r.name,
            r.description,
            r.price_points,
            r.stock,
            r.on_sale,
            tuple(paid_by[r.id]),
        )
        for r in rows
    ]


async def get_item(sql: Sql, item_id: int, field: str = "itemId") -> ItemView:
    found = await _items(sql, "id = $1", item_id)
    if not found:
        raise DomainError(ErrorCode.NOT_FOUND, "No such item.", field)
    return found[0]


async def list_items(municipality_code: str, on_sale_only: bool = True) -> list[ItemView]:
    """A municipality's items (public: on sale only), oldest first."""
    sql = reader()
    municipality = await get_municipality_by_code(sql, municipality_code)
    if on_sale_only:
        return await _items(sql, "municipality_id = $1 AND on_sale", municipality.id)
    return await _items(sql, "municipality_id = $1", municipality.id)


async def add_item(actor: Actor | None, form: ItemInput, now: datetime) -> ItemView:
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    form = check_item(form)

    async def work(sql: Sql) -> ItemView:
        municipality = await get_municipality_by_code(sql, form.municipality_code)
        require_municipality(actor, municipality.id)
        programs = await list_programs_by_id(sql, list(form.program_ids))
        for program_id in form.program_ids:
            program = programs.get(program_id)
            if program is None or program.municipality_id != municipality.id:
                raise DomainError(ErrorCode.NOT_FOUND, "Choose this municipality's programs.", "programIds")
            if program.kind is not ProgramKind.REGULAR and not program.held:
                raise _invalid("A donation event's points do not pay for items.", "programIds")
        item_id = int(
            await sql.fetchval(
                "INSERT INTO items (municipality_id, name, description, price_points, stock, on_sale,"
                " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) RETURNING id",
                municipality.id,
                form.name,
                form.description,
                form.price_points,
                form.stock,
                now,
            )
        )
        for program_id in form.program_ids:
            await sql.execute(
                "INSERT INTO item_programs (item_id, program_id) VALUES ($1, $2)", item_id, program_id
            )
        await audit(
            sql,
            actor,
            "item.add",
            f"{form.name} ({form.price_points:,} pt × {form.stock})",
            municipality.id,
            now,
        )
        return await get_item(sql, item_id)

    return await transaction(work)


async def _own_item(sql: Sql, actor: Actor, item_id: int) -> ItemView:
    item = await get_item(sql, item_id)
    require_municipality(actor, item.municipality_id)
    return item


async def restock_item(actor: Actor | None, item_id: int, more: int, now: datetime) -> ItemView:
    """Add ``more`` to the stock (one guarded UPDATE: orders taking stock at the same time are kept)."""
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    _whole(more, 1, MAX_STOCK, f"Add 1 to {MAX_STOCK:,}.", "stock")

    async def work(sql: Sql) -> ItemView:
        item = await _own_item(sql, actor, item_id)
        done = await sql.fetchval(
            "UPDATE items SET stock = stock + $2, updated_at = $3 WHERE id = $1 AND stock + $2 <= $4"
            " RETURNING stock",
            item_id,
            more,
            now,
            MAX_STOCK,
        )
        if done is None:
            raise _invalid(f"The stock would pass {MAX_STOCK:,}.", "stock")
        await audit(sql, actor, "item.restock", f"{item.name} +{more}", item.municipality_id, now)
        return await get_item(sql, item_id)

    return await transaction(work)


async def set_item_on_sale(actor: Actor | None, item_id: int, on_sale: bool, now: datetime) -> ItemView:
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)

    async def work(sql: Sql) -> ItemView:
        item = await _own_item(sql, actor, item_id)
        await sql.execute(
            "UPDATE items SET on_sale = $2, updated_at = $3 WHERE id = $1", item_id, on_sale, now
        )
        action = "item.on_sale" if on_sale else "item.off_sale"
        await audit(sql, actor, action, item.name, item.municipality_id, now)
        return await get_item(sql, item_id)

    return await transaction(work)


@dataclass(frozen=True)
class OrderDone:
    id: int
    item_id: int
    quantity: int
    points: int
    status: str
    created_at: datetime


async def order_item(
    actor: Actor | None, item_id: int, quantity: int, program_id: int, key: str, now: datetime
) -> OrderDone:
    actor = await require_current_card_session(actor, now)
    check_key(key)
    _whole(quantity, 1, MAX_QUANTITY, f"Order 1 to {MAX_QUANTITY}.", "quantity")
    request: RequestFields = {"item": item_id, "quantity": quantity, "program": program_id}

    async def work(sql: Sql) -> OrderDone:
        item = await get_item(sql, item_id)
        if program_id not in item.program_ids:
            raise DomainError(
                ErrorCode.NOT_ACCEPTED_HERE, "This item cannot be paid with that program.", "programId"
            )
        price = await sql.fetchval(  # the stock, taken once: concurrent orders queue on this row
            "UPDATE items SET stock = stock - $2, updated_at = $3 WHERE id = $1 AND on_sale"
            " AND stock >= $2 RETURNING price_points",
            item_id,
            quantity,
            now,
        )
        if price is None:
            left = item.stock if item.on_sale else 0
            raise DomainError(
                ErrorCode.SOLD_OUT,
                f"Only {left} left." if left else "Sold out.",
                "quantity",
                details={"left": str(left)},
            )
        points = int(price) * quantity
        account = await get_account(sql, accounts.resident_program(actor.id, program_id))
        if account is None:
            raise insufficient_points(points, "programId", available=0)
        town = (await list_municipalities_by_id(sql, [item.municipality_id]))[item.municipality_id]
        budget = await accounts.open_budget(sql, town, now)
        entry = await post_entry(
            sql,
            kind="ORDER",
            actor=actor.label,
            now=now,
            legs=[Leg(account, budget, points)],
            memo=f"{town.name} オンライン注文",  # never what was bought (product.md §3)
        )
        order_id = await sql.fetchval(
            "INSERT INTO orders (item_id, resident_id, program_id, quantity, points, status, entry_id,"
            " created_at) VALUES ($1, $2, $3, $4, $5, 'PLACED', $6, $7) RETURNING id",
            item_id,
            actor.id,
            program_id,
            quantity,
            points,
            entry.id,
            now,
        )
        await publish(sql, Event(f"resident:{actor.id}", "ORDER", {"points": -points}))
        return OrderDone(int(order_id), item_id, quantity, points, "PLACED", now)

    return await idempotent(actor=actor.label, key=key, request=request, now=now, work=work, answer=OrderDone)


@dataclass(frozen=True)
class OrderView:
    id: int
    item_id: int
    item_name: str
    municipality_id: int
    program_id: int
    quantity: int
    points: int
    status: str
    created_at: datetime
    closed_at: datetime | None
    my_key_id: str  # shown to the municipality's staff to hand the order over


_ORDERS = (
    "SELECT o.id, o.item_id, i.name AS item_name, i.municipality_id, o.program_id, o.quantity, o.points,"
    " o.status, o.created_at, o.closed_at, r.my_key_id FROM orders o JOIN items i ON i.id = o.item_id"
    " JOIN residents r ON r.id = o.resident_id"
)


async def list_orders(
    actor: Actor | None, municipality_code: str, status: str | None = None, first: int = 100
) -> list[OrderView]:
    """A municipality's orders, newest first (its admins, or the operator)."""
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    if status is not None and status not in ("PLACED", "FULFILLED", "CANCELLED"):
        raise _invalid("The status is PLACED, FULFILLED or CANCELLED.", "status")
    sql = reader()
    municipality = await get_municipality_by_code(sql, municipality_code)
    require_municipality(actor, municipality.id)
    return await sql.fetch_as(
        OrderView,
        f"{_ORDERS} WHERE i.municipality_id = $1 AND ($2 = '' OR o.status = $2) ORDER BY o.id DESC LIMIT $3",
        municipality.id,
        status or "",
        max(1, min(first, 500)),
    )


async def my_orders(actor: Actor | None, first: int = 50) -> list[OrderView]:
    actor = permit(actor, Permission.RESIDENT)
    return await reader().fetch_as(
        OrderView, f"{_ORDERS} WHERE o.resident_id = $1 ORDER BY o.id DESC LIMIT $2", actor.id, first
    )


async def _close_order(sql: Sql, actor: Actor, order_id: int, status: str, now: datetime) -> OrderView:
    found = await sql.fetchrow_as(OrderView, f"{_ORDERS} WHERE o.id = $1", order_id)
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such order.", "orderId")
    require_municipality(actor, found.municipality_id)
    closed = await sql.fetchval(
        "UPDATE orders SET status = $2, closed_at = $3, closed_by = $4 WHERE id = $1 AND status = 'PLACED'"
        " RETURNING id",
        order_id,
        status,
        now,
        actor.label,
    )
    if closed is None:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"This order is already {found.status.lower()}.", "orderId"
        )
    return found


async def fulfil_order(actor: Actor | None, order_id: int, now: datetime) -> OrderView:
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)

    async def work(sql: Sql) -> OrderView:
        order = await _close_order(sql, actor, order_id, "FULFILLED", now)
        await audit(sql, actor, "order.fulfil", f"#{order.id} {order.item_name}", order.municipality_id, now)
        return await _order(sql, order_id)

    return await transaction(work)


@dataclass(frozen=True)
class _Taken:
    funder_kind: str
    funder_ref: str
    points: int


async def cancel_order(actor: Actor | None, order_id: int, now: datetime) -> OrderView:
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)

    async def work(sql: Sql) -> OrderView:
        order = await _close_order(sql, actor, order_id, "CANCELLED", now)
        await sql.execute(
            "UPDATE items SET stock = stock + $2, updated_at = $3 WHERE id = $1",
            order.item_id,
            order.quantity,
            now,
        )
        program = await get_program(sql, order.program_id)
        town = (await list_municipalities_by_id(sql, [order.municipality_id]))[order.municipality_id]
        budget = await accounts.open_budget(sql, town, now)
        resident_id = int(await sql.fetchval("SELECT resident_id FROM orders WHERE id = $1", order_id))
        dest = await accounts.open_program(sql, resident_id, program.id, now)
        taken = await sql.fetch_as(  # who funded the points the order took: the new lot keeps them
            _Taken,
            "SELECT l.funder_kind, l.funder_ref, -SUM(p.amount) AS points FROM orders o"
            " JOIN postings p ON p.entry_id = o.entry_id AND p.amount < 0 JOIN lots l ON l.id = p.lot_id"
            " WHERE o.id = $1 GROUP BY l.funder_kind, l.funder_ref ORDER BY l.funder_kind, l.funder_ref",
            order_id,
        )
        expires_at = expiry_instant(now, program.validity_days)
        legs = [
            Leg(budget, dest, t.points, Funder(FunderKind(t.funder_kind), t.funder_ref), expires_at)
            for t in taken
        ]
        entry = await post_entry(
            sql,
            kind="ORDER_CANCEL",
            actor=actor.label,
            now=now,
            legs=legs,
            memo=f"{town.name} オンライン注文の取消",
        )
        await sql.execute("UPDATE orders SET cancel_entry_id = $2 WHERE id = $1", order_id, entry.id)
        await audit(sql, actor, "order.cancel", f"#{order.id} {order.item_name}", order.municipality_id, now)
        await publish(sql, Event(f"resident:{resident_id}", "ORDER_CANCEL", {"points": order.points}))
        return await _order(sql, order_id)

    return await transaction(work)


async def _order(sql: Sql, order_id: int) -> OrderView:
    found = await sql.fetchrow_as(OrderView, f"{_ORDERS} WHERE o.id = $1", order_id)
    assert found is not None
    return found


async def items_payable_with(sql: Sql, program_ids: list[int]) -> list[ItemView]:
    """Items on sale that points of any of ``program_ids`` pay for (My Page's "buy with points")."""
    if not program_ids:
        return []
    return await _items(
        sql,
        f"on_sale AND id IN (SELECT item_id FROM item_programs WHERE {sql.any_of('program_id', 1)})",
        sql.ids(program_ids),
    )
