"""E-mail waiting to be sent, written in the same transaction as what it reports; job leases."""

from tortoise import fields
from tortoise.models import Model


class OutboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    dedupe_key = fields.CharField(max_length=200, unique=True)  # one message per event, whatever re-runs
    kind = fields.CharField(max_length=40)
    resident_id = fields.BigIntField(null=True)
    entry_id = fields.BigIntField(null=True)
    to_address = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    created_at = fields.DatetimeField()
    claimed_until = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox"


class JobLease(Model):
    """Who runs a batch job now: one holder at a time, until the lease ends."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=40, unique=True)
    holder = fields.CharField(max_length=100)
    leased_until = fields.DatetimeField()

    class Meta:
        table = "job_leases"
