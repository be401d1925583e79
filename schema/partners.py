"""Partner companies and their OAuth 2.0 client credentials."""

from datetime import date, datetime

import strawberry

from domain.partners.actions import PartnerView
from domain.partners.billing import BillingView
from domain.partners.coupons import CouponBatchView
from domain.partners.statements import PartnerStatementView
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


@strawberry.type(description="Coupons issued together, with how many were redeemed and voided.")
class CouponBatch:
    id: strawberry.ID
    count: int
    points: int = strawberry.field(description="Reserved points per coupon.")
    expires_at: datetime
    created_at: datetime
    created_by: str = strawberry.field(description="Who issued it (a partner's server, or a login).")
    downloaded_at: datetime | None = strawberry.field(description="When its codes left (shown once).")
    voided_at: datetime | None
    redeemed: int
    voided: int

    @classmethod
    def from_view(cls, v: CouponBatchView) -> "CouponBatch":
        return cls(
            id=strawberry.ID(str(v.id)),
            count=v.count,
            points=v.points,
            expires_at=v.expires_at,
            created_at=v.created_at,
            created_by=v.created_by,
            downloaded_at=v.downloaded_at,
            voided_at=v.voided_at,
            redeemed=v.redeemed,
            voided=v.voided,
        )


@strawberry.type
class VoidCouponBatchPayload(Payload):
    batch: CouponBatch | None = None
    coupons: int | None = strawberry.field(default=None, description="Unused coupons withdrawn now.")


@strawberry.type(description="What the partner owes one municipality for one settlement period.")
class PartnerOwed:
    statement_id: strawberry.ID
    municipality_code: str
    municipality_name: str
    period_start: date
    period_end: date
    payout_on: date
    points: int
    yen: int
    carried_in_yen: int
    payable_yen: int = strawberry.field(description="Billed this run.")
    carried_out_yen: int
    invoiced_at: datetime | None = strawberry.field(description="When the municipality sent its invoice.")

    @classmethod
    def from_view(cls, v: PartnerStatementView) -> "PartnerOwed":
        return cls(
            statement_id=strawberry.ID(str(v.id)),
            municipality_code=v.municipality_code,
            municipality_name=v.municipality_name,
            period_start=v.period_start,
            period_end=v.period_end,
            payout_on=v.payout_on,
            points=v.points,
            yen=v.yen,
            carried_in_yen=v.carried_in_yen,
            payable_yen=v.payable_yen,
            carried_out_yen=v.carried_out_yen,
            invoiced_at=v.invoiced_at,
        )


@strawberry.type(description="One action of a partner's server or staff, or of the operator on its behalf.")
class PartnerAuditEvent:
    at: datetime
    who: str
    action: str
    subject: str
