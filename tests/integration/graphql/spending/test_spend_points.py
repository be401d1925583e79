"""spendPoints and convertPoints at a PAY terminal: card + amount, earliest expiry first, idempotent."""

import asyncio

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


async def test_a_suspended_my_key_id_cannot_pay_and_its_key_stays_free(people, town):
    suspend = (
        "mutation($id: String!, $pw: String!) { suspendMyKeyId(myKeyId: $id, password: $pw)"
        " { resident { status } userErrors { code } } }"
    )
    resident = town.resident
    await people.gql(suspend, id=resident.my_key_id, pw=resident.password)
    refused = await _spend(people, town, 10, key="suspended-pay")
    assert refused["userErrors"] == [{"code": "FORBIDDEN", "field": "proof"}]
    assert await reader().fetchval("SELECT COUNT(*) FROM journal_entries WHERE kind = 'SPEND'") == 0
    claims = "SELECT COUNT(*) FROM idempotency_records WHERE key = 'suspended-pay'"
    assert await reader().fetchval(claims) == 0


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


async def _together(calls):
    """Release every call at once (tasks opened first, then one gate), as tests/…/test_races.py does."""
    gate = asyncio.Event()

    async def one(call):
        await gate.wait()
        return await call()

    tasks = [asyncio.create_task(one(call)) for call in calls]
    await asyncio.sleep(0.1)
    gate.set()
    return await asyncio.gather(*tasks)


@pytest.mark.postgres_only
async def test_concurrent_payments_never_overdraw_and_each_pays_once(people, town):
    proofs = [await people.proof(town.resident.card, terminal=town.pay) for _ in range(40)]

    def pay(n, proof):
        return lambda: people.gql(SPEND, town.pay, p=proof, n=30, k=f"race-pay-{n:04d}")

    answers = await _together([pay(n, proof) for n, proof in enumerate(proofs)])
    paid = [a["spendPoints"]["spend"] for a in answers if not a["spendPoints"]["userErrors"]]
    refused = [a["spendPoints"]["userErrors"] for a in answers if a["spendPoints"]["userErrors"]]
    assert len(paid) == 1000 // 30
    assert {e[0]["code"] for e in refused} == {"INSUFFICIENT_POINTS"}
    assert sorted(p["balanceAfter"] for p in paid)[0] == 1000 % 30
    assert await shop_balance(reader(), town.shop) == len(paid) * 30
    code = f"resident:{await _resident_id(town)}:program:{town.program}"
    assert sum(remaining for _, remaining in await _lots(code)) == 1000 % 30
    assert await reader().fetchval("SELECT COUNT(*) FROM journal_entries WHERE kind = 'SPEND'") == len(paid)


@pytest.mark.postgres_only
async def test_concurrent_retries_of_one_payment_pay_once(people, town):
    """A terminal that retries on a bad line: 20 copies of one payment (one key) at once."""
    proofs = [await people.proof(town.resident.card, terminal=town.pay) for _ in range(20)]

    def pay(proof):
        return lambda: people.gql(SPEND, town.pay, p=proof, n=100, k="one-receipt-0001")

    answers = await _together([pay(proof) for proof in proofs])
    assert {str(a) for a in answers} == {str(answers[0])}
    assert answers[0]["spendPoints"]["spend"]["balanceAfter"] == 900
    assert await reader().fetchval("SELECT COUNT(*) FROM journal_entries WHERE kind = 'SPEND'") == 1
    assert await shop_balance(reader(), town.shop) == 100
