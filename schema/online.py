"""Support events' donations and progress; items a municipality sells for points, and orders."""

from datetime import datetime

import strawberry

from domain.online.donations import DonationDone, EventProgress
from domain.online.items import ItemView, OrderDone, OrderView
from schema.errors import Payload


@strawberry.type(description="A donation to a support event run as a DONATION.")
class Donation:
    id: strawberry.ID
    program_id: strawberry.ID
    points: int
    show_name: bool = strawberry.field(description="The donor agreed to be named on the public event page.")
    created_at: datetime

    @classmethod
    def from_done(cls, done: DonationDone) -> "Donation":
        return cls(
            id=strawberry.ID(str(done.id)),
            program_id=strawberry.ID(str(done.program_id)),
            points=done.points,
            show_name=done.show_name,
            created_at=done.created_at,
        )


@strawberry.type
class DonatePointsPayload(Payload):
    donation: Donation | None = None


@strawberry.type(description="A donor who agreed to be named: the name they gave, else their MyKey ID.")
class NamedDonor:
    name: str
    points: int
    at: datetime


@strawberry.type(description="A support event's public progress.")
class SupportEventProgress:
    program_id: strawberry.ID
    received_points: int = strawberry.field(description="Reserved points given and donations, in all.")
    gifts: int = strawberry.field(description="How many times points were given.")
    named_donors: list[NamedDonor] = strawberry.field(description="Only donors who agreed; newest first.")

    @classmethod
    def from_view(cls, program_id: int, view: EventProgress) -> "SupportEventProgress":
        return cls(
            program_id=strawberry.ID(str(program_id)),
            received_points=view.points,
            gifts=view.gifts,
            named_donors=[NamedDonor(name=d.name, points=d.points, at=d.at) for d in view.donors],
        )


@strawberry.type(description="Something a municipality sells for points (a fireworks seat, a local product).")
class Item:
    id: strawberry.ID
    name: str
    description: str
    price_points: int
    stock: int
    on_sale: bool
    program_ids: list[strawberry.ID] = strawberry.field(description="The programs whose points pay for it.")

    @classmethod
    def from_view(cls, view: ItemView) -> "Item":
        return cls(
            id=strawberry.ID(str(view.id)),
            name=view.name,
            description=view.description,
            price_points=view.price_points,
            stock=view.stock,
            on_sale=view.on_sale,
            program_ids=[strawberry.ID(str(p)) for p in view.program_ids],
        )


@strawberry.input
class AddItemInput:
    municipality_code: str
    name: str
    description: str = ""
    price_points: int
    stock: int
    program_ids: list[strawberry.ID]


@strawberry.type
class ItemPayload(Payload):
    item: Item | None = None


@strawberry.type(description="An order for an item, paid with points.")
class Order:
    id: strawberry.ID
    status: str = strawberry.field(description="PLACED, FULFILLED or CANCELLED (points returned).")
    points: int
    quantity: int
    item_id: strawberry.ID
    item_name: str | None = None
    program_id: strawberry.ID | None = None
    created_at: datetime
    closed_at: datetime | None = None
    my_key_id: str | None = strawberry.field(
        default=None, description="Who to hand it to (the municipality's view of a placed order)."
    )

    @classmethod
    def from_done(cls, done: OrderDone) -> "Order":
        return cls(
            id=strawberry.ID(str(done.id)),
            status=done.status,
            points=done.points,
            quantity=done.quantity,
            item_id=strawberry.ID(str(done.item_id)),
            created_at=done.created_at,
        )

    @classmethod
    def from_view(cls, view: OrderView, staff: bool) -> "Order":
        return cls(
            id=strawberry.ID(str(view.id)),
            status=view.status,
            points=view.points,
            quantity=view.quantity,
            item_id=strawberry.ID(str(view.item_id)),
            item_name=view.item_name,
            program_id=strawberry.ID(str(view.program_id)),
            created_at=view.created_at,
            closed_at=view.closed_at,
            my_key_id=view.my_key_id if staff else None,
        )


@strawberry.type
class OrderPayload(Payload):
    order: Order | None = None
