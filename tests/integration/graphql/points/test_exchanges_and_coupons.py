"""exchangePoints (partners over OAuth) and coupon codes, into reserved points."""

import asyncio
import csv
import io
from datetime import timedelta

import pytest

from domain.clock import JST
from domain.sql import reader
from models.programs import ProgramKind
from tests.integration.faults import break_another_unique

EXCHANGE = (
    "mutation($i: ExchangePointsInput!) { exchangePoints(input: $i)"
    " { exchange { partnerPoints yen points status externalRef } userErrors { code field } } }"
)
RESERVED = "{ me { reserved { points lots { points autoMoveAt } } } }"
REDEEM = "mutation($c: String!) { redeemCoupon(code: $c) { points partner userErrors { code } } }"
ISSUE = (
    "mutation($n: Int!, $p: Int!) { issueCoupons(count: $n, points: $p) { codes userErrors { code field } } }"
)


def _order(resident, points=1000, ref="order-1", key="exchange-key-1"):
    """An order for the customer number the resident linked (``people.consent``)."""
    return {
        "partnerCustomerId": f"C-{resident.my_key_id}",
        "partnerPoints": points,
        "externalRef": ref,
        "idempotencyKey": key,
    }


async def test_an_exchange_converts_by_the_rate_and_waits_14_days(people):
    await people.municipality()
    resident = await people.register()
    partner = await people.partner(rate_points=3, rate_yen=2)  # 3 miles = 2 yen
    await people.consent(resident)
    answer = (await people.gql(EXCHANGE, partner, i=_order(resident, 1000)))["exchangePoints"]
    assert answer["exchange"] == {
        "partnerPoints": 1000,
        "yen": 666,
        "points": 666,
        "status": "COMPLETED",
        "externalRef": "order-1",
    }  # floor(1000 × 2 / 3)
    reserved = (await people.gql(RESERVED, resident.token))["me"]["reserved"]
    moves_at = reserved["lots"][0]["autoMoveAt"]
    assert reserved["points"] == 666
    # arrived on 2026-11-21 (JST): moves at 00:00 JST on 2026-12-05 (day D+14)
    assert moves_at == "2026-12-04T15:00:00+00:00"


async def test_an_exchange_is_idempotent_and_its_reference_unique(people):
    await people.municipality()
    resident = await people.register()
    partner = await people.partner()
    await people.consent(resident)
    first = (await people.gql(EXCHANGE, partner, i=_order(resident)))["exchangePoints"]
    again = (await people.gql(EXCHANGE, partner, i=_order(resident)))["exchangePoints"]
    assert first == again
    changed = (await people.gql(EXCHANGE, partner, i=_order(resident, 5)))["exchangePoints"]
    assert changed["userErrors"] == [{"code": "IDEMPOTENCY_CONFLICT", "field": "idempotencyKey"}]
    same_ref = (await people.gql(EXCHANGE, partner, i=_order(resident, key="another-key-1")))[
        "exchangePoints"
    ]
    assert same_ref["userErrors"] == [{"code": "IDEMPOTENCY_CONFLICT", "field": "externalRef"}]
    assert await reader().fetchval("SELECT COUNT(*) FROM exchanges") == 1


async def test_another_constraint_failing_in_an_exchange_is_a_fault_not_a_reused_reference(
    people, monkeypatch
):
    from domain.points import exchanges

    await people.municipality()
    resident = await people.register()
    partner = await people.partner()
    await people.consent(resident)

    monkeypatch.setattr(exchanges, "queue_notice", break_another_unique)  # a fault in its transaction
    response = await people.post_gql(EXCHANGE, partner, i=_order(resident))
    assert "IDEMPOTENCY_CONFLICT" not in response.text  # the reference was never used: no such answer
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert await reader().fetchval("SELECT COUNT(*) FROM exchanges") == 0  # rolled back, nothing moved


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"partnerPoints": 0}, "partnerPoints"),
        ({"partnerCustomerId": "NOBODY"}, "partnerCustomerId"),
        ({"myKeyId": "NOBODY00"}, "myKeyId"),
        ({"externalRef": ""}, "externalRef"),
        ({"idempotencyKey": "short"}, "idempotencyKey"),
    ],
)
async def test_bad_exchanges_change_nothing(people, changes, field):
    await people.municipality()
    resident = await people.register()
    partner = await people.partner()
    await people.consent(resident)
    answer = (await people.gql(EXCHANGE, partner, i=_order(resident) | changes))["exchangePoints"]
    assert answer["userErrors"][0]["field"] == field
    assert await reader().fetchval("SELECT COUNT(*) FROM journal_entries") == 0


