"""Support events held or donated to, donations with a donor's consent, and online orders — over
GraphQL and the public pages: the field trial replayed end to end, the last seat sold once, and what
each refuses (a refusal changes nothing)."""

import asyncio
from datetime import date, timedelta

import pytest

from domain.clock import japan_date
from domain.ledger.actions import expire_lots
from domain.ledger.verify import verify_ledger
from domain.sql import reader
from models.programs import ProgramKind, SupportEventMode
from models.staff import StaffRole
from tests.integration.graphql.points.test_exchanges_and_coupons import EXCHANGE, _order
from tests.integration.graphql.spending.test_spend_points import CONVERT, SPEND
from tests.integration.identity.people import PASSWORD

ADD_PROGRAM = (
    "mutation($i: AddProgramInput!) { addProgram(input: $i) { program { id kind mode }"
    " userErrors { code field } } }"
)
MOVE = (
    "mutation($p: ID!, $n: Int!) { moveReservedPoints(programId: $p, points: $n)"
    " { points userErrors { code field } } }"
)
BALANCES = "{ me { balances { program { id name mode } points } reserved { points } } }"
DONATE = (
    "mutation($e: ID!, $n: Int!, $f: ID!, $s: Boolean!, $k: String!, $name: String) {"
    " donatePoints(programId: $e, points: $n, fromProgramId: $f, showName: $s, idempotencyKey: $k,"
    " donorName: $name) { donation { id points showName } userErrors { code field message } } }"
)
PROGRESS = (
    "query($p: ID!) { supportEventProgress(programId: $p) { receivedPoints gifts"
    " namedDonors { name points } } }"
)
ADD_ITEM = (
    "mutation($i: AddItemInput!) { addItem(input: $i) { item { id stock pricePoints programIds }"
    " userErrors { code field message } } }"
)
ORDER = (
    "mutation($i: ID!, $q: Int!, $p: ID!, $k: String!) { orderItem(itemId: $i, quantity: $q, programId: $p,"
    " idempotencyKey: $k) { order { id status points quantity } userErrors { code field message } } }"
)
ITEMS = "query($c: String!) { items(municipalityCode: $c) { id name stock pricePoints } }"
ORDERS = "query($c: String!) { orders(municipalityCode: $c) { id status points myKeyId itemName } }"
CANCEL = "mutation($o: ID!) { cancelOrder(orderId: $o) { order { id status } userErrors { code field } } }"
FULFIL = "mutation($o: ID!) { fulfilOrder(orderId: $o) { order { id status } userErrors { code field } } }"
REPORT = (
    "query($c: String!, $m: String!) { monthlyReport(municipalityCode: $c, month: $m) {"
    " openingPoints closingPoints issued { entries residents points } used { entries residents points }"
    " byPartner { partner { name } points } byShop { shop { name } points }"
    " byUse { use name entries residents points } } }"
)
CLOSE = (
    "mutation($c: String!, $d: Date!) { closeSettlement(municipalityCode: $c, periodEnd: $d) { settlement {"
    " payableYen receivableYen shopStatements { shop { name } pointsUsed feeYen yen }"
    " partnerStatements { partner { name } points receivableYen }"
    " eventStatements { name points yen payableYen carriedOutYen } } userErrors { code field } } }"
)
TRIAL = "【期間限定】川崎市実証実験ポイント"


async def _event(people, mode, name, days=4, validity=100, yen_per_point=1):
    today = japan_date(people.clock.now())
    return await people.program(
        kind=ProgramKind.SUPPORT_EVENT,
        name=name,
        validity_days=validity,
        starts_on=today,
        ends_on=today + timedelta(days=days),
        organiser="川崎市経済労働局",
        mode=mode,
        yen_per_point=yen_per_point,
    )


async def _rid(resident):
    return await reader().fetchval("SELECT id FROM residents WHERE my_key_id = $1", resident.my_key_id)


