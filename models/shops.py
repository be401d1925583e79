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
    # where the municipality pays the shop (all five or none; the holder in the bank file's kana)
    bank_code = fields.CharField(max_length=4, null=True)
    branch_code = fields.CharField(max_length=3, null=True)
    account_type = fields.CharField(max_length=8, null=True)
    account_number = fields.CharField(max_length=7, null=True)
    account_holder = fields.CharField(max_length=60, null=True)
    account_set_by = fields.CharField(max_length=120, null=True)  # the actor who entered it
    account_set_at = fields.DatetimeField(null=True)

    class Meta:
        table = "shops"