async def test_reserved_points_need_a_basic_municipality(people):
    await people.municipality()
    resident = await people.register(municipality=None)
    partner = await people.partner()
    await people.consent(resident)
    answer = (await people.gql(EXCHANGE, partner, i=_order(resident)))["exchangePoints"]
    assert answer["userErrors"] == [{"code": "INVALID_INPUT", "field": "myKeyId"}]


@pytest.mark.postgres_only
async def test_concurrent_exchanges_with_one_key_credit_once(people):
    await people.municipality()
    resident = await people.register()
    partner = await people.partner()
    await people.consent(resident)
    gate = asyncio.Event()

    async def one():
        await gate.wait()
        return (await people.gql(EXCHANGE, partner, i=_order(resident)))["exchangePoints"]

    tasks = [asyncio.create_task(one()) for _ in range(30)]
    await asyncio.sleep(0.05)
    gate.set()
    answers = await asyncio.gather(*tasks)
    succeeded = [a for a in answers if a["exchange"]]
    assert succeeded and all(a["exchange"] == succeeded[0]["exchange"] for a in succeeded)
    assert {e["code"] for a in answers for e in a["userErrors"]} <= {"INVALID_INPUT"}  # "still in progress"
    assert await reader().fetchval("SELECT COUNT(*) FROM exchanges") == 1
    assert await reader().fetchval("SELECT COUNT(*) FROM journal_entries WHERE kind = 'EXCHANGE'") == 1
    assert (await people.gql(RESERVED, resident.token))["me"]["reserved"]["points"] == 1000


async def test_coupons_are_single_use_hashed_and_expire(people):
    await people.municipality()
    resident = await people.register()
    partner = await people.partner(name="クーポン会社")
    await people.consent(resident, "クーポン会社")
    codes = (await people.gql(ISSUE, partner, n=3, p=500))["issueCoupons"]["codes"]
    assert len(codes) == 3 and all(len(c) == 19 and c.count("-") == 3 for c in codes)
    stored = {r["code_hash"] for r in await reader().fetch("SELECT code_hash FROM coupons")}
    assert not stored & {c.replace("-", "") for c in codes} and len(stored) == 3
    assert (await people.gql(REDEEM, resident.token, c=codes[0].lower()))["redeemCoupon"] == {
        "points": 500,
        "partner": "クーポン会社",
        "userErrors": [],
    }
    assert (await people.gql(REDEEM, resident.token, c=codes[0]))["redeemCoupon"]["userErrors"] == [
        {"code": "ALREADY_REDEEMED"}
    ]
    people.later(days=181)
    late = (await people.gql(REDEEM, await people.login(resident), c=codes[1]))["redeemCoupon"]
    assert late["userErrors"] == [{"code": "EXPIRED"}]
    assert (await people.gql(RESERVED, resident.token))["me"]["reserved"][
        "points"
    ] == 0  # the 500 moved on by now


async def test_guessing_coupons_is_rate_limited(people):
    await people.municipality()
    resident = await people.register()
    partner = await people.partner()
    await people.consent(resident)
    code = (await people.gql(ISSUE, partner, n=1, p=100))["issueCoupons"]["codes"][0]
    for n in range(10):
        answer = (await people.gql(REDEEM, resident.token, c=f"AAAA-BBBB-CCCC-{n:04d}"))["redeemCoupon"]
        assert answer["userErrors"] == [{"code": "NOT_FOUND"}]
    assert (await people.gql(REDEEM, resident.token, c=code))["redeemCoupon"]["userErrors"] == [
        {"code": "RATE_LIMITED"}
    ]
    bad = (await people.gql(ISSUE, partner, n=1001, p=100))["issueCoupons"]
    assert bad["userErrors"] == [{"code": "INVALID_INPUT", "field": "count"}]