async def test_the_field_trial_replays_from_a_partner_exchange_to_the_streets_points(people, town, clock):
    """Seed 003: miles exchanged → reserved points → moved into the held trial event → spent at a shop
    of the street and converted into its points with the 1/11 fee, after the event stopped taking
    points; the monthly report and the settlement show it as the trial's tables do."""
    trial = await _event(people, SupportEventMode.HELD, TRIAL)
    street = await people.shop_accepting([trial.id], name="ブレーメン通り商店街", category="SHOPPING_STREET")
    bakery = await people.shop_accepting([trial.id], name="ブレーメン通り パン店")
    street_pay = await people.terminal("PAY", town.admin, shopId=str(street))
    bakery_pay = await people.terminal("PAY", town.admin, shopId=str(bakery))
    partner = await people.partner(name="航空会社")
    await people.consent(town.resident, "航空会社")
    exchanged = (await people.gql(EXCHANGE, partner, i=_order(town.resident, 1000)))["exchangePoints"]
    assert exchanged["exchange"]["points"] == 1000

    moved = (await people.gql(MOVE, town.resident.token, p=str(trial.id), n=1000))["moveReservedPoints"]
    assert moved["userErrors"] == []
    me = (await people.gql(BALANCES, town.resident.token))["me"]
    held = {b["program"]["name"]: (b["points"], b["program"]["mode"]) for b in me["balances"]}
    assert held[TRIAL] == (1000, "HELD")  # the resident's own, "like a second municipality code"
    assert me["reserved"]["points"] == 0
    assert await reader().fetchval("SELECT COUNT(*) FROM accounts WHERE kind = 'EVENT_GIFTS'") == 0

    clock.advance(timedelta(days=6))  # the event stopped taking points; its points are still good
    await people.fresh_crl()
    await people.login(town.resident)
    refused = (await people.gql(MOVE, town.resident.token, p=str(trial.id), n=10))["moveReservedPoints"]
    assert refused["userErrors"] == [{"code": "EXPIRED", "field": "programId"}]

    proof = await people.proof(town.resident.card, terminal=bakery_pay)
    paid = (await people.gql(SPEND, bakery_pay, p=proof, n=300, k="trial-bakery-1"))["spendPoints"]
    assert paid["spend"]["amount"] == 300
    proof = await people.proof(town.resident.card, terminal=street_pay)
    converted = (await people.gql(CONVERT, street_pay, p=proof, n=550, k="trial-street-1"))["convertPoints"]
    assert converted["conversion"] == {
        "amount": 550,
        "fee": 50,  # floor(550 / 11): the street's scheme's running cost
        "credited": 500,
        "shop": "ブレーメン通り商店街",
        "balanceAfter": 150,
    }

    report = (await people.gql(REPORT, town.admin, c="141305", m="2026-11"))["monthlyReport"]
    assert {p["partner"]["name"]: p["points"] for p in report["byPartner"]} == {"航空会社": 1000}
    assert {s["shop"]["name"]: s["points"] for s in report["byShop"]} == {
        "ブレーメン通り パン店": 300,
        "ブレーメン通り商店街": 550,
    }
    assert {u["use"]: (u["name"], u["entries"], u["residents"], u["points"]) for u in report["byUse"]} == {
        "EVENT_SHOPS": (TRIAL, 2, 1, 850)
    }
    assert report["used"]["points"] == 850
    assert report["closingPoints"] == report["openingPoints"] + report["issued"]["points"] - 850

    clock.advance(timedelta(days=5))  # past the cut of 2026-11-30
    run = (await people.gql(CLOSE, town.admin, c="141305", d="2026-11-30"))["closeSettlement"]["settlement"]
    shops = {
        s["shop"]["name"]: (s["pointsUsed"], s["feeYen"], s["yen"]) for s in run["shopStatements"]
    }  # (payable under the minimum: carried to the next run)
    assert shops["ブレーメン通り商店街"] == (550, 50, 550)  # the street is paid the whole amount converted
    assert shops["ブレーメン通り パン店"] == (300, 0, 300)
    assert {p["partner"]["name"]: p["receivableYen"] for p in run["partnerStatements"]} == {"航空会社": 1000}
    assert run["eventStatements"] == []  # a held event's points are the residents', not the organiser's


