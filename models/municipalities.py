"""Participating municipalities (自治体), keyed by their JIS X 0402 code with its check digit."""

from tortoise import fields
from tortoise.models import Model


class Municipality(Model):
    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=6, unique=True)  # e.g. 141305 (川崎市), check digit included
    name = fields.CharField(max_length=60)
    prefecture = fields.CharField(max_length=10)
    created_at = fields.DatetimeField()

    class Meta:
        table = "municipalities"