async def test_a_token_does_only_what_its_scopes_allow(people):
    await people.municipality()
    resident = await people.register()
    coupons_only = await people.partner(scope="coupons", name="クーポン会社")
    await people.consent(resident, "クーポン会社")
    refused = (await people.gql(EXCHANGE, coupons_only, i=_order(resident)))["exchangePoints"]
    assert refused["userErrors"] == [{"code": "FORBIDDEN", "field": None}]
    assert (await people.gql(ISSUE, coupons_only, n=1, p=100))["issueCoupons"]["userErrors"] == []
    exchange_only = await people.partner(scope="exchange", name="航空会社")
    await people.consent(resident, "航空会社")
    issued = (await people.gql(ISSUE, exchange_only, n=1, p=100))["issueCoupons"]
    assert issued["userErrors"] == [{"code": "FORBIDDEN", "field": None}]
    done = (await people.gql(EXCHANGE, exchange_only, i=_order(resident)))["exchangePoints"]
    assert done["userErrors"] == []
    assert await reader().fetchval("SELECT COUNT(*) FROM exchanges") == 1
    assert await reader().fetchval("SELECT COUNT(*) FROM coupons") == 1


async def test_unknown_customer_numbers_count_against_the_partner(people):
    await people.municipality()
    resident = await people.register()
    partner = await people.partner()
    await people.consent(resident)
    for n in range(100):
        order = {
            "partnerCustomerId": f"ZZ{n:06d}",
            "partnerPoints": 10,
            "externalRef": f"p-{n}",
            "idempotencyKey": f"k-{n}-probe",
        }
        answer = (await people.gql(EXCHANGE, partner, i=order))["exchangePoints"]
        assert answer["userErrors"] == [{"code": "NOT_FOUND", "field": "partnerCustomerId"}]
    limited = (await people.gql(EXCHANGE, partner, i=_order(resident)))["exchangePoints"]
    assert limited["userErrors"] == [{"code": "RATE_LIMITED", "field": None}]
    other = await people.partner(name="別のパートナー")  # the limit is the prober's alone
    await people.consent(resident, "別のパートナー")
    assert (await people.gql(EXCHANGE, other, i=_order(resident)))["exchangePoints"]["userErrors"] == []


async def test_only_a_consenting_resident_is_credited_and_revoking_the_link_stops_it(people):
    await people.municipality()
    resident = await people.register()
    other = await people.register()
    partner = await people.partner()
    bare = {
        "myKeyId": resident.my_key_id,
        "partnerPoints": 100,
        "externalRef": "bare",
        "idempotencyKey": "bare-order-1",
    }
    refused = (await people.gql(EXCHANGE, partner, i=bare))["exchangePoints"]
    assert refused["userErrors"] == [{"code": "FORBIDDEN", "field": "partnerCustomerId"}]
    number = await people.consent(resident, customer_id="ANA-12345678")
    linked = {
        "partnerCustomerId": number,
        "partnerPoints": 100,
        "externalRef": "l-1",
        "idempotencyKey": "linked-order-1",
    }
    assert (await people.gql(EXCHANGE, partner, i=linked))["exchangePoints"]["userErrors"] == []
    mismatch = linked | {"myKeyId": other.my_key_id, "externalRef": "l-2", "idempotencyKey": "linked-order-2"}
    assert (await people.gql(EXCHANGE, partner, i=mismatch))["exchangePoints"]["userErrors"] == [
        {"code": "INVALID_INPUT", "field": "myKeyId"}
    ]
    code = await reader().fetchval("SELECT s.code FROM services s JOIN partners p ON p.service_id = s.id")
    unlinked = await people.gql(
        "mutation($s: String!) { unlinkService(serviceCode: $s) { userErrors { code } } }",
        resident.token,
        s=code,
    )
    assert unlinked["unlinkService"]["userErrors"] == []
    after = linked | {"externalRef": "l-3", "idempotencyKey": "linked-order-3"}
    assert (await people.gql(EXCHANGE, partner, i=after))["exchangePoints"]["userErrors"] == [
        {"code": "NOT_FOUND", "field": "partnerCustomerId"}
    ]
    assert await reader().fetchval("SELECT COUNT(*) FROM exchanges") == 1


