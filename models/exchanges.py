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


class CouponBatch(Model):
    # Coupons issued together. Their codes exist in clear only until the one download: sealed with a
    # key that lives in the issuer's browser cookie alone (the database never holds both), then erased.
    id = fields.BigIntField(primary_key=True)
    partner: fields.ForeignKeyRelation["Partner"] = fields.ForeignKeyField(
        "models.Partner", related_name="coupon_batches", on_delete=fields.RESTRICT
    )
    count = fields.IntField()
    points = fields.BigIntField()
    expires_at = fields.DatetimeField()
    created_at = fields.DatetimeField()
    created_by = fields.CharField(max_length=120)  # the actor label
    sealed_codes = fields.TextField(null=True)  # Fernet token, until downloaded (or given up)
    downloaded_at = fields.DatetimeField(null=True)
    voided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "coupon_batches"


class Coupon(Model):
    """A coupon code of a partner, kept only as a hash and redeemed once into reserved points."""

    id = fields.BigIntField(primary_key=True)
    partner: fields.ForeignKeyRelation["Partner"] = fields.ForeignKeyField(
        "models.Partner", related_name="coupons", on_delete=fields.RESTRICT
    )
    batch: fields.ForeignKeyNullableRelation[CouponBatch] = fields.ForeignKeyField(
        "models.CouponBatch", related_name="coupons", null=True, on_delete=fields.RESTRICT
    )
    code_hash = fields.CharField(max_length=64, unique=True)
    points = fields.BigIntField()
    expires_at = fields.DatetimeField()
    created_at = fields.DatetimeField()
    redeemed_at = fields.DatetimeField(null=True)
    voided_at = fields.DatetimeField(null=True)  # withdrawn by the partner before anyone used it
    resident: fields.ForeignKeyNullableRelation["Resident"] = fields.ForeignKeyField(
        "models.Resident", related_name="coupons", null=True, on_delete=fields.RESTRICT
    )
    entry: fields.ForeignKeyNullableRelation["JournalEntry"] = fields.ForeignKeyField(
        "models.JournalEntry", related_name="coupons", null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "coupons"
