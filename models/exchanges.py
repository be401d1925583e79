"""Partner exchanges (地域経済応援ポイントの移行) and coupon codes."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.ledger import JournalEntry
    from models.partners import Partner
    from models.residents import Resident


class Exchange(Model):
    """One partner order: the points of the partner, their yen value, the reserved points credited."""

    id = fields.BigIntField(primary_key=True)
    partner: fields.ForeignKeyRelation["Partner"] = fields.ForeignKeyField(
        "models.Partner", related_name="exchanges", on_delete=fields.RESTRICT
    )
    resident: fields.ForeignKeyRelation["Resident"] = fields.ForeignKeyField(
        "models.Resident", related_name="exchanges", on_delete=fields.RESTRICT
    )
    partner_points = fields.BigIntField()
    yen = fields.BigIntField()
    points = fields.BigIntField()
    external_ref = fields.CharField(max_length=100)
    status = fields.CharField(max_length=12)
    entry: fields.ForeignKeyRelation["JournalEntry"] = fields.ForeignKeyField(
        "models.JournalEntry", related_name="exchanges", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "exchanges"


class Coupon(Model):
    """A coupon code of a partner, kept only as a hash and redeemed once into reserved points."""

    id = fields.BigIntField(primary_key=True)
    partner: fields.ForeignKeyRelation["Partner"] = fields.ForeignKeyField(
        "models.Partner", related_name="coupons", on_delete=fields.RESTRICT
    )
    code_hash = fields.CharField(max_length=64, unique=True)
    points = fields.BigIntField()
    expires_at = fields.DatetimeField()
    created_at = fields.DatetimeField()
    redeemed_at = fields.DatetimeField(null=True)
    resident: fields.ForeignKeyNullableRelation["Resident"] = fields.ForeignKeyField(
        "models.Resident", related_name="coupons", null=True, on_delete=fields.RESTRICT
    )
    entry: fields.ForeignKeyNullableRelation["JournalEntry"] = fields.ForeignKeyField(
        "models.JournalEntry", related_name="coupons", null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "coupons"
