"""Closing a month: what the municipality owes each shop and each partner owes it, from the journal.

The town: a resident with 1,000 points (two grants), a shop with a PAY terminal, a shopping street,
a partner whose points reach the town's program through a reserved-point move. The expected figures
are worked out by hand from the movements below, not from the code under test."""

from datetime import date

import pytest

from domain.errors import DomainError, ErrorCode
from domain.settlement.actions import business_day_on_or_before, close_settlement, payout_of
from domain.sql import reader
from tests.integration.graphql.points.test_exchanges_and_coupons import EXCHANGE, _order
from tests.integration.graphql.spending.test_spend_points import CONVERT, _spend

NOVEMBER = date(2026, 11, 30)
MOVE = (
    "mutation($p: ID!, $n: Int!) { moveReservedPoints(programId: $p, points: $n)"
    " { points userErrors { code field } } }"
)


async def _month(people, town):
    """Used at the shop: 300; converted at the street: 110 (its fee 10); a partner's 500 points moved
    into the town's program (so the partner owes 500 yen)."""
    assert (await _spend(people, town, 300, key="settle-pay-01"))["userErrors"] == []
    street = await people.shop_accepting([town.program], name="商店街", category="SHOPPING_STREET")
    street_pay = await people.terminal("PAY", town.admin, shopId=str(street))
    proof = await people.proof(town.resident.card, terminal=street_pay)
    converted = await people.gql(CONVERT, street_pay, p=proof, n=110, k="settle-convert-1")
    assert converted["convertPoints"]["userErrors"] == []
    partner = await people.partner()
    await people.consent(town.resident)
    exchanged = await people.gql(EXCHANGE, partner, i=_order(town.resident, 500))
    assert exchanged["exchangePoints"]["userErrors"] == []
    moved = await people.gql(MOVE, town.resident.token, p=str(town.program), n=500)
    assert moved["moveReservedPoints"]["userErrors"] == []
    partner_id = await reader().fetchval("SELECT id FROM partners")
    return street, int(partner_id)


async def _statements(settlement_id):
    rows = await reader().fetch(
        "SELECT kind, shop_id, partner_id, points, fee_yen, yen, carried_in_yen, payable_yen, carried_out_yen"
        " FROM settlement_statements WHERE settlement_id = $1 ORDER BY kind, shop_id, partner_id",
        settlement_id,
    )
    return [tuple(r.values()) for r in rows]


async def test_a_month_closes_to_the_yen_and_closing_again_changes_nothing(people, town, clock):
    await reader().execute("UPDATE municipalities SET settlement_minimum_yen = 1")
    street, partner = await _month(people, town)
    people.later(days=10)  # December 1st, after the cut (00:00 JST)
    admin_actor = await people.actor_of(town.admin)
    first = await close_settlement(admin_actor, "141305", NOVEMBER, clock.now())
    assert (first.period_start, first.period_end, first.status) == (date(2026, 11, 1), NOVEMBER, "CLOSED")
    assert first.payout_on == date(2026, 12, 15)  # 末締め翌15日払い: a Tuesday
    assert await _statements(first.id) == [
        ("PARTNER", None, partner, 500, 0, 500, 0, 500, 0),
        ("SHOP", town.shop, None, 300, 0, 300, 0, 300, 0),
        ("SHOP", street, None, 110, 10, 110, 0, 110, 0),  # the street is owed the whole 110
    ]
    assert (first.payable_yen, first.receivable_yen) == (410, 500)
    again = await close_settlement(admin_actor, "141305", NOVEMBER, clock.now())
    assert again == first  # the same settlement, the same digest


async def test_a_movement_after_the_cut_belongs_to_the_next_month(people, town, clock):
    await reader().execute("UPDATE municipalities SET settlement_minimum_yen = 1")
    people.later(days=10)  # December
    await people.fresh_crl()  # a card payment wants a current revocation list
    assert (await _spend(people, town, 70, key="settle-pay-dec"))["userErrors"] == []
    admin_actor = await people.actor_of(town.admin)
    november = await close_settlement(admin_actor, "141305", NOVEMBER, clock.now())
    assert await _statements(november.id) == []
    people.later(days=31)  # January
    december = await close_settlement(admin_actor, "141305", date(2026, 12, 31), clock.now())
    assert december.period_start == date(2026, 12, 1)
    assert await _statements(december.id) == [("SHOP", town.shop, None, 70, 0, 70, 0, 70, 0)]


