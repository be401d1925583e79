"""A partner's console operations: its coupon batches, what it owes each municipality, its audit trail
(its server with a token, or its staff signed in)."""

import strawberry

from domain.audit.log import list_partner_audit
from domain.auth.permissions import Permission
from domain.partners.coupons import list_batches, void_batch
from domain.partners.statements import list_partner_statements
from domain.sql import reader
from resolvers.ids import int_id
from schema.context import Info
from schema.errors import attempt
from schema.partners import CouponBatch, PartnerAuditEvent, PartnerOwed, VoidCouponBatchPayload
from schema.permissions import Needs


@strawberry.type
class PartnerConsoleQuery:
    @strawberry.field(
        description="The partner's coupon batches, newest first. Its server (coupons scope) or staff.",
        extensions=[Needs(Permission.PARTNER_COUPONS)],
    )
    async def coupon_batches(self, info: Info, first: int = 100) -> list[CouponBatch]:
        found = await list_batches(info.context.actor, reader(), first)
        return [CouponBatch.from_view(b) for b in found]

    @strawberry.field(
        description="What the partner owes each municipality, by settlement period (newest first)."
        " Its server (exchange scope) or staff.",
        extensions=[Needs(Permission.PARTNER_BOOKS)],
    )
    async def partner_statements(self, info: Info, first: int = 120) -> list[PartnerOwed]:
        found = await list_partner_statements(info.context.actor, reader(), first)
        return [PartnerOwed.from_view(s) for s in found]

    @strawberry.field(
        description="What the partner's server and staff (and the operator for it) did, newest first."
        " Its server (exchange scope) or staff.",
        extensions=[Needs(Permission.PARTNER_BOOKS)],
    )
    async def partner_audit_log(self, info: Info, first: int = 100) -> list[PartnerAuditEvent]:
        found = await list_partner_audit(info.context.actor, reader(), first)
        return [PartnerAuditEvent(at=e.at, who=e.who, action=e.action, subject=e.subject) for e in found]


@strawberry.type
class PartnerConsoleMutation:
    @strawberry.mutation(
        description="Withdraw a batch's unused coupons (redeemed ones stay). Its server (coupons scope)"
        " or staff.",
        extensions=[Needs(Permission.PARTNER_COUPONS)],
    )
    async def void_coupon_batch(self, info: Info, batch_id: strawberry.ID) -> VoidCouponBatchPayload:
        async def work() -> VoidCouponBatchPayload:
            done = await void_batch(info.context.actor, int_id(batch_id) or -1, info.context.clock.now())
            return VoidCouponBatchPayload(batch=CouponBatch.from_view(done.batch), coupons=done.coupons)

        return await attempt(VoidCouponBatchPayload, work())
