"""People who work the platform: the operator, municipality admins and staff, shop staff, partner staff."""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.municipalities import Municipality
    from models.partners import Partner
    from models.shops import Shop


class StaffRole(StrEnum):
    OPERATOR = "OPERATOR"  # runs the platform: onboards municipalities, partners, services
    MUNICIPALITY_ADMIN = "MUNICIPALITY_ADMIN"  # a municipality's administrator: shops, staff, terminals
    MUNICIPALITY_STAFF = "MUNICIPALITY_STAFF"  # a department's officer (原課): grants its points
    SHOP_STAFF = "SHOP_STAFF"  # takes vouchers at one shop
    PARTNER_STAFF = "PARTNER_STAFF"  # a partner company's staff: its console (orders, coupons, bills)


class Staff(Model):
    id = fields.BigIntField(primary_key=True)
    login = fields.CharField(max_length=80, unique=True)
    password_hash = fields.CharField(max_length=200)
    role = fields.CharEnumField(StaffRole, max_length=24)
    municipality: fields.ForeignKeyNullableRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="staff", null=True, on_delete=fields.RESTRICT
    )
    department = fields.CharField(max_length=60, null=True)
    shop: fields.ForeignKeyNullableRelation["Shop"] = fields.ForeignKeyField(
        "models.Shop", related_name="staff", null=True, on_delete=fields.RESTRICT
    )
    partner: fields.ForeignKeyNullableRelation["Partner"] = fields.ForeignKeyField(
        "models.Partner", related_name="staff", null=True, on_delete=fields.RESTRICT
    )  # set for PARTNER_STAFF alone (a CHECK)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "staff"
