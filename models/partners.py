"""Partner companies (応援ポイント会社): OAuth 2.0 clients whose points residents exchange."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.links import Service
    from models.programs import Program
    from models.residents import Resident


class Partner(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    client_id = fields.CharField(max_length=64, unique=True)
    client_secret_hash = fields.CharField(max_length=64)  # SHA-256: the secret is 256 random bits
    # after a rotation the previous secret keeps working until then (both or none: a CHECK)
    previous_secret_hash = fields.CharField(max_length=64, null=True)
    previous_secret_until = fields.DatetimeField(null=True)
    redirect_uris = fields.TextField(null=True)  # the exact URIs the exchange widget may return to
    webhook_url = fields.CharField(max_length=500, null=True)  # where each exchange's final state goes
    webhook_secret = fields.CharField(max_length=64, null=True)  # signs them (HMAC-SHA256); shown once
    active = fields.BooleanField(default=True)
    # the partner's rate: rate_yen yen for every rate_points of its own points (floored per order)
    rate_points = fields.IntField(db_default=1)
    rate_yen = fields.IntField(db_default=1)
    created_at = fields.DatetimeField()
    # who the municipality bills (請求先): all of name, postal code, address and e-mail, or none
    billing_name = fields.CharField(max_length=100, null=True)
    billing_department = fields.CharField(max_length=100, null=True)
    billing_postal_code = fields.CharField(max_length=8, null=True)  # 123-4567
    billing_address = fields.CharField(max_length=200, null=True)
    billing_email = fields.CharField(max_length=254, null=True)
    invoice_number = fields.CharField(max_length=14, null=True)  # 適格請求書発行事業者 T + 13 digits
    billing_set_by = fields.CharField(max_length=120, null=True)
    billing_set_at = fields.DatetimeField(null=True)
    # the partner's service (code PT<id>): a resident links their customer number there (ID連携), and
    # the partner may then credit that customer — its consent (issue 15)
    service: fields.ForeignKeyNullableRelation["Service"] = fields.ForeignKeyField(
        "models.Service", related_name="partners", null=True, on_delete=fields.RESTRICT
    )  # one partner per service: a unique index (migrations/0011)

    class Meta:
        table = "partners"


class AuthorizationCode(Model):
    # A resident's consent in the exchange widget: single use, short-lived, stored as SHA-256, bound
    # to the partner, its redirect URI and the PKCE challenge; redeemed by the partner's server.
    id = fields.BigIntField(primary_key=True)
    code_hash = fields.CharField(max_length=64, unique=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="authorization_codes", on_delete=fields.RESTRICT
    )
    resident: fields.ForeignKeyRelation["Resident"] = fields.ForeignKeyField(
        "models.Resident", related_name="authorization_codes", on_delete=fields.RESTRICT
    )
    redirect_uri = fields.CharField(max_length=500)
    code_challenge = fields.CharField(max_length=128)
    partner_points = fields.BigIntField()
    external_ref = fields.CharField(max_length=100)
    program: fields.ForeignKeyNullableRelation["Program"] = fields.ForeignKeyField(
        "models.Program", related_name="authorization_codes", null=True, on_delete=fields.RESTRICT
    )
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "authorization_codes"


class WebhookDelivery(Model):
    # One server-to-server notice to a partner (an exchange's final state), signed with its secret,
    # retried with growing waits until its endpoint answers 2xx or the attempts run out.
    id = fields.BigIntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "models.Partner", related_name="webhook_deliveries", on_delete=fields.RESTRICT
    )
    event = fields.CharField(max_length=40)
    payload = fields.TextField()
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    delivered_at = fields.DatetimeField(null=True)
    failed_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "webhook_deliveries"
