"""Points coming in: grants, partner exchanges, coupons, reserved-point moves."""

from datetime import date, datetime

import strawberry

from domain.auth.permissions import Permission
from domain.errors import DomainError
from domain.partners.coupons import issue_batch
from domain.partners.reconciliation import list_partner_exchanges
from domain.points import exchanges, grants, reserved
from domain.sql import reader
from resolvers.ids import int_id
from schema.cards import CardProofInput
from schema.context import Info
from schema.errors import attempt, user_error
from schema.permissions import Needs
from schema.points import (
    Exchange,
    ExchangePointsInput,
    ExchangePointsPayload,
    GrantPointsInput,
    GrantPointsPayload,
    GrantRowError,
    GrantWithCardPayload,
    IssueCouponsPayload,
    MoveReservedPointsPayload,
    PartnerExchange,
    RedeemCouponPayload,
)
from schema.programs import Program


@strawberry.type
class PointsMutation:
    @strawberry.mutation(
        description="Grant administrative points, one row or tens of thousands; all or nothing, idempotent."
        " Municipality staff and admins, GRANT terminals.",
        extensions=[Needs(Permission.GRANT)],
    )
    async def grant_points(self, info: Info, input: GrantPointsInput) -> GrantPointsPayload:
        request = grants.GrantRequest(
            program_id=int_id(input.program_id) or -1,
            reason=input.reason,
            idempotency_key=input.idempotency_key,
            rows=[grants.GrantRow(g.my_key_id, g.points) for g in input.grants],
        )
        try:
            done = await grants.grant_points(info.context.actor, request, info.context.clock.now())
        except grants.GrantRefused as refused:
            return GrantPointsPayload(
                user_errors=[user_error(refused)],
                row_errors=[GrantRowError.from_view(e) for e in refused.row_errors],
            )
        except DomainError as error:
            return GrantPointsPayload(user_errors=[user_error(error)])
        return GrantPointsPayload(granted=done.granted, points=done.points)

    @strawberry.mutation(
        description="At an event, give the resident whose card is presented points (one row of a grant,"
        " idempotent). GRANT terminals.",
        extensions=[Needs(Permission.TERMINAL_GRANT)],
    )
    async def grant_points_with_card(
        self,
        info: Info,
        proof: CardProofInput,
        program_id: strawberry.ID,
        points: int,
        reason: str,
        idempotency_key: str,
    ) -> GrantWithCardPayload:
        async def work() -> GrantWithCardPayload:
            done = await grants.grant_with_card(
                info.context.actor,
                proof.to_domain(),
                info.context.card_trust,
                int_id(program_id) or -1,
                points,
                reason,
                idempotency_key,
                info.context.clock.now(),
            )
            return GrantWithCardPayload(my_key_id=done.my_key_id, points=done.points)

        return await attempt(GrantWithCardPayload, work())

    @strawberry.mutation(
        description="Exchange a resident's partner points into reserved points. Partners.",
        extensions=[Needs(Permission.PARTNER_EXCHANGE)],
    )
    async def exchange_points(self, info: Info, input: ExchangePointsInput) -> ExchangePointsPayload:
        async def work() -> ExchangePointsPayload:
            form = exchanges.ExchangeInput(
                input.my_key_id,
                input.partner_points,
                input.external_ref,
                input.idempotency_key,
                input.partner_customer_id,
                None if input.program_id is None else (int_id(input.program_id) or -1),
            )
            done = await exchanges.exchange_points(info.context.actor, form, info.context.clock.now())
            return ExchangePointsPayload(
                exchange=Exchange(
                    id=strawberry.ID(str(done.id)),
                    partner_points=done.partner_points,
                    yen=done.yen,
                    points=done.points,
                    status=done.status,
                    external_ref=done.external_ref,
                    created_at=done.created_at,
                )
            )

        return await attempt(ExchangePointsPayload, work())

    @strawberry.mutation(
        description="Coupon codes worth reserved points; shown once. Partners.",
        extensions=[Needs(Permission.PARTNER_COUPONS)],
    )
    async def issue_coupons(
        self, info: Info, count: int, points: int, expires_at: datetime | None = None
    ) -> IssueCouponsPayload:
        async def work() -> IssueCouponsPayload:
            done = await issue_batch(info.context.actor, count, points, expires_at, info.context.clock.now())
            return IssueCouponsPayload(codes=done.codes, batch_id=strawberry.ID(str(done.batch_id)))

        return await attempt(IssueCouponsPayload, work())

    @strawberry.mutation(
        description="Redeem a partner's coupon code into reserved points. Residents.",
        extensions=[Needs(Permission.RESIDENT)],
    )
    async def redeem_coupon(self, info: Info, code: str) -> RedeemCouponPayload:
        async def work() -> RedeemCouponPayload:
            done = await exchanges.redeem_coupon(
                info.context.actor, code, info.context.clock.now(), info.context.client_address
            )
            return RedeemCouponPayload(points=done.points, partner=done.partner)

        return await attempt(RedeemCouponPayload, work())

    @strawberry.mutation(
        description="Move reserved points to a program or give them to a support event. Card session.",
        extensions=[Needs(Permission.RESIDENT_CARD)],
    )
    async def move_reserved_points(
        self, info: Info, program_id: strawberry.ID, points: int
    ) -> MoveReservedPointsPayload:
        async def work() -> MoveReservedPointsPayload:
            moved = await reserved.move_reserved_points(
                info.context.actor, int_id(program_id) or -1, points, info.context.clock.now()
            )
            return MoveReservedPointsPayload(
                points=moved.points, premium=moved.premium, program=Program.from_view(moved.program)
            )

        return await attempt(MoveReservedPointsPayload, work())


@strawberry.type
class PartnerQuery:
    @strawberry.field(
        description="The calling partner's exchanges of one Japan day (oldest first), or the one with"
        " ``externalRef``: to match against its own books. A partner's server (exchange scope) or staff.",
        extensions=[Needs(Permission.PARTNER_BOOKS)],
    )
    async def partner_exchanges(
        self, info: Info, day: date, external_ref: str | None = None
    ) -> list[PartnerExchange]:
        found = await list_partner_exchanges(
            info.context.actor, reader(), day, info.context.clock.now(), external_ref
        )
        return [
            PartnerExchange(
                id=strawberry.ID(str(e.id)),
                external_ref=e.external_ref,
                partner_points=e.partner_points,
                yen=e.yen,
                points=e.points,
                status=e.status,
                created_at=e.created_at,
            )
            for e in found
        ]
