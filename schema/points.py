"""Points as a resident sees them, and the operations that bring points in."""

from datetime import datetime

import strawberry

from domain.points.grants import RowError
from domain.points.queries import Balance as BalanceView
from domain.points.queries import Movement as MovementView
from schema.context import Info
from schema.errors import Payload
from schema.programs import PageInfo, Program


async def _program(info: Info, program_id: int | None) -> Program | None:
    if program_id is None:
        return None
    found = await info.context.program_by_id.load(program_id)
    return None if found is None else Program.from_view(found)


@strawberry.type(description="The points that expire first, and when.")
class NextExpiry:
    points: int
    expires_at: datetime


@strawberry.type(description="Points held in one program.")
class Balance:
    program_id: strawberry.Private[int]
    points: int
    next_expiry: NextExpiry | None

    @strawberry.field
    async def program(self, info: Info) -> Program:
        found = await _program(info, self.program_id)
        assert found is not None
        return found

    @classmethod
    def from_view(cls, view: BalanceView) -> "Balance":
        expiry = None
        if view.next_expiry_at is not None:
            expiry = NextExpiry(points=view.next_expiry_points, expires_at=view.next_expiry_at)
        return cls(program_id=view.program_id, points=view.points, next_expiry=expiry)


@strawberry.type(description="Reserved points that arrived together, and when they move on their own.")
class ReservedLot:
    points: int
    auto_move_at: datetime = strawberry.field(
        description="When they go to the basic municipality, unless moved."
    )


@strawberry.type(
    description="Reserved points (留保ポイント): not yet in a program. Move them, or they move by themselves."
)
class Reserved:
    points: int
    lots: list[ReservedLot]


@strawberry.type(description="One movement of the resident's points.")
class Movement:
    program_id: strawberry.Private[int | None]
    kind: str = strawberry.field(
        description="GRANT, EXCHANGE, COUPON, MOVE_RESERVED, AUTO_MOVE, PREMIUM, GIFT, EXPIRE, SPEND…"
    )
    points: int = strawberry.field(description="Positive in, negative out.")
    counterpart: str = strawberry.field(description="Who or what was on the other side, in plain words.")
    created_at: datetime

    @strawberry.field(description="The program the points were in (null: reserved points).")
    async def program(self, info: Info) -> Program | None:
        return await _program(info, self.program_id)

    @classmethod
    def from_view(cls, view: MovementView) -> "Movement":
        return cls(
            program_id=view.program_id,
            kind=view.kind,
            points=view.points,
            counterpart=view.counterpart,
            created_at=view.created_at,
        )


@strawberry.type
class MovementEdge:
    cursor: str
    node: Movement


@strawberry.type
class MovementConnection:
    edges: list[MovementEdge]
    page_info: PageInfo


@strawberry.input
class GrantInput:
    my_key_id: str
    points: int


@strawberry.input
class GrantPointsInput:
    program_id: strawberry.ID
    reason: str
    idempotency_key: str
    grants: list[GrantInput]


@strawberry.type(description="A row of a grant batch that cannot be granted (the batch was not applied).")
class GrantRowError:
    row: int
    my_key_id: str
    code: str
    message: str

    @classmethod
    def from_view(cls, error: RowError) -> "GrantRowError":
        return cls(row=error.row, my_key_id=error.my_key_id, code=error.code.value, message=error.message)


@strawberry.type
class GrantPointsPayload(Payload):
    granted: int | None = None
    points: int | None = None
    row_errors: list[GrantRowError] = strawberry.field(default_factory=list)


@strawberry.type
class GrantWithCardPayload(Payload):
    my_key_id: str | None = strawberry.field(default=None, description="Whose card it was.")
    points: int | None = None


@strawberry.input
class ExchangePointsInput:
    partner_points: int
    external_ref: str
    idempotency_key: str
    partner_customer_id: str | None = strawberry.field(
        default=None,
        description="The customer number the resident linked with you on My Page (ID連携): their consent."
        " Without it (or the widget's authorization) an exchange is FORBIDDEN.",
    )
    my_key_id: str | None = strawberry.field(
        default=None, description="Optional: checked against the resident who linked the customer number."
    )
    program_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A running support event: the points are given to it straight away (直接ポイント交換).",
    )


@strawberry.type(
    description="A partner exchange: the partner's points, their yen value, the reserved points credited."
)
class Exchange:
    id: strawberry.ID
    partner_points: int
    yen: int
    points: int
    status: str
    external_ref: str
    created_at: datetime


@strawberry.type
class ExchangePointsPayload(Payload):
    exchange: Exchange | None = None


@strawberry.type
class IssueCouponsPayload(Payload):
    codes: list[str] | None = strawberry.field(default=None, description="Shown once; stored only as hashes.")
    batch_id: strawberry.ID | None = strawberry.field(
        default=None, description="For couponBatches and voidCouponBatch."
    )


@strawberry.type
class RedeemCouponPayload(Payload):
    points: int | None = None
    partner: str | None = None


@strawberry.type
class MoveReservedPointsPayload(Payload):
    points: int | None = None
    premium: int | None = strawberry.field(default=None, description="Extra points from a premium campaign.")
    program: Program | None = None


@strawberry.type(description="Who gave how many points to a support event.")
class SupportEventGift:
    my_key_id: str
    points: int


@strawberry.type(description="One of the partner's own exchanges (for its reconciliation).")
class PartnerExchange:
    id: strawberry.ID
    external_ref: str
    partner_points: int
    yen: int
    points: int
    status: str
    created_at: datetime
