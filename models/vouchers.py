"""Point vouchers (ポイント券) and their single redemption; spending receipts.

A voucher's value waits in its own ledger account (``voucher:<id>``) between issue and redemption or
expiry. A redemption row is UNIQUE per voucher: the database refuses a second one whatever arrives.
"""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.programs import Program
    from models.shops import Shop


class VoucherStatus(StrEnum):
    ISSUED = "ISSUED"
    REDEEMED = "REDEEMED"
    EXPIRED = "EXPIRED"
    VOID = "VOID"


class VoucherSource(StrEnum):
    RESIDENT = "RESIDENT"  # paid with the resident's points: unused value returns to the resident
    BUDGET = "BUDGET"  # printed at a PRINT terminal from the municipality's budget: returns to it


class Voucher(Model):
    id = fields.BigIntField(primary_key=True)
    serial = fields.CharField(max_length=8, unique=True)
    program: fields.ForeignKeyRelation["Program"] = fields.ForeignKeyField(
        "models.Program", related_name="vouchers", on_delete=fields.RESTRICT
    )
    face_value = fields.BigIntField()
    source = fields.CharEnumField(VoucherSource, max_length=8)
    resident_id = fields.BigIntField(null=True)
    issued_by = fields.CharField(max_length=60)
    status = fields.CharEnumField(VoucherStatus, max_length=8)
    issued_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)  # redeemed, expired or voided

    class Meta:
        table = "vouchers"


class VoucherRedemption(Model):
    id = fields.BigIntField(primary_key=True)
    voucher: fields.ForeignKeyRelation[Voucher] = fields.ForeignKeyField(
        "models.Voucher", related_name="redemptions", on_delete=fields.RESTRICT
    )
    shop: fields.ForeignKeyRelation["Shop"] = fields.ForeignKeyField(
        "models.Shop", related_name="redemptions", on_delete=fields.RESTRICT
    )
    actor = fields.CharField(max_length=60)
    kind = fields.CharField(max_length=12)  # REDEEM, or CONVERT into a shopping-street point
    entry_id = fields.BigIntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "voucher_redemptions"
