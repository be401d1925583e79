"""Partner companies (応援ポイント会社): OAuth 2.0 clients whose points residents exchange."""

from tortoise import fields
from tortoise.models import Model


class Partner(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    client_id = fields.CharField(max_length=64, unique=True)
    client_secret_hash = fields.CharField(max_length=64)  # SHA-256: the secret is 256 random bits
    active = fields.BooleanField(default=True)
    # the partner's rate: rate_yen yen for every rate_points of its own points (floored per order)
    rate_points = fields.IntField(db_default=1)
    rate_yen = fields.IntField(db_default=1)
    created_at = fields.DatetimeField()

    class Meta:
        table = "partners"
