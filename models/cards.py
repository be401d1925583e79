"""What the platform keeps about cards: issuer, serial, fingerprint and validity — nothing else.

The individual number and every personal attribute stay on the card. Challenges are single-use
nonces; revocation lists are imported from the CA (``mykey crl import``, the daily job).
"""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.residents import Resident


class Card(Model):
    """A user-authentication certificate bound to a MyKey ID (one card, one MyKey ID)."""

    id = fields.BigIntField(primary_key=True)
    resident: fields.ForeignKeyRelation["Resident"] = fields.ForeignKeyField(
        "models.Resident", related_name="cards", on_delete=fields.RESTRICT
    )
    issuer = fields.CharField(max_length=400)
    serial = fields.CharField(max_length=64)
    fingerprint = fields.CharField(max_length=64, unique=True)  # SHA-256 of the DER certificate
    not_before = fields.DatetimeField()
    not_after = fields.DatetimeField()
    bound_at = fields.DatetimeField()
    unbound_at = fields.DatetimeField(null=True)  # set when a renewed certificate replaces it

    class Meta:
        table = "cards"


class CardChallenge(Model):
    id = fields.BigIntField(primary_key=True)
    nonce = fields.CharField(max_length=64, unique=True)
    # what its proof may be used for: SIGN_IN, REGISTRATION, REBIND, or TERMINAL:<id> (who asked)
    purpose = fields.CharField(max_length=40, default="SIGN_IN")
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "card_challenges"


class RevocationList(Model):
    """One imported CRL: whose, when it was made and when the next one is due."""

    id = fields.BigIntField(primary_key=True)
    issuer = fields.CharField(max_length=400)
    number = fields.BigIntField(null=True)
    this_update = fields.DatetimeField()
    next_update = fields.DatetimeField(null=True)
    imported_at = fields.DatetimeField()
    revoked_count = fields.IntField()

    class Meta:
        table = "revocation_lists"


class RevokedCertificate(Model):
    id = fields.BigIntField(primary_key=True)
    issuer = fields.CharField(max_length=400)
    serial = fields.CharField(max_length=64)
    revoked_at = fields.DatetimeField()

    class Meta:
        table = "revoked_certificates"
