"""Spending, vouchers and live updates."""

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from domain.auth.permissions import Permission
from domain.events import balance_topic, hub, shop_topic
from domain.spending import actions as spending
from domain.vouchers import actions as vouchers
from resolvers.ids import int_id
from schema.cards import CardProofInput
from schema.context import Info
from schema.errors import attempt
from schema.permissions import Needs
from schema.vouchers import (
    BalanceChange,
    ConvertPointsPayload,
    IssueVoucherPayload,
    Receipt,
    RedeemVoucherPayload,
    Redemption,
    SpendPointsPayload,
    Voucher,
    VoucherRedeemedEvent,
)


def _receipt(done: spending.Payment) -> Receipt:
    return Receipt(
        id=strawberry.ID(str(done.id)),
        amount=done.amount,
        fee=done.fee,
        credited=done.credited,
        shop=done.shop,
        balance_after=done.balance_after,
        at=done.at,
    )


@strawberry.type
class VoucherMutation:
    @strawberry.mutation(
        description="Pay at a shop with the card. PAY terminals.", extensions=[Needs(Permission.TERMINAL_PAY)]
    )
    async def spend_points(
        self, info: Info, proof: CardProofInput, amount: int, idempotency_key: str
    ) -> SpendPointsPayload:
        async def work() -> SpendPointsPayload:
            done = await spending.spend_points(
                info.context.actor,
                proof.to_domain(),
                amount,
                idempotency_key,
                info.context.card_trust,
                info.context.clock.now(),
            )
            return SpendPointsPayload(spend=_receipt(done))

        return await attempt(SpendPointsPayload, work())

    @strawberry.mutation(
        description="Convert into the shopping-street point, less 1/11. A street's PAY terminal.",
        extensions=[Needs(Permission.TERMINAL_PAY)],
    )
    async def convert_points(
        self, info: Info, proof: CardProofInput, amount: int, idempotency_key: str
    ) -> ConvertPointsPayload:
        async def work() -> ConvertPointsPayload:
            done = await spending.convert_points(
                info.context.actor,
                proof.to_domain(),
                amount,
                idempotency_key,
                info.context.card_trust,
                info.context.clock.now(),
            )
            return ConvertPointsPayload(conversion=_receipt(done))

        return await attempt(ConvertPointsPayload, work())

    @strawberry.mutation(
        description="A voucher worth faceValue: from the resident's points (card session), or printed from"
        " the budget at a PRINT terminal.",
        extensions=[Needs(Permission.VOUCHER_ISSUE)],
    )
    async def issue_voucher(
        self, info: Info, program_id: strawberry.ID, face_value: int
    ) -> IssueVoucherPayload:
        async def work() -> IssueVoucherPayload:
            view = await vouchers.issue_voucher(
                info.context.actor, int_id(program_id) or -1, face_value, info.context.clock.now()
            )
            return IssueVoucherPayload(voucher=Voucher.from_view(view, info.context.voucher_key))

        return await attempt(IssueVoucherPayload, work())

    @strawberry.mutation(
        description="Redeem a voucher (its token, the QR code's text, or its typed code). Shop staff,"
        " PAY terminals.",
        extensions=[Needs(Permission.VOUCHER_REDEEM)],
    )
    async def redeem_voucher(self, info: Info, token: str) -> RedeemVoucherPayload:
        async def work() -> RedeemVoucherPayload:
            done = await vouchers.redeem_voucher(
                info.context.actor, token, info.context.voucher_key, info.context.clock.now()
            )
            return RedeemVoucherPayload(
                voucher=Voucher.from_view(done.voucher, info.context.voucher_key),
                redemption=Redemption(shop_name=done.shop_name, redeemed_at=done.redeemed_at),
            )

        return await attempt(RedeemVoucherPayload, work())


@strawberry.type
class Subscription:
    @strawberry.subscription(description="The signed-in resident's points changed. Residents.")
    async def balance_changed(self, info: Info) -> AsyncGenerator[BalanceChange, None]:
        async with hub.subscribe(balance_topic(info.context.actor)) as queue:
            while True:
                event = await queue.get()
                shop = event.data.get("shop")
                detail = None if shop is None else str(shop)
                yield BalanceChange(kind=event.kind, points=int(event.data.get("points", 0)), detail=detail)

    @strawberry.subscription(description="A voucher was redeemed at this shop. Its staff and PAY terminals.")
    async def voucher_redeemed(self, info: Info) -> AsyncGenerator[VoucherRedeemedEvent, None]:
        async with hub.subscribe(shop_topic(info.context.actor)) as queue:
            while True:
                event = await queue.get()
                yield VoucherRedeemedEvent(
                    serial=str(event.data["serial"]),
                    face_value=int(event.data["faceValue"]),
                    shop=str(event.data["shop"]),
                    at=datetime.fromisoformat(str(event.data["at"])),
                )
