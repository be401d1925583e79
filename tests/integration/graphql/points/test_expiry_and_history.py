"""Expiry at the end of validity (FIFO across lots), warnings before, notices after; the history."""

from datetime import datetime, timedelta

from domain.clock import JST
from domain.jobs.daily import run_daily
from domain.sql import reader
from models.staff import StaffRole

ME = "{ me { balances { points nextExpiry { points expiresAt } } } }"
HISTORY = (
    "query($a: String) { me { history(first: 2, after: $a) { edges { cursor node { kind points counterpart"
    " program { name } } } pageInfo { hasNextPage endCursor } } } }"
)


async def _resident_with_two_lots(people, clock):
    await people.municipality()
    program = await people.program(name="川崎市ポイント", validity_days=10)
    staff = await people.staff(StaffRole.MUNICIPALITY_STAFF)
    resident = await people.register()
    await people.gql(
        'mutation { updateSettings(input: {email: "a@example.jp", emailConfirmation: "a@example.jp",'
        ' notifications: {pointsExpired: true}, basicMunicipalityCode: "141305"}) { userErrors { code } } }',
        resident.token,
    )
    await people.grant(
        staff, program.id, [(resident.my_key_id, 100)], key="first-lot-1"
    )  # day D: expires D+10
    clock.advance(timedelta(days=3))
    await people.grant(staff, program.id, [(resident.my_key_id, 40)], key="second-lot")  # D+3: expires D+13
    return resident


async def test_lots_expire_one_by_one_at_their_own_end(people, clock):
    resident = await _resident_with_two_lots(people, clock)
    me = (await people.gql(ME, await people.login(resident)))["me"]
    assert me["balances"] == [
        {"points": 140, "nextExpiry": {"points": 100, "expiresAt": "2026-11-30T15:00:00+00:00"}}
    ]
    clock.set(datetime(2026, 11, 30, 23, 59, 59, tzinfo=JST))  # last second of day D+9
    assert (await run_daily(clock)).expiry.points == 0
    clock.set(datetime(2026, 12, 1, 0, 0, tzinfo=JST))
    report = await run_daily(clock)
    assert (report.expiry.points, report.expiry.lots) == (100, 1)
    me = (await people.gql(ME, await people.login(resident)))["me"]
    assert me["balances"] == [
        {"points": 40, "nextExpiry": {"points": 40, "expiresAt": "2026-12-03T15:00:00+00:00"}}
    ]
    assert (await run_daily(clock)).expiry.points == 0
    told = await reader().fetch("SELECT kind, subject FROM outbox WHERE kind = 'POINTS_EXPIRED'")
    assert len(told) == 1 and "100 pt" in told[0]["subject"]


async def test_warnings_come_before_expiry_once_per_day_of_expiry(people, clock):
    await _resident_with_two_lots(people, clock)
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=JST))  # 7 days before the first lot's end
    await run_daily(clock)
    await run_daily(clock)
    clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=JST))  # now both lots are within 7 days
    await run_daily(clock)
    warnings = await reader().fetch(
        "SELECT dedupe_key, body FROM outbox WHERE kind = 'EXPIRY_WARNING' ORDER BY id"
    )
    assert [w["dedupe_key"].rsplit(":", 1)[1] for w in warnings] == ["2026-11-30", "2026-12-03"]
    assert "2026年11月30日（月）" in warnings[0]["body"]


async def test_the_history_names_every_movement_and_pages(people, clock):
    resident = await _resident_with_two_lots(people, clock)
    token = await people.login(resident)
    first = (await people.gql(HISTORY, token))["me"]["history"]
    assert [(e["node"]["kind"], e["node"]["points"]) for e in first["edges"]] == [
        ("GRANT", 40),
        ("GRANT", 100),
    ]
    assert (
        first["edges"][0]["node"]["counterpart"] == "ボランティア参加"
    )  # the reason; the program is its own field
    assert first["edges"][0]["node"]["program"] == {"name": "川崎市ポイント"}
    assert first["pageInfo"]["hasNextPage"] is False
    clock.set(datetime(2026, 12, 1, 0, 0, tzinfo=JST))
    await run_daily(clock)
    token = await people.login(resident)
    page = (await people.gql(HISTORY, token))["me"]["history"]
    assert [(e["node"]["kind"], e["node"]["points"]) for e in page["edges"]] == [
        ("EXPIRE", -100),
        ("GRANT", 40),
    ]
    assert page["edges"][0]["node"]["counterpart"] == "有効期限切れ（失効）"
    rest = (await people.gql(HISTORY, token, a=page["pageInfo"]["endCursor"]))["me"]["history"]
    assert [e["node"]["kind"] for e in rest["edges"]] == ["GRANT"]
    response = await people.api.post(
        "/graphql",
        json={"query": HISTORY, "variables": {"a": "bm9wZQ=="}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_one_notice_names_every_program_that_lost_points_and_the_total(people, clock):
    resident = await _resident_with_two_lots(people, clock)
    await people.municipality("131164")  # a second city's program: 台東区
    museum = await people.program("131164", name="ミュージアムポイント", validity_days=7)
    staff = await people.staff(StaffRole.MUNICIPALITY_STAFF, "131164")
    await people.grant(staff, museum.id, [(resident.my_key_id, 25)], key="museum-lot")  # D+3: ends D+10
    clock.set(datetime(2026, 12, 1, 0, 0, tzinfo=JST))  # both the first lot and the museum's end
    assert (await run_daily(clock)).expiry.points == 125
    told = await reader().fetch("SELECT subject, body FROM outbox WHERE kind = 'POINTS_EXPIRED'")
    assert len(told) == 1
    assert "125 pt" in told[0]["subject"]
    body = told[0]["body"]
    assert (
        "川崎市ポイント: 100 pt" in body and "ミュージアムポイント: 25 pt" in body and "合計 125 pt" in body
    )
