"""Reserved points: moved by the resident (card session), premiums, gifts, and the 14-day auto-move."""

from datetime import datetime, timedelta

from domain.clock import JST
from domain.jobs.daily import run_daily
from domain.programs.actions import add_premium_campaign
from domain.sql import reader
from models.programs import ProgramKind
from models.staff import StaffRole

EXCHANGE = (
    "mutation($i: ExchangePointsInput!) { exchangePoints(input: $i) { exchange { points } userErrors {"
    " code } } }"
)
MOVE = (
    "mutation($p: ID!, $n: Int!) { moveReservedPoints(programId: $p, points: $n)"
    " { points premium program { name } userErrors { code field } } }"
)
ME = "{ me { reserved { points } balances { points program { name } nextExpiry { expiresAt } } } }"


async def _exchanged(people, points=1000, basic="141305"):
    await people.municipality()
    if basic != "141305":
        await people.municipality(basic)
    regular = await people.program(basic, name=f"{basic} ポイント")
    resident = await people.register(municipality=basic)
    partner = await people.partner()
    await people.consent(resident)
    order = {
        "partnerCustomerId": f"C-{resident.my_key_id}",
        "partnerPoints": points,
        "externalRef": "o-1",
        "idempotencyKey": "exchange-1",
    }
    await people.gql(EXCHANGE, partner, i=order)
    await people.fresh_crl()  # moving points with a card session needs a current revocation list
    return resident, regular


async def test_a_card_session_moves_reserved_points_into_a_program(people):
    resident, regular = await _exchanged(people)
    password = (
        await people.gql(
            'mutation($id: String!) { loginWithPassword(myKeyId: $id, password: "abc123XYZ") { token } }',
            id=resident.my_key_id,
        )
    )["loginWithPassword"]["token"]
    refused = (await people.gql(MOVE, password, p=str(regular.id), n=300))["moveReservedPoints"]
    assert refused["userErrors"] == [{"code": "FORBIDDEN", "field": None}]
    people.later(days=3)
    await people.fresh_crl()
    moved = (await people.gql(MOVE, await people.login(resident), p=str(regular.id), n=300))[
        "moveReservedPoints"
    ]
    assert moved == {"points": 300, "premium": 0, "program": {"name": "141305 ポイント"}, "userErrors": []}
    me = (await people.gql(ME, resident.token))["me"]
    assert me["reserved"]["points"] == 700
    # re-dated: moved on 2026-11-24 (JST) with 100 days' validity → expires 00:00 JST 2027-03-04
    assert me["balances"] == [
        {
            "points": 300,
            "program": {"name": "141305 ポイント"},
            "nextExpiry": {"expiresAt": "2027-03-03T15:00:00+00:00"},
        }
    ]
    too_many = (await people.gql(MOVE, resident.token, p=str(regular.id), n=701))["moveReservedPoints"]
    assert too_many["userErrors"] == [{"code": "INSUFFICIENT_POINTS", "field": None}]


async def test_a_premium_campaign_adds_its_own_floored_movement(people):
    resident, regular = await _exchanged(people)
    now = people.clock.now()
    await add_premium_campaign(people.operator_actor, regular.id, 20, now, now + timedelta(days=30), now)
    moved = (await people.gql(MOVE, resident.token, p=str(regular.id), n=333))["moveReservedPoints"]
    assert (moved["points"], moved["premium"]) == (333, 66)  # floor(333 × 20 %)
    history = await people.gql(
        "{ me { history(first: 10) { edges { node { kind points counterpart } } } } }", resident.token
    )
    kinds = [(e["node"]["kind"], e["node"]["points"]) for e in history["me"]["history"]["edges"]]
    assert kinds[:3] == [("PREMIUM", 66), ("MOVE_RESERVED", 333), ("MOVE_RESERVED", -333)]
    assert "プレミアム 20%" in history["me"]["history"]["edges"][0]["node"]["counterpart"]
    premium = await reader().fetchrow("SELECT funder_kind, funder_ref FROM lots WHERE original = 66")
    assert dict(premium) == {"funder_kind": "PREMIUM", "funder_ref": "141305"}


