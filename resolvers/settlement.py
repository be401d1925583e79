"""Settlement runs: close a month, read runs (a municipality's admins, or the operator)."""

from datetime import date

import strawberry

from domain.auth.permissions import Permission
from domain.cursors import decode_cursor, encode_cursor
from domain.settlement import actions, reports
from domain.settlement.queries import (
    access_settlement_by_id,
    list_settlements,
    mark_statement_paid,
    preview_settlement,
)
from domain.sql import reader
from resolvers.ids import int_id
from schema.context import Info
from schema.errors import attempt
from schema.permissions import Needs
from schema.programs import PageInfo
from schema.settlement import (
    CloseSettlementPayload,
    MarkPayoutSentPayload,
    MonthlyReport,
    PreviewStatement,
    Settlement,
    SettlementConnection,
    SettlementEdge,
    SettlementPreview,
)


@strawberry.type
class SettlementQuery:
    @strawberry.field(
        description="One settlement run of your municipality.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def settlement(self, info: Info, id: strawberry.ID) -> Settlement:
        found = await access_settlement_by_id(
            info.context.actor, Permission.MUNICIPALITY_ADMIN, reader(), int_id(id) or -1
        )
        return Settlement.from_view(found)

    @strawberry.field(
        description="A municipality's settlement runs, newest first (at most 100 a page).",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def settlements(
        self, info: Info, municipality_code: str, first: int = 12, after: str | None = None
    ) -> SettlementConnection:
        runs, more = await list_settlements(
            info.context.actor,
            reader(),
            municipality_code,
            max(1, min(first, 100)),
            decode_cursor(after, "settlement"),
        )
        edges = [
            SettlementEdge(cursor=encode_cursor(r.id, "settlement"), node=Settlement.from_view(r))
            for r in runs
        ]
        end = edges[-1].cursor if edges else None
        return SettlementConnection(edges=edges, page_info=PageInfo(has_next_page=more, end_cursor=end))

    @strawberry.field(
        description="A municipality's month (YYYY-MM): issued, used and expired points, by source, shop and"
        " funder, with the next three months' expiry forecast.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def monthly_report(self, info: Info, municipality_code: str, month: str) -> MonthlyReport:
        made = await reports.monthly_report(
            info.context.actor, municipality_code, month, info.context.clock.now()
        )
        return MonthlyReport.from_view(made)

    @strawberry.field(
        description="What closing the period ending ``periodEnd`` would give now, without closing it. Its"
        " municipality's admins.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def settlement_preview(
        self, info: Info, municipality_code: str, period_end: date
    ) -> SettlementPreview:
        run, statements = await preview_settlement(
            info.context.actor, municipality_code, period_end, info.context.clock.now()
        )
        return SettlementPreview(
            period_start=run.period_start,
            period_end=run.period_end,
            payout_on=run.payout_on,
            payable_yen=run.payable_yen,
            receivable_yen=run.receivable_yen,
            statements=[
                PreviewStatement(
                    kind=s.kind,
                    name=s.name,
                    points=s.points,
                    yen=s.yen,
                    payable_yen=s.payable_yen,
                    carried_out_yen=s.carried_out_yen,
                )
                for s in statements
            ],
        )


@strawberry.type
class SettlementMutation:
    @strawberry.mutation(
        description="Close a month (the period ending on its last day, after 00:00 JST the next day): what"
        " the municipality owes each shop and each partner owes it. Closing again returns the same run.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def close_settlement(
        self, info: Info, municipality_code: str, period_end: date
    ) -> CloseSettlementPayload:
        async def work() -> CloseSettlementPayload:
            closed = await actions.close_settlement(
                info.context.actor, municipality_code, period_end, info.context.clock.now()
            )
            return CloseSettlementPayload(settlement=Settlement.from_view(closed))

        return await attempt(CloseSettlementPayload, work())

    @strawberry.mutation(
        description="Mark a statement's transfer (or a partner's invoice) as sent, once. Its municipality's"
        " admin; recorded in the audit log.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def mark_payout_sent(self, info: Info, statement_id: strawberry.ID) -> MarkPayoutSentPayload:
        async def work() -> MarkPayoutSentPayload:
            marked = await mark_statement_paid(
                info.context.actor, int_id(statement_id) or -1, info.context.clock.now()
            )
            return MarkPayoutSentPayload(paid_at=marked.paid_at)

        return await attempt(MarkPayoutSentPayload, work())
