"""Residents and their MyKey IDs, and registrations in progress (screen 16 of seed 001).

Nothing here is personal data from the card: a resident is a MyKey ID, a password hash, an optional
e-mail address, notification choices and a basic municipality. The card itself is in ``cards``.
"""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.municipalities import Municipality


class ResidentStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"  # lost card: no session, no card, no password works until a new card is bound


class Resident(Model):
    id = fields.BigIntField(primary_key=True)
    my_key_id = fields.CharField(max_length=8, unique=True)
    password_hash = fields.CharField(max_length=200)
    email = fields.CharField(max_length=254, null=True)
    notify_points_granted = fields.BooleanField(default=False)
    notify_points_expired = fields.BooleanField(default=False)
    notify_password_changed = fields.BooleanField(default=False)
    notify_my_key_id_changed = fields.BooleanField(default=False)
    basic_municipality: fields.ForeignKeyNullableRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="residents", null=True, on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(ResidentStatus, max_length=12, default=ResidentStatus.ACTIVE)
    created_at = fields.DatetimeField()
    suspended_at = fields.DatetimeField(null=True)
    suspended_by = fields.CharField(max_length=300, null=True)  # "resident", or the operator and the reason

    class Meta:
        table = "residents"


class Registration(Model):
    """A card-authenticated registration in progress, reached through a single-use token's hash."""

    id = fields.BigIntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    issuer = fields.CharField(max_length=400)
    serial = fields.CharField(max_length=64)
    fingerprint = fields.CharField(max_length=64)
    not_before = fields.DatetimeField()
    not_after = fields.DatetimeField()
    generated = fields.SmallIntField(default=0)  # auto-generate presses used (at most 3)
    failed_checks = fields.SmallIntField(default=0)  # duplicate checks that found the ID taken (at most 3)
    checks = fields.SmallIntField(default=0)  # all duplicate checks (bounded: no enumeration)
    offered = fields.TextField(default="")  # space-separated candidates this registration may register
    final_candidate = fields.CharField(max_length=8, null=True)  # the 3rd generated value: it is the one
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "registrations"
