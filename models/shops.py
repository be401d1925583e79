"""Shops and facilities (店舗・利用施設) that accept points, registered by their municipality."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.municipalities import Municipality


class Shop(Model):
    id = fields.BigIntField(primary_key=True)
    municipality: fields.ForeignKeyRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="shops", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=100)
    category = fields.CharField(max_length=40)
    created_at = fields.DatetimeField()

    class Meta:
        table = "shops"