async def test_a_held_event_pays_vouchers_and_a_donation_event_takes_moved_points_as_gifts(people, town):
    held = await _event(people, SupportEventMode.HELD, "商店街まつり")
    given = await _event(people, SupportEventMode.DONATION, "図書館の本を増やそう")
    await people.grant(town.staff, held.id, [(town.resident.my_key_id, 200)], key="held-grant-1")
    partner = await people.partner(name="カード会社")
    await people.consent(town.resident, "カード会社")
    straight = _order(town.resident, 300, "held-1", "held-key-1") | {"programId": str(held.id)}
    assert (await people.gql(EXCHANGE, partner, i=straight))["exchangePoints"]["userErrors"] == []
    me = (await people.gql(BALANCES, town.resident.token))["me"]
    assert {b["program"]["name"]: b["points"] for b in me["balances"]}["商店街まつり"] == 500  # 200 + 300
    voucher = await people.gql(
        "mutation($p: ID!) { issueVoucher(programId: $p, faceValue: 150) { voucher { faceValue }"
        " userErrors { code } } }",
        town.resident.token,
        p=str(held.id),
    )
    assert voucher["issueVoucher"] == {"voucher": {"faceValue": 150}, "userErrors": []}
    refused = await people.gql(
        "mutation($p: ID!) { issueVoucher(programId: $p, faceValue: 10) { userErrors { code } } }",
        town.resident.token,
        p=str(given.id),
    )
    assert refused["issueVoucher"]["userErrors"] == [{"code": "NOT_ACCEPTED_HERE"}]
    kinds = (await people.gql('{ municipality(code: "141305") { programs { name kind mode } } }'))[
        "municipality"
    ]["programs"]
    assert {(p["name"], p["mode"]) for p in kinds} >= {
        ("商店街まつり", "HELD"),
        ("図書館の本を増やそう", "DONATION"),
    }


async def test_a_regular_program_has_no_mode_and_an_event_defaults_to_donation(people, town):
    today = japan_date(people.clock.now()).isoformat()
    base = {
        "municipalityCode": "141305",
        "validityDays": 30,
        "uses": ["SHOPS"],
        "startsOn": today,
        "endsOn": today,
        "organiser": "実行委員会",
    }
    event = await people.gql(ADD_PROGRAM, town.admin, i=base | {"kind": "SUPPORT_EVENT", "name": "既定"})
    assert event["addProgram"]["program"]["mode"] == "DONATION"
    regular = await people.gql(
        ADD_PROGRAM, town.admin, i=base | {"kind": "REGULAR", "name": "別", "mode": "HELD"}
    )
    assert regular["addProgram"]["userErrors"] == [{"code": "INVALID_INPUT", "field": "mode"}]
    assert await reader().fetchval("SELECT COUNT(*) FROM programs WHERE name = '別'") == 0


async def test_a_donation_is_named_on_the_public_page_only_when_the_donor_agreed(people, town, api):
    drive = await _event(people, SupportEventMode.DONATION, "同窓会 奨学金")
    other = await people.register()
    await people.grant(town.staff, town.program, [(other.my_key_id, 500)], key="other-grant")
    await people.login(other)

    async def give(resident, points, show, key, name=None):
        answer = await people.gql(
            DONATE, resident.token, e=str(drive.id), n=points, f=str(town.program), s=show, k=key, name=name
        )
        return answer["donatePoints"]

    quiet = await give(town.resident, 100, False, "donate-quiet-1", name="名前は出さない")
    assert quiet["donation"] == {"id": quiet["donation"]["id"], "points": 100, "showName": False}
    again = await give(town.resident, 100, False, "donate-quiet-1", name="名前は出さない")
    assert again == quiet  # a retried donation gives once
    named = await give(town.resident, 200, True, "donate-named-1", name="川崎 太郎")
    plain = await give(other, 50, True, "donate-named-2")
    assert named["userErrors"] == plain["userErrors"] == []

    progress = (await people.gql(PROGRESS, p=str(drive.id)))["supportEventProgress"]
    assert progress == {
        "receivedPoints": 350,
        "gifts": 3,
        "namedDonors": [{"name": other.my_key_id, "points": 50}, {"name": "川崎 太郎", "points": 200}],
    }
    page = (await api.get(f"/events/{drive.id}")).text
    assert "川崎 太郎" in page and other.my_key_id in page and "350" in page
    assert "名前は出さない" not in page and town.resident.my_key_id not in page
    assert await reader().fetchval("SELECT donor_name FROM donations WHERE NOT show_name") is None

    gifts = await people.gql(
        "query($p: ID!) { supportEventGifts(programId: $p) { myKeyId points } }", town.staff, p=str(drive.id)
    )
    assert {g["myKeyId"]: g["points"] for g in gifts["supportEventGifts"]} == {
        town.resident.my_key_id: 300,
        other.my_key_id: 50,
    }  # the organiser sees every donor, named or not


