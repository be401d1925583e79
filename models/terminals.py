"""Registered counter devices: service-ID lookup, point use, voucher printing, point granting."""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.links import Service
    from models.municipalities import Municipality
    from models.shops import Shop


class TerminalKind(StrEnum):
    LOOKUP = "LOOKUP"  # a service's counter: card → that service's customer number
    PAY = "PAY"  # a shop's point-use terminal
    PRINT = "PRINT"  # prints point vouchers (e.g. a tourist office)
    GRANT = "GRANT"  # a department's admin PC or mobile granting terminal


class TerminalStatus(StrEnum):
    REGISTERED = "REGISTERED"  # waiting for the device to activate itself with the one-time code
    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"


class Terminal(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(TerminalKind, max_length=8)
    name = fields.CharField(max_length=100)
    municipality: fields.ForeignKeyRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="terminals", on_delete=fields.RESTRICT
    )
    shop: fields.ForeignKeyNullableRelation["Shop"] = fields.ForeignKeyField(
        "models.Shop", related_name="terminals", null=True, on_delete=fields.RESTRICT
    )
    service: fields.ForeignKeyNullableRelation["Service"] = fields.ForeignKeyField(
        "models.Service", related_name="terminals", null=True, on_delete=fields.RESTRICT
    )
    department = fields.CharField(max_length=60, null=True)
    status = fields.CharEnumField(TerminalStatus, max_length=12, default=TerminalStatus.REGISTERED)
    activation_code_hash = fields.CharField(max_length=64, unique=True)
    activation_expires_at = fields.DatetimeField()
    token_hash = fields.CharField(max_length=64, null=True, unique=True)
    activated_at = fields.DatetimeField(null=True)
    last_seen_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "terminals"
