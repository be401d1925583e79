"""spendPoints and convertPoints at a PAY terminal: card + amount, earliest expiry first, idempotent."""

import pytest

from domain.points.accounts import shop_balance
from domain.sql import reader
from models.programs import ProgramKind

SPEND = (
    "mutation($p: CardProofInput!, $n: Int!, $k: String!) { spendPoints(proof: $p, amount: $n,"
    " idempotencyKey: $k)"
    " { spend { amount fee credited shop balanceAfter } userErrors { code field } } }"
)
CONVERT = SPEND.replace("spendPoints", "convertPoints").replace("{ spend {", "{ conversion {")


async def _spend(people, town, amount, key="pay-0001-abc", card=None, terminal=None):
    terminal = terminal or town.pay
    proof = await people.proof(card or town.resident.card, terminal=terminal)
    return (await people.gql(SPEND, terminal, p=proof, n=amount, k=key))["spendPoints"]


async def _lots(account_code):
    rows = await reader().fetch(
        "SELECT l.original, l.remaining FROM lots l JOIN accounts a ON a.id = l.account_id WHERE a.code = $1"
        " ORDER BY l.id",
        account_code,
    )
    return [(r["original"], r["remaining"]) for r in rows]


async def test_a_payment_takes_the_earliest_expiring_points_first(people, town):
    receipt = await _spend(people, town, 700)
    assert receipt == {
        "spend": {
            "amount": 700,
            "fee": 0,
            "credited": 700,
            "shop": "ブレーメン通り 商店",
            "balanceAfter": 300,
        },
        "userErrors": [],
    }
    code = f"resident:{await _resident_id(town)}:program:{town.program}"
    assert await _lots(code) == [(600, 0), (400, 300)]
    assert await shop_balance(reader(), town.shop) == 700


async def _resident_id(town):
    return await reader().fetchval("SELECT id FROM residents WHERE my_key_id = $1", town.resident.my_key_id)


async def test_earliest_expiry_first_across_programs(people, town, clock):
    today = clock.now().date()
    event = await people.program(
        kind=ProgramKind.SUPPORT_EVENT,
        name="花火",
        validity_days=5,
        starts_on=today,
        ends_on=today,
        organiser="委員会",
    )
    await people.grant(town.staff, event.id, [(town.resident.my_key_id, 50)], key="event-grant")
    await people.shop_accepting([town.program, event.id], name="両方の店")
    both = await reader().fetchval("SELECT id FROM shops WHERE name = '両方の店'")
    terminal = await people.terminal("PAY", town.admin, shopId=str(both))
    receipt = await _spend(people, town, 80, terminal=terminal)
    assert receipt["spend"]["balanceAfter"] == 970
    rid = await _resident_id(town)
    assert await _lots(f"resident:{rid}:program:{event.id}") == [(50, 0)]  # expires in 5 days: spent first
    assert await _lots(f"resident:{rid}:program:{town.program}") == [(600, 570), (400, 400)]


async def test_a_retry_with_the_same_key_pays_once(people, town):
    first = await _spend(people, town, 100, key="receipt-42-key")
    again = await _spend(people, town, 100, key="receipt-42-key")
    assert first == again
    assert await reader().fetchval("SELECT COUNT(*) FROM journal_entries WHERE kind = 'SPEND'") == 1
    other = await _spend(people, town, 101, key="receipt-42-key")
    assert other["userErrors"] == [{"code": "IDEMPOTENCY_CONFLICT", "field": "idempotencyKey"}]


async def test_refusals_change_nothing(people, town):
    too_much = await _spend(people, town, 1001)
    assert too_much["userErrors"] == [{"code": "INSUFFICIENT_POINTS", "field": "amount"}]
    proof = await people.proof(town.resident.card, terminal=town.pay)
    detailed = await people.gql(
        'mutation($p: CardProofInput!) { spendPoints(proof: $p, amount: 1001, idempotencyKey: "over-1001")'
        " { userErrors { reason details { name value } } } }",
        town.pay,
        p=proof,
    )
    assert detailed["spendPoints"]["userErrors"] == [
        {
            "reason": "points.available",
            "details": [{"name": "available", "value": "1000"}, {"name": "needed", "value": "1001"}],
        }
    ]
    assert (await _spend(people, town, 0, key="zero-amount"))["userErrors"][0]["field"] == "amount"
    stranger = await _spend(people, town, 10, card=people.card(), key="stranger-card")
    assert stranger["userErrors"] == [{"code": "NOT_FOUND", "field": "proof"}]
    nowhere = await people.shop_accepting([], name="どこでもない店")
    terminal = await people.terminal("PAY", town.admin, shopId=str(nowhere))
    assert (await _spend(people, town, 10, terminal=terminal, key="nowhere-shop"))["userErrors"] == [
        {"code": "NOT_ACCEPTED_HERE", "field": "amount"}
    ]
    printer = await people.terminal("PRINT", town.admin)
    assert (await _spend(people, town, 10, terminal=printer, key="printer-pay"))["userErrors"] == [
        {"code": "FORBIDDEN", "field": None}
    ]
    assert await reader().fetchval("SELECT COUNT(*) FROM journal_entries WHERE kind = 'SPEND'") == 0


async def test_a_revoked_or_unverifiable_card_cannot_pay(people, town, clock):
    people.later(hours=27)  # the CRL is now more than 2 hours past its nextUpdate
    stale = await _spend(people, town, 10, key="stale-crl-pay")
    assert stale["userErrors"] == [{"code": "CARD_INVALID", "field": "proof"}]
    people.authority.revoke(town.resident.card.certificate, clock.now())
    await people.fresh_crl()
    revoked = await _spend(people, town, 10, key="revoked-card")
    assert revoked["userErrors"] == [{"code": "CARD_REVOKED", "field": "proof"}]


@pytest.mark.parametrize(("amount", "fee"), [(110, 10), (120, 10), (10, 0), (1000, 90)])
async def test_conversion_into_a_shopping_street_point_withholds_one_eleventh(people, town, amount, fee):
    street = await people.shop_accepting([town.program], name="商店街", category="SHOPPING_STREET")
    terminal = await people.terminal("PAY", town.admin, shopId=str(street))
    proof = await people.proof(town.resident.card, terminal=terminal)
    done = (await people.gql(CONVERT, terminal, p=proof, n=amount, k="convert-0001"))["convertPoints"]
    assert done["conversion"] == {
        "amount": amount,
        "fee": fee,
        "credited": amount - fee,
        "shop": "商店街",
        "balanceAfter": 1000 - amount,
    }
    # the fee is the street's own running cost: the street is owed the whole amount, the platform nothing
    assert (await reader().fetchval("SELECT balance FROM accounts WHERE code = 'system:fees'") or 0) == 0
    assert await shop_balance(reader(), street) == amount
    plain = await people.gql(
        CONVERT, town.pay, p=await people.proof(town.resident.card, terminal=town.pay), n=11, k="convert-0002"
    )
    assert plain["convertPoints"]["userErrors"] == [{"code": "NOT_ACCEPTED_HERE", "field": "amount"}]
