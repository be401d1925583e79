"""The point ledger's tables.

    accounts ──< postings >── journal_entries >── checkpoints (signed, chained)
        │            │
        └──< lots ───┘   (a posting on a lot-tracked account names the lot it moved)

Money paths write these tables with guarded SQL in ``domain.ledger``; the constraints below are the
database's own backstop; they are installed by migrations/0001_initial.py (Tortoise's CreateModel
does not emit Meta.constraints), as CHECK constraints on PostgreSQL and triggers on SQLite:
balance >= 0 unless negative_allowed, 0 <= remaining <= original, amount <> 0, and UNIQUE
(actor, idempotency_key) on entries and idempotency records.
"""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.municipalities import Municipality
    from models.partners import Partner
    from models.programs import Program
    from models.residents import Resident
    from models.shops import Shop
    from models.vouchers import Voucher


class AccountKind(StrEnum):
    """What an account stands for. Resident accounts track lots and can never go negative."""

    RESIDENT_PROGRAM = "RESIDENT_PROGRAM"  # a resident's points in one program or support event
    RESIDENT_RESERVED = "RESIDENT_RESERVED"  # a resident's reserved points (not yet in a program)
    MUNICIPALITY = "MUNICIPALITY"  # a municipality's budget: the source of administrative points
    SHOP = "SHOP"  # points a shop has taken, owed to it in yen at settlement
    PARTNER = "PARTNER"  # a partner company: the source of exchanged points
    SYSTEM = "SYSTEM"  # sinks and sources of the platform itself (expired, premium, fees…)
    VOUCHER = "VOUCHER"  # a voucher's value between issue and redemption (keeps the lots' funders)
    EVENT_GIFTS = "EVENT_GIFTS"  # what residents gave to a support event (keeps the lots' funders)


class FunderKind(StrEnum):
    """Who pays, in yen, for a lot of points when it is spent."""

    PARTNER = "PARTNER"
    MUNICIPALITY = "MUNICIPALITY"
    PREMIUM = "PREMIUM"
    DONATION = "DONATION"


class Account(Model):
    # A balance, owned by whoever its owner columns name (which ones, by kind: domain.ledger.accounts).
    # ``code`` is a unique label for people reading logs (``resident:42:program:7``), derived from the
    # owner columns, and ``mykey ledger verify`` checks that the two agree. Queries use the columns.
    # (A comment, not a docstring: Tortoise would make a docstring the table's comment.)

    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=120, unique=True)
    kind = fields.CharEnumField(AccountKind, max_length=24)
    resident: fields.ForeignKeyNullableRelation["Resident"] = fields.ForeignKeyField(
        "models.Resident", related_name="accounts", null=True, on_delete=fields.RESTRICT
    )
    municipality: fields.ForeignKeyNullableRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="accounts", null=True, on_delete=fields.RESTRICT
    )
    program: fields.ForeignKeyNullableRelation["Program"] = fields.ForeignKeyField(
        "models.Program", related_name="accounts", null=True, on_delete=fields.RESTRICT
    )
    shop: fields.ForeignKeyNullableRelation["Shop"] = fields.ForeignKeyField(
        "models.Shop", related_name="accounts", null=True, on_delete=fields.RESTRICT
    )
    shard = fields.SmallIntField(null=True)  # which of a shop's accounts (domain.points.accounts)
    partner: fields.ForeignKeyNullableRelation["Partner"] = fields.ForeignKeyField(
        "models.Partner", related_name="accounts", null=True, on_delete=fields.RESTRICT
    )
    voucher: fields.ForeignKeyNullableRelation["Voucher"] = fields.ForeignKeyField(
        "models.Voucher", related_name="accounts", null=True, on_delete=fields.RESTRICT
    )
    tracks_lots = fields.BooleanField()
    negative_allowed = fields.BooleanField()
    balance = fields.BigIntField(default=0)
    version = fields.BigIntField(default=0)
    created_at = fields.DatetimeField()

    class Meta:
        table = "accounts"


class Checkpoint(Model):
    """A signed Merkle root over the entries it sealed, naming the checkpoint before it."""

    id = fields.BigIntField(primary_key=True)
    sequence = fields.BigIntField(unique=True)
    previous_hash = fields.CharField(max_length=64)
    merkle_root = fields.CharField(max_length=64)
    entry_count = fields.BigIntField()
    first_entry_id = fields.BigIntField(null=True)
    last_entry_id = fields.BigIntField(null=True)
    hash = fields.CharField(max_length=64)
    signature = fields.CharField(max_length=200)
    key_id = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()

    class Meta:
        table = "checkpoints"


class JournalEntry(Model):
    """One balanced movement. ``digest`` covers its content and postings (see domain.ledger.rules)."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=32)
    actor = fields.CharField(max_length=120)
    idempotency_key = fields.CharField(max_length=200, null=True)
    memo = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField()
    digest = fields.CharField(max_length=64)
    checkpoint: fields.ForeignKeyNullableRelation[Checkpoint] = fields.ForeignKeyField(
        "models.Checkpoint", related_name="entries", null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "journal_entries"


class Lot(Model):
    """Points that arrived together: they share an expiry and a funder, and are spent oldest first."""

    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="lots", on_delete=fields.RESTRICT
    )
    funder_kind = fields.CharEnumField(FunderKind, max_length=16)
    funder_ref = fields.CharField(max_length=64)
    original = fields.BigIntField()
    remaining = fields.BigIntField()
    expires_at = fields.DatetimeField()
    created_at = fields.DatetimeField()
    origin: fields.ForeignKeyNullableRelation["Lot"] = fields.ForeignKeyField(
        "models.Lot", related_name="derived", null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "lots"


class Posting(Model):
    id = fields.BigIntField(primary_key=True)
    entry: fields.ForeignKeyRelation[JournalEntry] = fields.ForeignKeyField(
        "models.JournalEntry", related_name="postings", on_delete=fields.RESTRICT
    )
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="postings", on_delete=fields.RESTRICT
    )
    lot: fields.ForeignKeyNullableRelation[Lot] = fields.ForeignKeyField(
        "models.Lot", related_name="postings", null=True, on_delete=fields.RESTRICT
    )
    amount = fields.BigIntField()

    class Meta:
        table = "postings"


class IdempotencyRecord(Model):
    """The remembered answer to an externally triggered write, keyed per actor."""

    id = fields.BigIntField(primary_key=True)
    actor = fields.CharField(max_length=120)
    key = fields.CharField(max_length=200)
    request_hash = fields.CharField(max_length=64)
    response = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotency_records"