async def test_a_donation_refuses_what_it_cannot_do_and_changes_nothing(people, town, clock):
    drive = await _event(people, SupportEventMode.DONATION, "災害復興", days=1)
    held = await _event(people, SupportEventMode.HELD, "商店街まつり")
    await people.municipality("011002")
    away = await people.program("011002", name="札幌市ポイント")

    async def give(**over):
        args = {"e": str(drive.id), "n": 10, "f": str(town.program), "s": False, "k": "donate-bad-1"} | over
        return (await people.gql(DONATE, town.resident.token, **args))["donatePoints"]["userErrors"]

    assert (await give(n=0))[0]["code"] == "INVALID_INPUT"
    assert (await give(n=5000))[0]["code"] == "INSUFFICIENT_POINTS"
    assert (await give(e=str(held.id)))[0]["code"] == "NOT_ACCEPTED_HERE"
    assert (await give(f=str(away.id)))[0]["field"] == "fromProgramId"
    dearer = await _event(people, SupportEventMode.HELD, "二倍ポイント", yen_per_point=2)
    await people.grant(town.staff, dearer.id, [(town.resident.my_key_id, 100)], key="dearer-grant")
    assert (await give(f=str(dearer.id)))[0] == {
        "code": "NOT_ACCEPTED_HERE",
        "field": "fromProgramId",
        "message": "Give this event points of its own municipality's program or held events, at the same"
        " yen per point.",
    }  # the organiser is paid at the event's rate: a 2-yen point would be given as 1
    assert (await give(s=True, name="あ" * 31))[0]["field"] == "donorName"
    password = await people.gql(
        "mutation($id: String!, $pw: String!) { loginWithPassword(myKeyId: $id, password: $pw) { token } }",
        id=town.resident.my_key_id,
        pw=PASSWORD,
    )
    token = password["loginWithPassword"]["token"]
    no_card = await people.gql(
        DONATE, token, e=str(drive.id), n=10, f=str(town.program), s=False, k="donate-bad-2", name=None
    )
    assert no_card["donatePoints"]["userErrors"][0]["code"] == "FORBIDDEN"
    clock.advance(timedelta(days=3))
    await people.fresh_crl()
    await people.login(town.resident)
    assert (await give(k="donate-late-1"))[0]["code"] == "EXPIRED"
    assert await reader().fetchval("SELECT COUNT(*) FROM donations") == 0
    assert await reader().fetchval("SELECT COUNT(*) FROM journal_entries WHERE kind = 'DONATE'") == 0


