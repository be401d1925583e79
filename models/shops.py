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
    # the shop as a place on the portal and in the open data (entered by its municipality)
    kana = fields.CharField(max_length=100, db_default="")  # 名称_カナ, full-width katakana
    postal_code = fields.CharField(max_length=8, db_default="")  # 123-4567
    address = fields.CharField(max_length=200, db_default="")  # 所在地_連結表記
    latitude = fields.FloatField(null=True)  # WGS84 decimal degrees, both or neither
    longitude = fields.FloatField(null=True)
    opening_hours = fields.CharField(max_length=200, db_default="")
    description = fields.CharField(max_length=400, db_default="")
    phone = fields.CharField(max_length=20, db_default="")
    url = fields.CharField(max_length=300, db_default="")
    scans_vouchers = fields.BooleanField(db_default=True)  # its staff scan QR vouchers with a phone
    # name, reading, address and municipality folded for search (domain.shops.search.fold)
    search_key = fields.TextField(db_default="")
    updated_at = fields.DatetimeField(null=True)  # the open data's Last-Modified

    class Meta:
        table = "shops"
