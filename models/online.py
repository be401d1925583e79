"""Donations to support events, and what a municipality sells for points online (items and orders).

A donation and an order are each one journal entry (``entry_id``); the ledger keeps the points' funders.
An item's ``stock`` is taken by one guarded UPDATE (``stock >= quantity``) with a CHECK behind it, so
the last seat sells once whatever arrives at the same moment. An order keeps only itself: which item,
how many, how many points, and its state; nothing else about the resident's purchase is stored.
"""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.municipalities import Municipality
    from models.programs import Program
    from models.residents import Resident


class Donation(Model):
    id = fields.BigIntField(primary_key=True)
    program: fields.ForeignKeyRelation["Program"] = fields.ForeignKeyField(
        "models.Program", related_name="donations", on_delete=fields.RESTRICT
    )  # the DONATION support event
    resident: fields.ForeignKeyRelation["Resident"] = fields.ForeignKeyField(
        "models.Resident", related_name="donations", on_delete=fields.RESTRICT
    )
    from_program: fields.ForeignKeyRelation["Program"] = fields.ForeignKeyField(
        "models.Program", related_name="donated_from", on_delete=fields.RESTRICT
    )
    points = fields.BigIntField()
    show_name = fields.BooleanField()  # the donor agreed to be named on the public event page
    donor_name = fields.CharField(max_length=30, null=True)  # the name to show (else the MyKey ID)
    entry_id = fields.BigIntField(unique=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "donations"


class Item(Model):
    id = fields.BigIntField(primary_key=True)
    municipality: fields.ForeignKeyRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="items", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    description = fields.TextField(default="")
    price_points = fields.BigIntField()
    stock = fields.BigIntField()
    on_sale = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "items"


class ItemProgram(Model):
    """A program whose points may pay for the item (the municipality's own programs)."""

    id = fields.BigIntField(primary_key=True)
    item: fields.ForeignKeyRelation[Item] = fields.ForeignKeyField(
        "models.Item", related_name="programs", on_delete=fields.CASCADE
    )
    program: fields.ForeignKeyRelation["Program"] = fields.ForeignKeyField(
        "models.Program", related_name="items", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "item_programs"


class OrderStatus(StrEnum):
    PLACED = "PLACED"  # paid with points, waiting for the municipality to hand it over
    FULFILLED = "FULFILLED"
    CANCELLED = "CANCELLED"  # stock and points returned (the points as a new lot)


class Order(Model):
    id = fields.BigIntField(primary_key=True)
    item: fields.ForeignKeyRelation[Item] = fields.ForeignKeyField(
        "models.Item", related_name="orders", on_delete=fields.RESTRICT
    )
    resident: fields.ForeignKeyRelation["Resident"] = fields.ForeignKeyField(
        "models.Resident", related_name="orders", on_delete=fields.RESTRICT
    )
    program: fields.ForeignKeyRelation["Program"] = fields.ForeignKeyField(
        "models.Program", related_name="orders", on_delete=fields.RESTRICT
    )
    quantity = fields.IntField()
    points = fields.BigIntField()
    status = fields.CharEnumField(OrderStatus, max_length=10)
    entry_id = fields.BigIntField(unique=True)
    cancel_entry_id = fields.BigIntField(null=True, unique=True)
    created_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)  # fulfilled or cancelled
    closed_by = fields.CharField(max_length=120, null=True)

    class Meta:
        table = "orders"
