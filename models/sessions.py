"""Sign-in sessions (reached through a token's hash) and rate-limit counters."""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.cards import Card


class SubjectKind(StrEnum):
    RESIDENT = "RESIDENT"
    STAFF = "STAFF"


class Session(Model):
    id = fields.BigIntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    csrf_hash = fields.CharField(max_length=64)
    subject_kind = fields.CharEnumField(SubjectKind, max_length=8)
    subject_id = fields.BigIntField()
    card: fields.ForeignKeyNullableRelation["Card"] = fields.ForeignKeyField(
        "models.Card", related_name="sessions", null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sessions"


class RateLimitWindow(Model):
    """Hits on one bucket (e.g. ``login:ip:203.0.113.5``) in one fixed window."""

    id = fields.BigIntField(primary_key=True)
    bucket = fields.CharField(max_length=200)
    window_start = fields.DatetimeField()
    hits = fields.IntField(default=0)

    class Meta:
        table = "rate_limit_windows"
