"""Settlement runs as the API shows them (product.md §7)."""

from datetime import date, datetime

import strawberry

from domain.partners.actions import PartnerView
from domain.settlement import reports
from domain.settlement.actions import SettlementView
from domain.settlement.queries import StatementView
from domain.shops.queries import ShopView
from schema.context import Info
from schema.errors import Payload
from schema.partners import Partner, PartnerBilling
from schema.programs import Municipality, PageInfo
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
    statement_id: strawberry.ID = strawberry.field(description="For markPayoutSent.")
    paid_at: datetime | None = strawberry.field(
        default=None, description="When an officer marked the transfer (or the invoice) as sent."
    )

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
            statement_id=strawberry.ID(str(v.id)),
            paid_at=v.paid_at,
        )


@strawberry.type(description="What a partner owes the municipality for a run (its points that reached it).")
class PartnerStatement:
    partner_id: strawberry.Private[int]
    partner: Partner
    points: int
    receivable_yen: int = strawberry.field(description="Billed this run (0 when under the minimum).")
    carried_in_yen: int
    carried_out_yen: int
    statement_id: strawberry.ID = strawberry.field(description="For markPayoutSent.")
    paid_at: datetime | None = strawberry.field(
        default=None, description="When an officer marked the transfer (or the invoice) as sent."
    )

    @strawberry.field(description="Where the invoice goes (null until the operator records it).")
    async def billing(self, info: Info) -> PartnerBilling | None:
        found = await info.context.billing_by_partner.load(self.partner_id)
        return None if found is None else PartnerBilling.from_view(found)

    @classmethod
    def from_view(cls, v: StatementView) -> "PartnerStatement":
        partner = PartnerView(v.counterparty_id, v.name, v.client_id or "", bool(v.active))
        return cls(
            partner_id=v.counterparty_id,
            partner=Partner.from_view(partner),
            points=v.points,
            receivable_yen=v.payable_yen,
            carried_in_yen=v.carried_in_yen,
            carried_out_yen=v.carried_out_yen,
            statement_id=strawberry.ID(str(v.id)),
            paid_at=v.paid_at,
        )


@strawberry.type(
    description="What two municipalities owe each other under acceptance agreements (たすきがけ), netted:"
    " one transfer per pair and period, by whichever owes."
)
class ClearingStatement:
    municipality_id: strawberry.Private[int]
    points: int = strawberry.field(description="Net points: ours used at its shops less its used at ours.")
    yen: int = strawberry.field(description="Net yen: positive, we owe it; negative, it owes us.")
    payable_yen: int = strawberry.field(description="What we transfer to it on the payout day.")
    receivable_yen: int = strawberry.field(description="What it transfers to us (its own run pays it).")
    statement_id: strawberry.ID = strawberry.field(description="For markPayoutSent.")
    paid_at: datetime | None = strawberry.field(
        default=None, description="When an officer marked the transfer (or the invoice) as sent."
    )

    @strawberry.field(description="The other municipality.")
    async def municipality(self, info: Info) -> Municipality:
        found = await info.context.municipality_by_id.load(self.municipality_id)
        assert found is not None  # a statement's peer is a foreign key
        return Municipality.from_view(found)

    @classmethod
    def from_view(cls, v: StatementView) -> "ClearingStatement":
        return cls(
            municipality_id=v.counterparty_id,
            points=v.points,
            yen=v.yen,
            payable_yen=v.payable_yen,
            receivable_yen=max(-v.yen, 0),
            statement_id=strawberry.ID(str(v.id)),
            paid_at=v.paid_at,
        )