async def test_the_organiser_is_paid_at_the_events_close_through_settlement(people, town, clock):
    drive = await _event(people, SupportEventMode.DONATION, "花火大会 協賛", days=15)  # to 2026-12-06
    await people.grant(town.staff, town.program, [(town.resident.my_key_id, 1000)], key="pay-grant-1")
    donated = await people.gql(
        DONATE, town.resident.token, e=str(drive.id), n=1500, f=str(town.program), s=False, k="donate-pay-1"
    )
    assert donated["donatePoints"]["userErrors"] == []
    clock.advance(timedelta(days=10))  # 2026-12-01: November is over, the event still runs
    november = (await people.gql(CLOSE, town.admin, c="141305", d="2026-11-30"))["closeSettlement"]
    assert november["settlement"]["eventStatements"] == [
        {
            "name": "川崎市経済労働局 (花火大会 協賛)",
            "points": 1500,
            "yen": 1500,
            "payableYen": 0,
            "carriedOutYen": 1500,
        }
    ]
    clock.advance(timedelta(days=31))  # December is over, and so is the event
    december = (await people.gql(CLOSE, town.admin, c="141305", d="2026-12-31"))["closeSettlement"]
    assert december["settlement"]["eventStatements"] == [
        {
            "name": "川崎市経済労働局 (花火大会 協賛)",
            "points": 0,
            "yen": 0,
            "payableYen": 1500,
            "carriedOutYen": 0,
        }
    ]
    assert december["settlement"]["payableYen"] == 1500  # the organiser's, paid once the event closed
    # a run is checked by the rules it was closed with: November's, read as the old rules (no EVENT
    # lines), no longer matches its digest, so verify must use each run's own
    sql = reader()
    await sql.execute("UPDATE settlements SET rules = 1 WHERE period_end = $1", date(2026, 11, 30))
    assert [b.invariant for b in await verify_ledger(sql, None)] == ["I13"]
    await sql.execute("UPDATE settlements SET rules = 2 WHERE period_end = $1", date(2026, 11, 30))
    assert await verify_ledger(sql, None) == []
    clock.advance(timedelta(days=120))  # long past the donated points' own expiry
    await expire_lots(clock)
    gifts = "SELECT balance FROM accounts WHERE kind = 'EVENT_GIFTS' AND program_id = $1"
    assert await reader().fetchval(gifts, drive.id) == 1500  # the organiser's: they never lapse


async def _seats(people, town, stock=1, price=300):
    item = await people.gql(
        ADD_ITEM,
        town.admin,
        i={
            "municipalityCode": "141305",
            "name": "多摩川花火大会 観覧席",
            "description": "当日、市役所で引き換え",
            "pricePoints": price,
            "stock": stock,
            "programIds": [str(town.program)],
        },
    )
    assert item["addItem"]["userErrors"] == [], item
    return item["addItem"]["item"]["id"]


async def test_concurrent_orders_for_the_last_seat_sell_it_once(people, town):
    seat = await _seats(people, town, stock=1, price=100)
    answers = await asyncio.gather(
        *(
            people.gql(ORDER, town.resident.token, i=seat, q=1, p=str(town.program), k=f"seat-race-{n:03d}")
            for n in range(20)
        )
    )
    placed = [a["orderItem"]["order"] for a in answers if a["orderItem"]["order"]]
    refused = [a["orderItem"]["userErrors"][0]["code"] for a in answers if not a["orderItem"]["order"]]
    assert len(placed) == 1 and refused == ["SOLD_OUT"] * 19
    sql = reader()
    assert await sql.fetchval("SELECT stock FROM items WHERE id = $1", int(seat)) == 0
    assert await sql.fetchval("SELECT COUNT(*) FROM orders") == 1
    assert await sql.fetchval("SELECT COUNT(*) FROM journal_entries WHERE kind = 'ORDER'") == 1
    me = (await people.gql(BALANCES, town.resident.token))["me"]["balances"]
    assert [b["points"] for b in me] == [900]


