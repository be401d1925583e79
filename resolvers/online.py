"""Donations to support events, their public progress; items sold for points and their orders."""

import strawberry

from domain.auth.permissions import Permission
from domain.online import donations, items
from resolvers.ids import int_id
from schema.context import Info
from schema.errors import attempt
from schema.online import (
    AddItemInput,
    DonatePointsPayload,
    Donation,
    Item,
    ItemPayload,
    Order,
    OrderPayload,
    SupportEventProgress,
)
from schema.permissions import Needs


@strawberry.type
class OnlineQuery:
    @strawberry.field(
        description="A municipality's items on sale for points. Anyone.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def items(self, info: Info, municipality_code: str) -> list[Item]:
        return [Item.from_view(v) for v in await items.list_items(municipality_code)]

    @strawberry.field(
        description="A municipality's orders to fulfil (status: PLACED, FULFILLED, CANCELLED), newest first."
        " Its admins.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def orders(
        self, info: Info, municipality_code: str, status: str | None = None, first: int = 100
    ) -> list[Order]:
        found = await items.list_orders(info.context.actor, municipality_code, status, first)
        return [Order.from_view(v, staff=True) for v in found]

    @strawberry.field(
        description="The resident's own orders, newest first.", extensions=[Needs(Permission.RESIDENT)]
    )
    async def my_orders(self, info: Info, first: int = 50) -> list[Order]:
        found = await items.my_orders(info.context.actor, max(1, min(first, 100)))
        return [Order.from_view(v, staff=False) for v in found]

    @strawberry.field(
        description="A support event's progress and the donors who agreed to be named. Anyone.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def support_event_progress(self, info: Info, program_id: strawberry.ID) -> SupportEventProgress:
        number = int_id(program_id) or -1
        return SupportEventProgress.from_view(number, await donations.event_progress(number))


@strawberry.type
class OnlineMutation:
    @strawberry.mutation(
        description="Give points from one of your balances to a running donation event of its municipality;"
        " showName: be named on the public event page (as donorName, else your MyKey ID). Card session.",
        extensions=[Needs(Permission.RESIDENT_CARD)],
    )
    async def donate_points(
        self,
        info: Info,
        program_id: strawberry.ID,
        points: int,
        from_program_id: strawberry.ID,
        show_name: bool,
        idempotency_key: str,
        donor_name: str | None = None,
    ) -> DonatePointsPayload:
        async def work() -> DonatePointsPayload:
            done = await donations.donate_points(
                info.context.actor,
                int_id(program_id) or -1,
                points,
                int_id(from_program_id) or -1,
                show_name,
                idempotency_key,
                info.context.clock.now(),
                donor_name,
            )
            return DonatePointsPayload(donation=Donation.from_done(done))

        return await attempt(DonatePointsPayload, work())

    @strawberry.mutation(
        description="List an item residents can buy with points. Its municipality's admin.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def add_item(self, info: Info, input: AddItemInput) -> ItemPayload:
        async def work() -> ItemPayload:
            form = items.ItemInput(
                input.municipality_code,
                input.name,
                input.description,
                input.price_points,
                input.stock,
                [int_id(p) or -1 for p in input.program_ids],
            )
            return ItemPayload(
                item=Item.from_view(await items.add_item(info.context.actor, form, info.context.clock.now()))
            )

        return await attempt(ItemPayload, work())

    @strawberry.mutation(
        description="Add to an item's stock. Its municipality's admin.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def restock_item(self, info: Info, item_id: strawberry.ID, add: int) -> ItemPayload:
        async def work() -> ItemPayload:
            done = await items.restock_item(
                info.context.actor, int_id(item_id) or -1, add, info.context.clock.now()
            )
            return ItemPayload(item=Item.from_view(done))

        return await attempt(ItemPayload, work())

    @strawberry.mutation(
        description="Put an item on sale or take it off. Its municipality's admin.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def set_item_on_sale(self, info: Info, item_id: strawberry.ID, on_sale: bool) -> ItemPayload:
        async def work() -> ItemPayload:
            done = await items.set_item_on_sale(
                info.context.actor, int_id(item_id) or -1, on_sale, info.context.clock.now()
            )
            return ItemPayload(item=Item.from_view(done))

        return await attempt(ItemPayload, work())

    @strawberry.mutation(
        description="Order an item with points of one program that pays for it (taken once per key). Card"
        " session.",
        extensions=[Needs(Permission.RESIDENT_CARD)],
    )
    async def order_item(
        self,
        info: Info,
        item_id: strawberry.ID,
        quantity: int,
        program_id: strawberry.ID,
        idempotency_key: str,
    ) -> OrderPayload:
        async def work() -> OrderPayload:
            done = await items.order_item(
                info.context.actor,
                int_id(item_id) or -1,
                quantity,
                int_id(program_id) or -1,
                idempotency_key,
                info.context.clock.now(),
            )
            return OrderPayload(order=Order.from_done(done))

        return await attempt(OrderPayload, work())

    @strawberry.mutation(
        description="Mark a placed order as handed over. Its municipality's admin.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def fulfil_order(self, info: Info, order_id: strawberry.ID) -> OrderPayload:
        async def work() -> OrderPayload:
            done = await items.fulfil_order(
                info.context.actor, int_id(order_id) or -1, info.context.clock.now()
            )
            return OrderPayload(order=Order.from_view(done, staff=True))

        return await attempt(OrderPayload, work())

    @strawberry.mutation(
        description="Cancel a placed order: the stock comes back and the points return as a new lot. Its"
        " municipality's admin.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def cancel_order(self, info: Info, order_id: strawberry.ID) -> OrderPayload:
        async def work() -> OrderPayload:
            done = await items.cancel_order(
                info.context.actor, int_id(order_id) or -1, info.context.clock.now()
            )
            return OrderPayload(order=Order.from_view(done, staff=True))

        return await attempt(OrderPayload, work())