async def test_gifts_to_a_support_event_show_who_gave(people):
    resident, _ = await _exchanged(people)
    today = people.clock.now().astimezone(JST).date()
    event = await people.program(
        kind=ProgramKind.SUPPORT_EVENT,
        name="花火大会",
        starts_on=today,
        ends_on=today + timedelta(days=5),
        organiser="実行委員会",
    )
    gift = (await people.gql(MOVE, resident.token, p=str(event.id), n=250))["moveReservedPoints"]
    assert gift["points"] == 250
    staff = await people.staff(StaffRole.MUNICIPALITY_STAFF)
    gifts = await people.gql(
        "query($p: ID!) { supportEventGifts(programId: $p) { myKeyId points } }", staff, p=str(event.id)
    )
    assert gifts["supportEventGifts"] == [{"myKeyId": resident.my_key_id, "points": 250}]
    people.later(days=6)
    await people.fresh_crl()
    closed = (await people.gql(MOVE, await people.login(resident), p=str(event.id), n=1))[
        "moveReservedPoints"
    ]
    assert closed["userErrors"] == [{"code": "EXPIRED", "field": "programId"}]


async def test_a_program_not_worth_one_yen_a_point_takes_no_reserved_points(people):
    resident, _ = await _exchanged(people)
    pricey = await people.program(
        name="高額",
        kind=ProgramKind.SUPPORT_EVENT,
        yen_per_point=1,
        starts_on=people.clock.now().date(),
        ends_on=people.clock.now().date(),
        organiser="x",
    )
    await people.municipality("131164")
    odd = await people.program("131164", yen_per_point=2)
    answer = (await people.gql(MOVE, resident.token, p=str(odd.id), n=10))["moveReservedPoints"]
    assert answer["userErrors"] == [{"code": "NOT_ACCEPTED_HERE", "field": "programId"}]
    assert pricey.yen_per_point == 1


async def test_unmoved_points_move_to_the_basic_municipality_on_day_14(people, clock):
    resident, regular = await _exchanged(people)  # arrived 2026-11-21 12:00 JST (day D)
    last_moment = datetime(2026, 12, 4, 23, 59, 59, tzinfo=JST)  # end of day D+13
    clock.set(last_moment)
    assert (await run_daily(clock)).auto_move.points == 0
    assert (await people.gql(ME, await people.login(resident)))["me"]["reserved"]["points"] == 1000
    clock.set(datetime(2026, 12, 5, 0, 0, tzinfo=JST))  # 00:00 JST on day D+14
    await people.fresh_crl()
    moved = await people.gql(MOVE, await people.login(resident), p=str(regular.id), n=1)
    assert moved["moveReservedPoints"]["userErrors"] == [{"code": "INSUFFICIENT_POINTS", "field": None}]
    report = await run_daily(clock)
    assert (report.auto_move.residents, report.auto_move.points) == (1, 1000)
    me = (await people.gql(ME, resident.token))["me"]
    assert me["reserved"]["points"] == 0
    assert me["balances"][0]["points"] == 1000
    assert (await run_daily(clock)).auto_move.points == 0  # a re-run moves nothing twice
    funders = await reader().fetch("SELECT DISTINCT funder_kind FROM lots WHERE original = 1000")
    assert [r["funder_kind"] for r in funders] == ["PARTNER"]  # the partner still pays for them


async def test_reminders_on_day_7_and_day_13(people, clock):
    resident, _ = await _exchanged(people)
    await people.gql(
        'mutation { updateSettings(input: {email: "taro@example.jp", emailConfirmation: "taro@example.jp",'
        ' notifications: {pointsExpired: true}, basicMunicipalityCode: "141305"}) { userErrors { code } } }',
        resident.token,
    )
    for day in (6, 7, 7, 12, 13):
        clock.set(datetime(2026, 11, 21, 9, 0, tzinfo=JST) + timedelta(days=day))
        await run_daily(clock)
    reminders = await reader().fetch(
        "SELECT dedupe_key FROM outbox WHERE kind = 'RESERVED_REMINDER' ORDER BY id"
    )
    assert [r["dedupe_key"].rsplit(":", 1)[1] for r in reminders] == ["7", "13"]
