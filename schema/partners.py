"""Partner companies and their OAuth 2.0 client credentials."""

from datetime import datetime

import strawberry

from domain.partners.actions import PartnerView
from domain.partners.billing import BillingView
from schema.errors import Payload


@strawberry.type(description="A partner company (応援ポイント会社).")
class Partner:
    name: str
    client_id: str
    active: bool

    @classmethod
    def from_view(cls, view: PartnerView) -> "Partner":
        return cls(name=view.name, client_id=view.client_id, active=view.active)


@strawberry.type
class AddPartnerPayload(Payload):
    partner: Partner | None = None
    client_secret: str | None = strawberry.field(
        default=None, description="Shown once; stored only as a hash."
    )


@strawberry.type
class SetPartnerActivePayload(Payload):
    partner: Partner | None = None


@strawberry.type(description="Where a municipality sends a partner's invoice (請求先).")
class PartnerBilling:
    name: str
    department: str | None
    postal_code: str
    address: str
    email: str
    invoice_number: str | None = strawberry.field(
        description="適格請求書発行事業者 registration number: T and 13 digits."
    )
    set_by: str
    set_at: datetime

    @classmethod
    def from_view(cls, v: BillingView) -> "PartnerBilling":
        return cls(
            name=v.name,
            department=v.department,
            postal_code=v.postal_code,
            address=v.address,
            email=v.email,
            invoice_number=v.invoice_number,
            set_by=v.set_by,
            set_at=v.set_at,
        )


@strawberry.input(
    description="A partner's billing details; name, postal code, address and e-mail are needed."
)
class PartnerBillingInput:
    name: str
    postal_code: str = strawberry.field(description="7 digits, e.g. 210-8577.")
    address: str
    email: str
    department: str | None = None
    invoice_number: str | None = strawberry.field(default=None, description="T and 13 digits.")


@strawberry.type
class SetPartnerBillingPayload(Payload):
    billing: PartnerBilling | None = None


@strawberry.type
class RotatePartnerSecretPayload(Payload):
    client_secret: str | None = strawberry.field(default=None, description="Shown once.")
    previous_valid_until: datetime | None = strawberry.field(
        default=None, description="Until when the previous secret still works (null: it stopped now)."
    )


@strawberry.type
class SetPartnerRedirectUrisPayload(Payload):
    redirect_uris: list[str] | None = None


@strawberry.type
class SetPartnerWebhookPayload(Payload):
    webhook_secret: str | None = strawberry.field(
        default=None, description="Signs every notice (MyKey-Signature, HMAC-SHA256). Shown once."
    )
