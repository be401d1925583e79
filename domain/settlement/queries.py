"""Reading settlement runs: a municipality's admins (and the operator) see their own."""

from dataclasses import dataclass
from datetime import date, datetime

from domain.audit.log import audit
from domain.auth.access import require_municipality
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import get_municipality_by_code
from domain.settlement.actions import SETTLEMENT_COLUMNS, SettlementView, closing
from domain.sql import Sql, transaction


async def access_settlement_by_id(
    actor: Actor | None, permission: Permission, sql: Sql, settlement_id: int
) -> SettlementView:
    """The run, if ``permission`` admits ``actor`` and the run is its municipality's (another
    municipality's run is NOT_FOUND: nobody learns which runs exist elsewhere)."""
    actor = permit(actor, permission)
    found = await sql.fetchrow_as(SettlementView, f"{SETTLEMENT_COLUMNS} WHERE id = $1", settlement_id)
    if found is None or (actor.municipality_id not in (None, found.municipality_id)):
        raise DomainError(ErrorCode.NOT_FOUND, "No such settlement.", "id")
    return found


async def list_settlements(
    actor: Actor | None, sql: Sql, municipality_code: str, first: int, before_id: int | None
) -> tuple[list[SettlementView], bool]:
    """The municipality's runs, newest first, ``first`` at a time (and whether more exist)."""
    permit(actor, Permission.MUNICIPALITY_ADMIN)
    municipality = await get_municipality_by_code(sql, municipality_code)
    require_municipality(actor, municipality.id)
    runs = await sql.fetch_as(
        SettlementView,
        f"{SETTLEMENT_COLUMNS} WHERE municipality_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3",
        municipality.id,
        before_id or 0,
        first + 1,
    )
    return runs[:first], len(runs) > first


@dataclass(frozen=True)
class StatementView:
    """One counterparty in a run: a shop (what it is owed), a partner (what it owes), a donation
    event's organiser (EVENT: what it receives at the event's close), or another municipality
    (CLEARING: ``yen`` > 0 we owe it, < 0 it owes us)."""

    settlement_id: int
    kind: str
    counterparty_id: int
    name: str
    points: int
    fee_yen: int
    yen: int
    carried_in_yen: int
    payable_yen: int
    carried_out_yen: int
    shop_category: str | None  # a shop's
    client_id: str | None  # a partner's
    active: bool | None
    peer_code: str | None  # another municipality's
    id: int
    paid_at: datetime | None  # an officer marked the transfer (or the invoice) as sent
    paid_by: str | None


async def list_statements(sql: Sql, settlement_ids: list[int]) -> list[StatementView]:
    return await sql.fetch_as(
        StatementView,
        "SELECT t.settlement_id, t.kind, COALESCE(t.shop_id, t.partner_id, t.peer_id, t.event_id)"
        " AS counterparty_id, COALESCE(s.name, p.name, m.name, e.organiser || ' (' || e.name || ')') AS name,"
        " t.points, t.fee_yen, t.yen, t.carried_in_yen,"
        " t.payable_yen, t.carried_out_yen, s.category AS shop_category, p.client_id, p.active,"
        " m.code AS peer_code, t.id, t.paid_at, t.paid_by FROM settlement_statements t"
        " LEFT JOIN shops s ON s.id = t.shop_id"
        " LEFT JOIN partners p ON p.id = t.partner_id LEFT JOIN municipalities m ON m.id = t.peer_id"
        " LEFT JOIN programs e ON e.id = t.event_id"
        f" WHERE {sql.any_of('t.settlement_id', 1)}"
        " ORDER BY t.settlement_id, t.kind, COALESCE(t.shop_id, t.partner_id, t.peer_id, t.event_id)",
        sql.ids(settlement_ids),
    )


async def mark_statement_paid(actor: Actor | None, statement_id: int, now: datetime) -> StatementView:
    """An officer marks a statement's transfer as sent (or a partner's invoice as issued): once, for a
    statement of their own municipality's closed run that has something payable."""
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)

    async def work(sql: Sql) -> StatementView:
        row = await sql.fetchrow(
            "SELECT t.settlement_id, t.payable_yen, t.paid_at, r.municipality_id FROM settlement_statements t"
            f" JOIN settlements r ON r.id = t.settlement_id WHERE t.id = $1{sql.for_update}",
            statement_id,
        )
        if row is None or actor.municipality_id not in (None, int(row["municipality_id"])):
            raise DomainError(ErrorCode.NOT_FOUND, "No such statement.", "statementId")
        if int(row["payable_yen"]) <= 0:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                "Nothing is payable on this statement.",
                "statementId",
                "payout.nothing",
            )
        marked = await sql.execute(
            "UPDATE settlement_statements SET paid_at = $2, paid_by = $3 WHERE id = $1 AND paid_at IS NULL",
            statement_id,
            now,
            actor.label,
        )
        if not marked:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                "This payout is marked as sent already.",
                "statementId",
                "payout.marked",
            )
        found = [s for s in await list_statements(sql, [int(row["settlement_id"])]) if s.id == statement_id]
        await audit(
            sql,
            actor,
            "payout.sent",
            f"{found[0].name}: {found[0].payable_yen:,} yen",
            int(row["municipality_id"]),
            now,
        )
        return found[0]

    return await transaction(work)


class _Previewed(Exception):
    """Carries a preview out of its transaction, which rolls back."""

    def __init__(self, run: SettlementView, statements: list[StatementView]) -> None:
        super().__init__("preview")
        self.run = run
        self.statements = statements


async def preview_settlement(
    actor: Actor | None, municipality_code: str, period_end: date, now: datetime
) -> tuple[SettlementView, list[StatementView]]:
    """What closing the period would give, without closing it: the same work in a transaction that is
    rolled back, so nothing of it is kept and the figures are those the close would write now."""
    permit(actor, Permission.MUNICIPALITY_ADMIN)

    async def work(sql: Sql) -> None:
        run = await closing(sql, actor, municipality_code, period_end, now)
        raise _Previewed(run, await list_statements(sql, [run.id]))

    try:
        await transaction(work)
    except _Previewed as previewed:
        return previewed.run, previewed.statements
    raise AssertionError("a preview always rolls back")  # pragma: no cover
