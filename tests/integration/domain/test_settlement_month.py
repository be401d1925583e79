"""A whole month, two municipalities, closed: every statement, the 総合振込 file and the monthly
report, against the hand-worked figures below and against sums taken straight from the journal.

December 2026:
* Kawasaki (141305, program A, validity 100 days) and Sapporo (011002, program B, 20 days) agree
  that each other's shops accept their programs (たすきがけ): shop A1 takes A and B, shop B1 takes
  B and A. Kawasaki also has a shopping street (conversion, 1/11 fee).
* R1 (Kawasaki) holds 1,000 A points granted in November. R2 (Sapporo) gets 800 B points on
  December 1st (they lapse on the 21st).
* One partner: R1 exchanges 500 (moved into A at once), R2 exchanges 300 (left reserved: auto-moved
  into B on the 15th).
* R1 pays 300 at A1 and 200 at B1, converts 110 at the street, issues a 100-point voucher that B1
  redeems. R2 pays 150 at A1. R2's other 650 B points expire on the 21st.

Who owes whom, by hand:
* Kawasaki pays A1 300 + 150 = 450 and the street 110 (its fee 10); the partner owes it 500; it
  owes Sapporo 200 + 100 for A used at B1 and is owed 150 for B used at A1: it pays Sapporo 150.
* Sapporo pays B1 300; the partner owes it 300; it is owed Kawasaki's 150 (paid by Kawasaki's run).
"""

from datetime import date
from pathlib import Path

from domain.jobs import daily
from domain.ledger.verify import verify_ledger
from domain.programs.actions import set_shop_programs
from domain.programs.agreements import add_acceptance_agreement
from domain.settlement.actions import close_settlement
from domain.settlement.banks import BankAccount
from domain.settlement.exports import transfer_file
from domain.settlement.reports import monthly_report
from domain.settlement.zengin import read_transfer_file
from domain.shops.actions import set_shop_bank_account
from domain.sql import reader
from models.staff import StaffRole
from tests.integration.graphql.points.test_exchanges_and_coupons import EXCHANGE, _order
from tests.integration.graphql.spending.test_spend_points import CONVERT, SPEND
from tests.integration.graphql.spending.test_vouchers import ISSUE, REDEEM

GOLDEN = Path(__file__).parents[2] / "unit" / "settlement" / "golden" / "transfer_month_141305.txt"
DECEMBER = date(2026, 12, 31)
MOVE = "mutation($p: ID!, $n: Int!) { moveReservedPoints(programId: $p, points: $n) { userErrors { code } } }"


async def _pay(people, terminal, card, amount, key, query=SPEND, field="spendPoints"):
    proof = await people.proof(card, terminal=terminal)
    answer = (await people.gql(query, terminal, p=proof, n=amount, k=key))[field]
    assert answer["userErrors"] == [], answer


async def _month(people, town, clock):
    operator = people.operator_actor
    await people.municipality("011002")
    await reader().execute("UPDATE municipalities SET settlement_minimum_yen = 1")
    sapporo = await people.program("011002", name="札幌市ポイント", validity_days=20)
    b_admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN, "011002")
    b_staff = await people.staff(StaffRole.MUNICIPALITY_STAFF, "011002")
    await add_acceptance_agreement(operator, town.program, "011002", clock.now())
    await add_acceptance_agreement(operator, sapporo.id, "141305", clock.now())
    b1 = await people.shop_accepting([sapporo.id, town.program], code="011002", name="狸小路 商店")
    await set_shop_programs(operator, town.shop, [town.program, sapporo.id], clock.now())
    street = await people.shop_accepting(
        [town.program], name="ブレーメン通り商店街", category="SHOPPING_STREET"
    )
    for shop, holder in ((town.shop, "ｼﾖｳﾃﾝ"), (street, "ﾌﾞﾚｰﾒﾝ"), (b1, "ﾀﾇｷｺｳｼﾞ")):
        await set_shop_bank_account(
            operator, shop, BankAccount("0009", "001", "ORDINARY", "7654321", holder), clock.now()
        )
    b_pay = await people.terminal("PAY", b_admin, shopId=str(b1), municipalityCode="011002")
    street_pay = await people.terminal("PAY", town.admin, shopId=str(street))
    b_clerk = await people.staff(StaffRole.SHOP_STAFF, shop_id=b1, login="clerk-b1")
    r1, r2 = town.resident, await people.register(municipality="011002")

    people.later(days=10)  # December 1st, 12:00 JST
    partner = await people.partner()  # a partner's token lasts an hour
    await people.fresh_crl()
    await people.login(r1)
    await people.consent(r1)
    await people.login(r2)
    await people.consent(r2)
    await people.grant(b_staff, sapporo.id, [(r2.my_key_id, 800)], key="month-b-grant")
    assert (await people.gql(EXCHANGE, partner, i=_order(r1, 500, "m-1", "month-x-1")))["exchangePoints"][
        "userErrors"
    ] == []
    assert (await people.gql(EXCHANGE, partner, i=_order(r2, 300, "m-2", "month-x-2")))["exchangePoints"][
        "userErrors"
    ] == []
    assert (await people.gql(MOVE, r1.token, p=str(town.program), n=500))["moveReservedPoints"][
        "userErrors"
    ] == []

    people.later(days=1)  # December 2nd
    await people.fresh_crl()
    await people.login(r1)
    await _pay(people, town.pay, r1.card, 300, "month-pay-a1")
    await _pay(people, b_pay, r1.card, 200, "month-pay-b1")
    await _pay(people, town.pay, r2.card, 150, "month-pay-r2")
    await _pay(people, street_pay, r1.card, 110, "month-convert", CONVERT, "convertPoints")
    issued = (await people.gql(ISSUE, r1.token, p=str(town.program), v=100))["issueVoucher"]
    assert issued["userErrors"] == [], issued
    redeemed = (await people.gql(REDEEM, b_clerk, t=issued["voucher"]["token"]))["redeemVoucher"]
    assert redeemed["userErrors"] == [], redeemed

    people.later(days=13)  # December 15th: R2's reserved points move home
    assert (await daily.run_daily(clock)).auto_move.points == 300
    people.later(days=7)  # December 22nd: R2's December grant has lapsed
    assert (await daily.run_daily(clock)).expiry.points == 650
    people.later(days=10)  # January 1st, 2027: December is over
    return b1, street, b_admin


