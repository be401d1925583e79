"""Point programs: a municipality's regular program and its support events; premium campaigns;
which programs a shop accepts; departments (原課) that grant points."""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.municipalities import Municipality
    from models.shops import Shop


class ProgramKind(StrEnum):
    REGULAR = "REGULAR"  # 自治体ポイント口座 (経常的なもの)
    SUPPORT_EVENT = "SUPPORT_EVENT"  # 特定支援イベント口座: a cause with a start and an end


class SupportEventMode(StrEnum):
    """How a support event uses the points it takes in (product.md §4)."""

    HELD = "HELD"  # the resident holds them, spendable only where the event allows, until they expire
    DONATION = "DONATION"  # given to the organiser, who receives the total at the event's close


class Department(Model):
    id = fields.BigIntField(primary_key=True)
    municipality: fields.ForeignKeyRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="departments", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=60)
    created_at = fields.DatetimeField()

    class Meta:
        table = "departments"


class Program(Model):
    id = fields.BigIntField(primary_key=True)
    municipality: fields.ForeignKeyRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="programs", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(ProgramKind, max_length=16)
    name = fields.CharField(max_length=100)
    validity_days = fields.IntField()
    yen_per_point = fields.IntField(default=1)
    uses = fields.CharField(max_length=200)  # space-separated ProgramUse values
    starts_on = fields.DateField(null=True)  # support events: the window they take points in
    ends_on = fields.DateField(null=True)
    organiser = fields.CharField(max_length=100, null=True)
    purpose = fields.TextField(null=True)
    mode = fields.CharEnumField(SupportEventMode, max_length=10, null=True)  # support events only
    created_at = fields.DatetimeField()

    class Meta:
        table = "programs"


class PremiumCampaign(Model):
    """While it runs, points entering the program earn ``rate_percent`` more (floored), paid by the budget."""

    id = fields.BigIntField(primary_key=True)
    program: fields.ForeignKeyRelation[Program] = fields.ForeignKeyField(
        "models.Program", related_name="campaigns", on_delete=fields.RESTRICT
    )
    rate_percent = fields.IntField()
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "premium_campaigns"


class ShopProgram(Model):
    id = fields.BigIntField(primary_key=True)
    shop: fields.ForeignKeyRelation["Shop"] = fields.ForeignKeyField(
        "models.Shop", related_name="accepts", on_delete=fields.CASCADE
    )
    program: fields.ForeignKeyRelation[Program] = fields.ForeignKeyField(
        "models.Program", related_name="shops", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "shop_programs"


class AcceptanceAgreement(Model):
    """たすきがけ: shops of a municipality may accept another municipality's program

    The program's municipality owes them, netted between the two municipalities at each settlement."""

    id = fields.BigIntField(primary_key=True)
    program: fields.ForeignKeyRelation[Program] = fields.ForeignKeyField(
        "models.Program", related_name="agreements", on_delete=fields.RESTRICT
    )
    municipality: fields.ForeignKeyRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="accepted_programs", on_delete=fields.RESTRICT
    )
    created_by = fields.CharField(max_length=120)
    created_at = fields.DatetimeField()

    class Meta:
        table = "acceptance_agreements"
