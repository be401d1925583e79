"""Service IDs: which customer number a resident holds at which service (the link table).

Counter visits are not recorded per resident: only a count per service and Japan day.
"""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.municipalities import Municipality
    from models.residents import Resident


class Service(Model):
    """A library, museum, sports facility… identified by its provider code (e.g. ``A1``)."""

    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=16, unique=True)
    name = fields.CharField(max_length=100)
    municipality: fields.ForeignKeyNullableRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="services", null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "services"


class ServiceLink(Model):
    id = fields.BigIntField(primary_key=True)
    resident: fields.ForeignKeyRelation["Resident"] = fields.ForeignKeyField(
        "models.Resident", related_name="links", on_delete=fields.CASCADE
    )
    service: fields.ForeignKeyRelation["Service"] = fields.ForeignKeyField(
        "models.Service", related_name="links", on_delete=fields.RESTRICT
    )
    customer_id = fields.CharField(max_length=40)
    valid_until = fields.DateField(null=True)  # the membership's own expiry, if it has one
    confirmed_at = fields.DatetimeField()  # linked or re-confirmed: due again a year later
    reconfirm_requested = fields.BooleanField(default=False)  # e.g. the resident's municipality changed
    created_at = fields.DatetimeField()

    class Meta:
        table = "service_links"


class ServiceLookupCount(Model):
    id = fields.BigIntField(primary_key=True)
    service: fields.ForeignKeyRelation["Service"] = fields.ForeignKeyField(
        "models.Service", related_name="lookup_counts", on_delete=fields.RESTRICT
    )
    day = fields.DateField()  # Japan day
    lookups = fields.BigIntField(default=0)

    class Meta:
        table = "service_lookup_counts"