async def _from_journal_shop_yen(shop_id):
    """What reached the shop's accounts in December (the journal alone)."""
    return await reader().fetchval(
        "SELECT COALESCE(SUM(p.amount), 0) FROM postings p JOIN accounts a ON a.id = p.account_id"
        " JOIN journal_entries e ON e.id = p.entry_id WHERE a.kind = 'SHOP' AND a.shop_id = $1",
        shop_id,
    )


async def _from_journal_cross(program_municipality, shop_municipality):
    """Points of one municipality's programs that reached another's shops."""
    return await reader().fetchval(
        "SELECT COALESCE(-SUM(d.amount), 0) FROM postings d JOIN accounts a ON a.id = d.account_id"
        " LEFT JOIN vouchers v ON v.id = a.voucher_id"
        " JOIN programs g ON g.id = COALESCE(a.program_id, v.program_id)"
        " JOIN municipalities gm ON gm.id = g.municipality_id"
        " JOIN journal_entries e ON e.id = d.entry_id AND e.kind IN ('SPEND', 'CONVERT', 'REDEEM')"
        " WHERE d.amount < 0 AND gm.code = $1 AND EXISTS (SELECT 1 FROM postings c JOIN accounts sa"
        " ON sa.id = c.account_id JOIN shops s ON s.id = sa.shop_id JOIN municipalities sm"
        " ON sm.id = s.municipality_id WHERE c.entry_id = e.id AND sa.kind = 'SHOP' AND sm.code = $2)",
        program_municipality,
        shop_municipality,
    )


async def _from_journal_partner(code):
    """Partner-funded points credited into the municipality's programs."""
    return await reader().fetchval(
        "SELECT COALESCE(SUM(p.amount), 0) FROM postings p JOIN accounts a ON a.id = p.account_id"
        " JOIN lots l ON l.id = p.lot_id JOIN programs g ON g.id = a.program_id"
        " JOIN municipalities m ON m.id = g.municipality_id JOIN journal_entries e ON e.id = p.entry_id"
        " WHERE p.amount > 0 AND l.funder_kind = 'PARTNER' AND a.kind = 'RESIDENT_PROGRAM' AND m.code = $1"
        " AND e.kind IN ('MOVE_RESERVED', 'AUTO_MOVE')",
        code,
    )


async def _statements(settlement_id):
    rows = await reader().fetch(
        "SELECT kind, COALESCE(shop_id, partner_id, peer_id) AS who, points, fee_yen, yen, payable_yen"
        " FROM settlement_statements WHERE settlement_id = $1 ORDER BY kind, who",
        settlement_id,
    )
    return [tuple(r.values()) for r in rows]


