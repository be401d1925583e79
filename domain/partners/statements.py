"""What a partner owes each municipality: its statements from the municipalities' monthly settlements
(the points of its exchanges that reached residents there, their yen, what was carried, what is billed
this run and whether the invoice was sent). The partner sees its own statements only."""

from dataclasses import dataclass
from datetime import date, datetime

from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.sql import Sql


@dataclass(frozen=True)
class PartnerStatementView:
    id: int
    settlement_id: int
    municipality_code: str
    municipality_name: str
    period_start: date
    period_end: date
    payout_on: date
    points: int
    yen: int
    carried_in_yen: int
    payable_yen: int  # billed this run
    carried_out_yen: int
    invoiced_at: datetime | None  # the municipality marked its invoice as sent


async def list_partner_statements(
    actor: Actor | None, sql: Sql, first: int = 120
) -> list[PartnerStatementView]:
    """Newest period first, then by municipality code."""
    actor = permit(actor, Permission.PARTNER_BOOKS)
    return await sql.fetch_as(
        PartnerStatementView,
        "SELECT t.id, t.settlement_id, m.code AS municipality_code, m.name AS municipality_name,"
        " r.period_start, r.period_end, r.payout_on, t.points, t.yen, t.carried_in_yen, t.payable_yen,"
        " t.carried_out_yen, t.paid_at AS invoiced_at FROM settlement_statements t"
        " JOIN settlements r ON r.id = t.settlement_id JOIN municipalities m ON m.id = r.municipality_id"
        " WHERE t.kind = 'PARTNER' AND t.partner_id = $1 ORDER BY r.period_end DESC, m.code LIMIT $2",
        actor.partner,
        max(1, min(first, 1000)),
    )