async def test_an_exchange_straight_into_a_support_event(people):
    await people.municipality()
    resident = await people.register(municipality=None)  # no basic municipality needed for a gift
    partner = await people.partner()
    await people.consent(resident)
    today = people.clock.now().astimezone(JST).date()
    event = await people.program(
        kind=ProgramKind.SUPPORT_EVENT,
        name="〇〇大学支援",
        starts_on=today,
        ends_on=today + timedelta(days=5),
        organiser="〇〇大学",
    )
    regular = await people.program(name="川崎市ポイント")
    into_regular = _order(resident, 400, "e-0", "event-key-0") | {"programId": str(regular.id)}
    refused = (await people.gql(EXCHANGE, partner, i=into_regular))["exchangePoints"]
    assert refused["userErrors"] == [{"code": "INVALID_INPUT", "field": "programId"}]
    order = _order(resident, 400, "e-1", "event-key-1") | {"programId": str(event.id)}
    done = (await people.gql(EXCHANGE, partner, i=order))["exchangePoints"]
    assert done["userErrors"] == [] and done["exchange"]["points"] == 400
    assert (await people.gql(RESERVED, resident.token))["me"]["reserved"]["points"] == 0
    gift = await reader().fetchrow(
        "SELECT l.funder_kind, a.kind FROM lots l JOIN accounts a ON a.id = l.account_id"
        " WHERE a.kind = 'EVENT_GIFTS'"
    )
    assert dict(gift) == {"funder_kind": "PARTNER", "kind": "EVENT_GIFTS"}  # the partner stays the funder


async def test_a_partner_reconciles_its_own_exchanges_of_a_day(people, api):
    await people.municipality()
    resident = await people.register()
    partner = await people.partner()
    other = await people.partner(name="別のパートナー")
    await people.consent(resident)
    await people.consent(resident, "別のパートナー")
    for n, ref in enumerate(["ORD-1", "=HYPERLINK(1)"]):
        order = _order(resident, 100 + n, ref, f"recon-key-{n}")
        assert (await people.gql(EXCHANGE, partner, i=order))["exchangePoints"]["userErrors"] == []
    theirs = _order(resident, 7, "THEIRS", "recon-other-1")
    assert (await people.gql(EXCHANGE, other, i=theirs))["exchangePoints"]["userErrors"] == []
    day = people.clock.now().astimezone(JST).date().isoformat()
    listed = await people.gql(
        "query($d: Date!) { partnerExchanges(day: $d) { externalRef partnerPoints yen status } }",
        partner,
        d=day,
    )
    assert [e["externalRef"] for e in listed["partnerExchanges"]] == ["ORD-1", "=HYPERLINK(1)"]
    one = await people.gql(
        'query($d: Date!) { partnerExchanges(day: $d, externalRef: "ORD-1") { yen } }', partner, d=day
    )
    assert one["partnerExchanges"] == [{"yen": 100}]
    answer = await api.get(
        f"/partner/reconciliation/{day}.csv", headers={"Authorization": f"Bearer {partner}"}
    )
    assert answer.status_code == 200 and answer.headers["content-disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
    assert rows[0][:4] == ["date", "exchange_id", "external_ref", "partner_points"]
    assert [r[2] for r in rows[1:]] == ["ORD-1", "'=HYPERLINK(1)"]  # a formula is neutralised
    assert answer.content.count(b"\r\n") == 3 and "THEIRS" not in answer.text
    bad = await api.get(
        "/partner/reconciliation/2026-13-01.csv", headers={"Authorization": f"Bearer {partner}"}
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "day"
    nobody = await api.get(f"/partner/reconciliation/{day}.csv")
    assert nobody.status_code == 401
