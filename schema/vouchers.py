"""Vouchers, spending receipts, redemptions, shops' public listing and live events."""

from datetime import datetime

import strawberry

from domain.vouchers.queries import VoucherView
from domain.vouchers.tokens import VoucherKey, spoken
from models.vouchers import VoucherStatus as DomainVoucherStatus
from schema.context import Info
from schema.errors import Payload
from schema.programs import Program

VoucherStatus = strawberry.enum(DomainVoucherStatus, name="VoucherStatus")


@strawberry.type(description="A point voucher (ポイント券): shown on a phone or printed, redeemed once.")
class Voucher:
    view: strawberry.Private[VoucherView]
    key: strawberry.Private[VoucherKey]
    serial: str = strawberry.field(description="Read aloud, e.g. 7KQ4-M2XD.")
    face_value: int
    expires_at: datetime
    status: DomainVoucherStatus

    # the token and the typed code are HMACs: computed when a field asks for them (a shop's
    # redemption asks for the status alone)
    @strawberry.field(description="What the QR code carries (inside the URL /v/{token}).")
    def token(self) -> str:
        view = self.view
        return self.key.token(view.serial, view.face_value, view.program_id, view.expires_at)

    @strawberry.field(
        description="What a shop types when the QR code will not read: the serial and a check code,"
        " e.g. 7KQ4-M2XD-R8TN (redeemVoucher takes it in place of the token)."
    )
    def typed_code(self) -> str:
        return self.key.typed_code(self.token())

    @strawberry.field(description="The QR code as a single-path SVG.")
    def qr_svg(self, info: Info) -> str:
        return info.context.voucher_qr(self.token())

    @strawberry.field(description="The page the QR code opens.")
    def url(self, info: Info) -> str:
        return info.context.voucher_url(self.token())

    @strawberry.field
    async def program(self, info: Info) -> Program:
        found = await info.context.program_by_id.load(self.view.program_id)
        assert found is not None
        return Program.from_view(found)

    @classmethod
    def from_view(cls, view: VoucherView, key: VoucherKey) -> "Voucher":
        return cls(
            view=view,
            key=key,
            serial=spoken(view.serial),
            face_value=view.face_value,
            expires_at=view.expires_at,
            status=DomainVoucherStatus(view.status),
        )


@strawberry.type
class IssueVoucherPayload(Payload):
    voucher: Voucher | None = None


@strawberry.type(description="Where and when a voucher was redeemed.")
class Redemption:
    shop_name: str
    redeemed_at: datetime


@strawberry.type
class RedeemVoucherPayload(Payload):
    voucher: Voucher | None = None
    redemption: Redemption | None = None


@strawberry.type(description="What a terminal shows after a payment.")
class Receipt:
    id: strawberry.ID
    amount: int = strawberry.field(
        description="Points used: what the shop or street is paid for at settlement."
    )
    fee: int = strawberry.field(
        description="On a conversion, the street scheme's running cost (1/11, floored); 0 on a payment."
    )
    credited: int = strawberry.field(
        description="On a conversion, the street points the resident receives (amount less the fee)."
    )
    shop: str
    balance_after: int = strawberry.field(description="The resident's points left that this shop accepts.")
    at: datetime


@strawberry.type
class SpendPointsPayload(Payload):
    spend: Receipt | None = None


@strawberry.type
class ConvertPointsPayload(Payload):
    conversion: Receipt | None = None


@strawberry.type(description="The resident's points changed (granted, spent, a voucher redeemed…).")
class BalanceChange:
    kind: str
    points: int
    detail: str | None


@strawberry.type(description="A voucher was redeemed at the shop.")
class VoucherRedeemedEvent:
    serial: str
    face_value: int
    shop: str
    at: datetime
