"""Settlement runs as the API shows them (product.md §7)."""

from datetime import date, datetime

import strawberry

from domain.partners.actions import PartnerView
from domain.settlement.actions import SettlementView
from domain.settlement.queries import StatementView
from domain.shops.queries import ShopView
from schema.context import Info
from schema.errors import Payload
from schema.partners import Partner
from schema.programs import PageInfo
from schema.shops import Shop


@strawberry.type(description="What the municipality owes a shop for a run (points used there, in yen).")
class ShopStatement:
    shop: Shop
    points_used: int
    fee_yen: int = strawberry.field(
        description="A street's conversion fee: its own scheme's cost, kept by it."
    )
    yen: int = strawberry.field(description="This period's points in yen, at each program's rate.")
    carried_in_yen: int
    payable_yen: int = strawberry.field(description="Paid on the payout day (0 when under the minimum).")
    carried_out_yen: int = strawberry.field(description="Under the minimum: waits for the next run.")

    @classmethod
    def from_view(cls, v: StatementView, municipality_id: int) -> "ShopStatement":
        shop = ShopView(v.counterparty_id, v.name, v.shop_category or "", municipality_id)
        return cls(
            shop=Shop.from_view(shop),
            points_used=v.points,
            fee_yen=v.fee_yen,
            yen=v.yen,
            carried_in_yen=v.carried_in_yen,
            payable_yen=v.payable_yen,
            carried_out_yen=v.carried_out_yen,
        )


@strawberry.type(description="What a partner owes the municipality for a run (its points that reached it).")
class PartnerStatement:
    partner: Partner
    points: int
    receivable_yen: int = strawberry.field(description="Billed this run (0 when under the minimum).")
    carried_in_yen: int
    carried_out_yen: int

    @classmethod
    def from_view(cls, v: StatementView) -> "PartnerStatement":
        partner = PartnerView(v.counterparty_id, v.name, v.client_id or "", bool(v.active))
        return cls(
            partner=Partner.from_view(partner),
            points=v.points,
            receivable_yen=v.payable_yen,
            carried_in_yen=v.carried_in_yen,
            carried_out_yen=v.carried_out_yen,
        )


@strawberry.type(description="A closed settlement period of one municipality (精算). It never changes.")
class Settlement:
    id: strawberry.ID
    municipality_id: strawberry.Private[int]
    period_start: date
    period_end: date = strawberry.field(description="The last day (JST) the period holds.")
    cut_at: datetime = strawberry.field(description="00:00 JST after the last day.")
    payout_on: date = strawberry.field(description="The 15th of the next month, or the business day before.")
    status: str
    digest: str = strawberry.field(description="SHA-256 of the run's content: closing again gives the same.")
    entry_count: int
    payable_yen: int = strawberry.field(description="To the shops, this run.")
    receivable_yen: int = strawberry.field(description="From the partners, this run.")

    @strawberry.field(description="Each shop's statement.")
    async def shop_statements(self, info: Info) -> list[ShopStatement]:
        found = await info.context.statements_by_settlement.load(int(self.id))
        return [ShopStatement.from_view(v, self.municipality_id) for v in found if v.kind == "SHOP"]

    @strawberry.field(description="Each partner's statement.")
    async def partner_statements(self, info: Info) -> list[PartnerStatement]:
        found = await info.context.statements_by_settlement.load(int(self.id))
        return [PartnerStatement.from_view(v) for v in found if v.kind == "PARTNER"]

    @classmethod
    def from_view(cls, v: SettlementView) -> "Settlement":
        return cls(
            id=strawberry.ID(str(v.id)),
            municipality_id=v.municipality_id,
            period_start=v.period_start,
            period_end=v.period_end,
            cut_at=v.cut_at,
            payout_on=v.payout_on,
            status=v.status,
            digest=v.digest,
            entry_count=v.entry_count,
            payable_yen=v.payable_yen,
            receivable_yen=v.receivable_yen,
        )


@strawberry.type
class CloseSettlementPayload(Payload):
    settlement: Settlement | None = None


@strawberry.type
class SettlementEdge:
    cursor: str
    node: Settlement


@strawberry.type
class SettlementConnection:
    edges: list[SettlementEdge]
    page_info: PageInfo