async def test_a_month_of_two_municipalities_closes_to_the_yen(people, town, clock, db):
    b1, street, b_admin = await _month(people, town, clock)
    ids = {r["code"]: int(r["id"]) for r in await reader().fetch("SELECT id, code FROM municipalities")}
    partner = int(await reader().fetchval("SELECT id FROM partners"))
    kawasaki_admin, sapporo_admin = await people.actor_of(town.admin), await people.actor_of(b_admin)

    a = await close_settlement(kawasaki_admin, "141305", DECEMBER, clock.now())
    b = await close_settlement(sapporo_admin, "011002", DECEMBER, clock.now())
    assert await close_settlement(kawasaki_admin, "141305", DECEMBER, clock.now()) == a  # one settlement
    assert await reader().fetchval("SELECT COUNT(*) FROM settlements") == 2

    # by hand
    assert await _statements(a.id) == [
        ("CLEARING", ids["011002"], 150, 0, 150, 150),  # A used at B1 300, B used at A1 150
        ("PARTNER", partner, 500, 0, 500, 500),
        ("SHOP", town.shop, 450, 0, 450, 450),
        ("SHOP", street, 110, 10, 110, 110),
    ]
    assert (a.payable_yen, a.receivable_yen) == (710, 500)
    assert await _statements(b.id) == [
        ("CLEARING", ids["141305"], -150, 0, -150, 0),  # the mirror: Kawasaki pays it
        ("PARTNER", partner, 300, 0, 300, 300),
        ("SHOP", b1, 300, 0, 300, 300),
    ]
    assert (b.payable_yen, b.receivable_yen) == (300, 450)

    # against the journal
    assert [await _from_journal_shop_yen(s) for s in (town.shop, street, b1)] == [450, 110, 300]
    a_at_b, b_at_a = (
        await _from_journal_cross("141305", "011002"),
        await _from_journal_cross("011002", "141305"),
    )
    assert (a_at_b, b_at_a) == (300, 150)
    assert (await _statements(a.id))[0][4] == a_at_b - b_at_a
    assert [await _from_journal_partner(c) for c in ("141305", "011002")] == [500, 300]

    # the transfer file, byte by byte, and read back field by field
    export = await transfer_file(kawasaki_admin, a.id)
    assert export.content == GOLDEN.read_bytes()
    read = read_transfer_file(export.content, 2027)
    assert read.payer.transfer_date == date(2027, 1, 15)
    assert [(p.customer_code, p.amount) for p in read.payees] == [
        (str(town.shop), 450),
        (str(street), 110),
        ("8000011002", 150),
    ]
    assert sum(p.amount for p in read.payees) == a.payable_yen
    assert (await transfer_file(sapporo_admin, b.id)).total_yen == 300  # B1 only: it owes Kawasaki nothing

    # the monthly reports
    ra = await monthly_report(kawasaki_admin, "141305", "2026-12", clock.now())
    assert (ra.opening_points, ra.closing_points) == (1_000, 790)
    assert (ra.issued.entries, ra.issued.residents, ra.issued.points) == (1, 1, 500)
    assert (ra.used.entries, ra.used.residents, ra.used.points) == (4, 1, 710)
    assert ra.expired.points == 0
    assert ra.closing_points == ra.opening_points + ra.issued.points - ra.used.points - ra.expired.points
    assert [(s.shop_id, s.municipality_code, s.points) for s in ra.by_shop] == [
        (town.shop, "141305", 300),
        (b1, "011002", 300),  # 200 paid and the 100-point voucher
        (street, "141305", 110),
    ]
    assert [(p.name, p.points) for p in ra.by_partner] == [("パートナー", 500)]

    rb = await monthly_report(sapporo_admin, "011002", "2026-12", clock.now())
    assert (rb.opening_points, rb.closing_points) == (0, 300)
    assert (rb.issued.entries, rb.issued.residents, rb.issued.points) == (2, 1, 1_100)
    assert [(s.source, s.points) for s in rb.by_source] == [("ADMINISTRATIVE", 800), ("PARTNER", 300)]
    assert (rb.used.points, rb.expired.entries, rb.expired.points) == (150, 1, 650)
    assert rb.closing_points == rb.opening_points + rb.issued.points - rb.used.points - rb.expired.points
    assert [(s.shop_id, s.points) for s in rb.by_shop] == [(town.shop, 150)]
    funders = {(f.funder_kind, f.funder_ref): f for f in rb.by_funder}
    assert (funders[("MUNICIPALITY", "011002")].outstanding, funders[("MUNICIPALITY", "011002")].expired) == (
        0,
        650,
    )
    assert funders[("PARTNER", str(partner))].lapsing == (300, 0, 0)  # moved on the 15th, 20 days' validity
    assert rb.forecast_months == ("2027-01", "2027-02", "2027-03")

    # every report figure against the journal: the balance of the municipality's points at each end
    for code, report in (("141305", ra), ("011002", rb)):
        held = await reader().fetchval(
            "SELECT COALESCE(SUM(p.amount), 0) FROM postings p JOIN accounts a ON a.id = p.account_id"
            " LEFT JOIN vouchers v ON v.id = a.voucher_id"
            " JOIN programs g ON g.id = COALESCE(a.program_id, v.program_id)"
            " JOIN municipalities m ON m.id = g.municipality_id WHERE m.code = $1"
            " AND a.kind IN ('RESIDENT_PROGRAM', 'EVENT_GIFTS', 'VOUCHER')",
            code,
        )
        assert held == report.closing_points

    assert await verify_ledger(reader(), db.key) == []