@strawberry.type(
    description="What a donation event's organiser receives: the points given to it, paid at the event's"
    " close (carried over while the event still takes points)."
)
class EventStatement:
    program_id: strawberry.ID
    name: str = strawberry.field(description="The organiser, and the event's name.")
    points: int
    yen: int = strawberry.field(description="Given in this period.")
    carried_in_yen: int
    payable_yen: int = strawberry.field(description="Paid to the organiser this run (the event has closed).")
    carried_out_yen: int
    statement_id: strawberry.ID = strawberry.field(description="For markPayoutSent.")
    paid_at: datetime | None = None

    @classmethod
    def from_view(cls, v: StatementView) -> "EventStatement":
        return cls(
            program_id=strawberry.ID(str(v.counterparty_id)),
            name=v.name,
            points=v.points,
            yen=v.yen,
            carried_in_yen=v.carried_in_yen,
            payable_yen=v.payable_yen,
            carried_out_yen=v.carried_out_yen,
            statement_id=strawberry.ID(str(v.id)),
            paid_at=v.paid_at,
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
    payable_yen: int = strawberry.field(description="To the shops and other municipalities, this run.")
    receivable_yen: int = strawberry.field(
        description="From the partners and other municipalities, this run."
    )

    @strawberry.field(description="Each shop's statement.")
    async def shop_statements(self, info: Info) -> list[ShopStatement]:
        found = await info.context.statements_by_settlement.load(int(self.id))
        return [ShopStatement.from_view(v, self.municipality_id) for v in found if v.kind == "SHOP"]

    @strawberry.field(description="Each partner's statement.")
    async def partner_statements(self, info: Info) -> list[PartnerStatement]:
        found = await info.context.statements_by_settlement.load(int(self.id))
        return [PartnerStatement.from_view(v) for v in found if v.kind == "PARTNER"]

    @strawberry.field(description="Each other municipality's net position (acceptance agreements).")
    async def clearing_statements(self, info: Info) -> list[ClearingStatement]:
        found = await info.context.statements_by_settlement.load(int(self.id))
        return [ClearingStatement.from_view(v) for v in found if v.kind == "CLEARING"]

    @strawberry.field(description="Each donation event's organiser.")
    async def event_statements(self, info: Info) -> list[EventStatement]:
        found = await info.context.statements_by_settlement.load(int(self.id))
        return [EventStatement.from_view(v) for v in found if v.kind == "EVENT"]

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


@strawberry.type(description="Points moved in a month: movements per resident (件数), residents, points.")
class Flow:
    entries: int
    residents: int
    points: int

    @classmethod
    def from_view(cls, v: reports.Flow) -> "Flow":
        return cls(entries=v.entries, residents=v.residents, points=v.points)


@strawberry.type(description="A partner, as a report names it.")
class ReportPartner:
    id: strawberry.ID
    name: str


@strawberry.type(
    description="Issued points of one source: a partner, a program's grants or premiums, printed vouchers."
)
class IssuedSource:
    source: str = strawberry.field(description="PARTNER, ADMINISTRATIVE, PREMIUM or PRINTED_VOUCHERS.")
    name: str = strawberry.field(description="The partner's or the program's name.")
    entries: int
    residents: int
    points: int


@strawberry.type(description="A partner's points that reached the municipality in the month.")
class PartnerPoints:
    partner: ReportPartner
    entries: int
    residents: int
    points: int


@strawberry.type(description="The municipality's points used at a shop in the month.")
class ShopPoints:
    shop: Shop
    municipality_code: str = strawberry.field(
        description="The shop's municipality (another under an agreement)."
    )
    entries: int
    points: int


@strawberry.type(
    description="Points of one funder: outstanding at the month's end, expired in it, lapsing next."
)
class FunderPoints:
    funder_kind: str = strawberry.field(description="PARTNER, MUNICIPALITY, PREMIUM or DONATION.")
    funder: str = strawberry.field(description="The partner's name, or the municipality's code.")
    outstanding: int
    expired: int
    lapsing: list[int] = strawberry.field(description="Lapsing in each month of forecastMonths if unspent.")


@strawberry.type(description="One kind of use of one program in the month.")
class UsePoints:
    use: str = strawberry.field(
        description="SHOPS (a regular program at shops), EVENT_SHOPS (a held support event's points at its"
        " shops), ONLINE (orders less cancellations), DONATIONS (given to a donation event)."
    )
    program_id: strawberry.ID
    name: str
    entries: int
    residents: int
    points: int


@strawberry.type(description="A municipality's month (the field trial's tables 1 and 2), from the journal.")
class MonthlyReport:
    municipality_code: str
    month: str
    complete: bool = strawberry.field(description="False while the month runs: figures so far.")
    opening_points: int
    closing_points: int = strawberry.field(description="opening + issued − used − expired.")
    issued: Flow
    used: Flow
    expired: Flow
    by_source: list[IssuedSource]
    by_partner: list[PartnerPoints]
    by_shop: list[ShopPoints]
    by_use: list[UsePoints]
    by_funder: list[FunderPoints]
    forecast_months: list[str]
    csv_url: str
    chart_url: str = strawberry.field(description="The month's charts as SVG.")

    @classmethod
    def from_view(cls, r: reports.MonthlyReport) -> "MonthlyReport":
        base = f"/reports/{r.municipality_code}/{r.month}"
        return cls(
            municipality_code=r.municipality_code,
            month=r.month,
            complete=r.complete,
            opening_points=r.opening_points,
            closing_points=r.closing_points,
            issued=Flow.from_view(r.issued),
            used=Flow.from_view(r.used),
            expired=Flow.from_view(r.expired),
            by_source=[
                IssuedSource(
                    source=s.source, name=s.name, entries=s.entries, residents=s.residents, points=s.points
                )
                for s in r.by_source
            ],
            by_partner=[
                PartnerPoints(
                    partner=ReportPartner(id=strawberry.ID(str(s.ref)), name=s.name),
                    entries=s.entries,
                    residents=s.residents,
                    points=s.points,
                )
                for s in r.by_partner
            ],
            by_shop=[
                ShopPoints(
                    shop=Shop.from_view(ShopView(s.shop_id, s.name, s.category, r.municipality_id)),
                    municipality_code=s.municipality_code,
                    entries=s.entries,
                    points=s.points,
                )
                for s in r.by_shop
            ],
            by_use=[
                UsePoints(
                    use=u.use,
                    program_id=strawberry.ID(str(u.program_id)),
                    name=u.name,
                    entries=u.entries,
                    residents=u.residents,
                    points=u.points,
                )
                for u in r.by_use
            ],
            by_funder=[
                FunderPoints(
                    funder_kind=f.funder_kind,
                    funder=f.name or f.funder_ref,
                    outstanding=f.outstanding,
                    expired=f.expired,
                    lapsing=list(f.lapsing),
                )
                for f in r.by_funder
            ],
            forecast_months=list(r.forecast_months),
            csv_url=f"{base}.csv",
            chart_url=f"{base}.svg",
        )


@strawberry.type
class MarkPayoutSentPayload(Payload):
    paid_at: datetime | None = None


@strawberry.type(description="One counterparty of a settlement preview (nothing is kept).")
class PreviewStatement:
    kind: str = strawberry.field(description="SHOP, PARTNER or CLEARING.")
    name: str
    points: int
    yen: int
    payable_yen: int
    carried_out_yen: int


@strawberry.type(description="What closing a period would give now; nothing is closed or kept.")
class SettlementPreview:
    period_start: date
    period_end: date
    payout_on: date
    payable_yen: int
    receivable_yen: int
    statements: list[PreviewStatement]