async def test_an_order_is_taken_once_and_a_cancelled_one_returns_stock_and_points(people, town, clock):
    seat = await _seats(people, town, stock=3, price=400)
    first = await people.gql(ORDER, town.resident.token, i=seat, q=2, p=str(town.program), k="order-one-1")
    again = await people.gql(ORDER, town.resident.token, i=seat, q=2, p=str(town.program), k="order-one-1")
    assert first == again and first["orderItem"]["order"]["points"] == 800
    short = await people.gql(ORDER, town.resident.token, i=seat, q=2, p=str(town.program), k="order-two-1")
    assert short["orderItem"]["userErrors"][0]["code"] == "SOLD_OUT"
    poor = await people.gql(ORDER, town.resident.token, i=seat, q=1, p=str(town.program), k="order-three")
    assert poor["orderItem"]["userErrors"][0]["code"] == "INSUFFICIENT_POINTS"
    listed = (await people.gql(ITEMS, c="141305"))["items"]
    assert listed[0]["stock"] == 1  # the refused order gave its seat back with everything else
    orders = (await people.gql(ORDERS, town.admin, c="141305"))["orders"]
    assert orders == [
        {
            "id": first["orderItem"]["order"]["id"],
            "status": "PLACED",
            "points": 800,
            "myKeyId": town.resident.my_key_id,
            "itemName": "多摩川花火大会 観覧席",
        }
    ]
    clock.advance(timedelta(days=200))  # the points it took have expired meanwhile: they come back new
    order_id = first["orderItem"]["order"]["id"]
    cancelled = (await people.gql(CANCEL, town.admin, o=order_id))["cancelOrder"]
    assert cancelled == {"order": {"id": order_id, "status": "CANCELLED"}, "userErrors": []}
    twice = (await people.gql(FULFIL, town.admin, o=order_id))["fulfilOrder"]
    assert twice["userErrors"] == [{"code": "INVALID_INPUT", "field": "orderId"}]
    assert (await people.gql(ITEMS, c="141305"))["items"][0]["stock"] == 3
    bought = "SELECT COUNT(*) FROM journal_entries WHERE memo LIKE '%観覧席%'"
    assert await reader().fetchval(bought) == 0  # the ledger never says what was bought
    rid = await _rid(town.resident)
    lots = await reader().fetch(
        "SELECT l.original, l.funder_kind, l.expires_at FROM lots l JOIN accounts a ON a.id = l.account_id"
        " WHERE a.resident_id = $1 AND a.program_id = $2 AND l.remaining > 0 AND l.expires_at > $3",
        rid,
        town.program,
        clock.now(),
    )
    assert [(int(r["original"]), r["funder_kind"]) for r in lots] == [(800, "MUNICIPALITY")]
    report = (await people.gql(REPORT, town.admin, c="141305", m="2026-11"))["monthlyReport"]
    assert [u for u in report["byUse"] if u["use"] == "ONLINE"] == [
        {"use": "ONLINE", "name": "川崎市ポイント", "entries": 1, "residents": 1, "points": 800}
    ]


async def test_an_item_refuses_bad_input_and_another_towns_admin(people, town):
    async def add(**over):
        i = {
            "municipalityCode": "141305",
            "name": "特産品",
            "pricePoints": 100,
            "stock": 1,
            "programIds": [str(town.program)],
        } | over
        return (await people.gql(ADD_ITEM, town.admin, i=i))["addItem"]["userErrors"]

    assert (await add(name=" "))[0]["field"] == "name"
    assert (await add(pricePoints=0))[0]["field"] == "pricePoints"
    assert (await add(stock=-1))[0]["field"] == "stock"
    assert (await add(programIds=[]))[0]["field"] == "programIds"
    await people.municipality("011002")
    away = await people.program("011002", name="札幌市ポイント")
    assert (await add(programIds=[str(away.id)]))[0]["code"] == "NOT_FOUND"
    sapporo_admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN, "011002")
    foreign = await people.gql(
        ADD_ITEM,
        sapporo_admin,
        i={
            "municipalityCode": "141305",
            "name": "x",
            "pricePoints": 1,
            "stock": 1,
            "programIds": [str(town.program)],
        },
    )
    assert foreign["addItem"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert await reader().fetchval("SELECT COUNT(*) FROM items") == 0


@pytest.mark.postgres_only
async def test_orders_from_many_residents_never_oversell(people, town):
    seat = await _seats(people, town, stock=3, price=10)
    buyers = [town.resident]
    for n in range(4):
        buyer = await people.register()
        await people.grant(town.staff, town.program, [(buyer.my_key_id, 100)], key=f"buyer-grant-{n}")
        await people.login(buyer)
        buyers.append(buyer)
    answers = await asyncio.gather(
        *(
            people.gql(ORDER, b.token, i=seat, q=1, p=str(town.program), k=f"many-{n}-{m}")
            for n, b in enumerate(buyers)
            for m in range(3)
        )
    )
    placed = [a for a in answers if a["orderItem"]["order"]]
    assert len(placed) == 3
    assert await reader().fetchval("SELECT stock FROM items WHERE id = $1", int(seat)) == 0