async def test_amounts_under_the_minimum_carry_over(people, town, clock):
    await reader().execute("UPDATE municipalities SET settlement_minimum_yen = 500")
    assert (await _spend(people, town, 300, key="settle-small-1"))["userErrors"] == []
    people.later(days=10)
    admin_actor = await people.actor_of(town.admin)
    november = await close_settlement(admin_actor, "141305", NOVEMBER, clock.now())
    assert await _statements(november.id) == [("SHOP", town.shop, None, 300, 0, 300, 0, 0, 300)]
    await people.fresh_crl()
    assert (await _spend(people, town, 250, key="settle-small-2"))["userErrors"] == []
    people.later(days=31)
    december = await close_settlement(admin_actor, "141305", date(2026, 12, 31), clock.now())
    assert await _statements(december.id) == [("SHOP", town.shop, None, 250, 0, 250, 300, 550, 0)]


@pytest.mark.parametrize(
    ("period_end", "why"),
    [(date(2026, 11, 29), "last day"), (date(2026, 12, 31), "not over")],
)
async def test_a_period_that_is_not_a_closed_month_is_refused(people, town, clock, period_end, why):
    people.later(days=10)
    admin_actor = await people.actor_of(town.admin)
    with pytest.raises(DomainError) as refused:
        await close_settlement(admin_actor, "141305", period_end, clock.now())
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_INPUT, "periodEnd")
    assert why in refused.value.message
    assert await reader().fetchval("SELECT COUNT(*) FROM settlements") == 0


async def test_a_twice_monthly_town_closes_on_the_15th_and_pays_at_the_months_end(people, town, clock):
    await reader().execute(
        "UPDATE municipalities SET settlement_minimum_yen = 1, settlement_schedule = 'TWICE_MONTHLY'"
    )
    admin_actor = await people.actor_of(town.admin)
    people.later(days=10)  # December 1st (JST): both halves of November are over
    await people.fresh_crl()
    first = await close_settlement(admin_actor, "141305", date(2026, 11, 15), clock.now())
    assert (first.period_start, first.period_end, first.payout_on) == (
        date(2026, 11, 1),
        date(2026, 11, 15),
        date(2026, 11, 30),  # 15日締め末払い: a Monday
    )
    second = await close_settlement(admin_actor, "141305", NOVEMBER, clock.now())
    assert (second.period_start, second.payout_on) == (date(2026, 11, 16), date(2026, 12, 15))
    with pytest.raises(DomainError) as refused:
        await close_settlement(admin_actor, "141305", date(2026, 12, 14), clock.now())
    assert "or the 15th" in refused.value.message


async def test_a_monthly_town_cannot_close_on_the_15th(people, town, clock):
    people.later(days=10)
    with pytest.raises(DomainError) as refused:
        await close_settlement(await people.actor_of(town.admin), "141305", date(2026, 11, 15), clock.now())
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_INPUT, "periodEnd")


def test_payouts_move_back_to_a_business_day():
    assert payout_of(date(2027, 1, 31)) == date(2027, 2, 15)  # a Monday
    assert payout_of(date(2027, 1, 15)) == date(2027, 1, 29)  # the 31st is a Sunday
    assert payout_of(date(2026, 7, 31)) == date(2026, 8, 14)  # the 15th is a Saturday
    assert business_day_on_or_before(date(2027, 1, 3)) == date(2026, 12, 30)  # 12/31–1/3 are closed
    assert business_day_on_or_before(date(2026, 11, 23)) == date(2026, 11, 20)  # 勤労感謝の日, a Monday


@pytest.mark.ledger_breached
async def test_verify_names_a_closed_settlement_changed_behind_its_entries(people, town, clock, db):
    from domain.ledger.verify import verify_ledger

    await reader().execute("UPDATE municipalities SET settlement_minimum_yen = 1")
    assert (await _spend(people, town, 300, key="settle-verify-1"))["userErrors"] == []
    people.later(days=10)
    november = await close_settlement(await people.actor_of(town.admin), "141305", NOVEMBER, clock.now())
    assert await verify_ledger(reader(), db.key) == []
    await reader().execute(
        "UPDATE settlement_statements SET yen = yen + 1, payable_yen = payable_yen + 1"
        " WHERE settlement_id = $1",
        november.id,
    )
    assert [str(b) for b in await verify_ledger(reader(), db.key)] == [
        f"I13: settlement {november.id} no longer matches its journal entries"
    ]
