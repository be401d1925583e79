"""The audit log: who changed what, and when (an admin reads their municipality's)."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.municipalities import Municipality
    from models.partners import Partner


class AuditEvent(Model):
    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=120)  # the actor's label, e.g. municipality_admin:12
    municipality: fields.ForeignKeyNullableRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="audit_events", null=True, on_delete=fields.RESTRICT
    )
    partner: fields.ForeignKeyNullableRelation["Partner"] = fields.ForeignKeyField(
        "models.Partner", related_name="audit_events", null=True, on_delete=fields.RESTRICT
    )  # a partner's own actions (its console, its server): the partner reads them
    action = fields.CharField(max_length=60)
    subject = fields.CharField(max_length=300)

    class Meta:
        table = "audit_events"
