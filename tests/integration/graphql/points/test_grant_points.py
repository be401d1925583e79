"""grantPoints and POST /grants.csv: single and bulk grants, all or nothing, idempotent."""

from datetime import timedelta

import pytest

from domain.ledger.rules import expiry_instant
from domain.sql import Sql, reader
from models.programs import ProgramKind
from models.staff import StaffRole

BALANCES = "{ me { balances { points program { name } nextExpiry { points expiresAt } } } }"


async def _setup(people, residents=2):
    await people.municipality()
    program = await people.program(name="川崎市ポイント")
    staff = await people.staff(StaffRole.MUNICIPALITY_STAFF)
    return program, staff, [await people.register() for _ in range(residents)]


async def _entries() -> int:
    return int(await reader().fetchval("SELECT COUNT(*) FROM journal_entries"))


async def test_a_grant_lands_in_the_program_with_its_validity(people):
    program, staff, (resident, _) = await _setup(people)
    answer = await people.grant(staff, program.id, [(resident.my_key_id, 200)])
    assert answer == {"granted": 1, "points": 200, "rowErrors": [], "userErrors": []}
    me = (await people.gql(BALANCES, resident.token))["me"]
    expires = expiry_instant(people.clock.now(), 100).isoformat()
    assert me["balances"] == [
        {
            "points": 200,
            "program": {"name": "川崎市ポイント"},
            "nextExpiry": {"points": 200, "expiresAt": expires},
        }
    ]


async def test_a_batch_with_a_bad_row_grants_nothing_and_names_every_bad_row(people):
    program, staff, (first, second) = await _setup(people)
    rows = [(first.my_key_id, 100), ("NOBODY00", 100), (second.my_key_id, 0), (first.my_key_id, 5)]
    answer = await people.grant(staff, program.id, rows)
    assert answer["userErrors"][0]["code"] == "INVALID_INPUT"
    assert answer["rowErrors"] == [
        {"row": 2, "myKeyId": "NOBODY00", "code": "NOT_FOUND"},
        {"row": 3, "myKeyId": second.my_key_id, "code": "INVALID_INPUT"},
        {"row": 4, "myKeyId": first.my_key_id, "code": "INVALID_INPUT"},
    ]
    assert await _entries() == 0
    fixed = await people.grant(staff, program.id, [(first.my_key_id, 100), (second.my_key_id, 50)])
    assert fixed["granted"] == 2 and fixed["points"] == 150


async def test_a_batch_is_idempotent_as_a_whole(people):
    program, staff, (first, second) = await _setup(people)
    rows = [(first.my_key_id, 100), (second.my_key_id, 300)]
    once = await people.grant(staff, program.id, rows, key="dept-list-2026-11")
    again = await people.grant(staff, program.id, rows, key="dept-list-2026-11")
    assert once == again
    assert await _entries() == 1
    other = await people.grant(staff, program.id, [(first.my_key_id, 999)], key="dept-list-2026-11")
    assert other["userErrors"][0]["code"] == "IDEMPOTENCY_CONFLICT"
    assert await _entries() == 1


async def test_who_may_grant(people):
    program, _, (resident, _) = await _setup(people)
    await people.municipality("131164")
    elsewhere = await people.staff(StaffRole.MUNICIPALITY_STAFF, code="131164")
    assert (await people.grant(elsewhere, program.id, [(resident.my_key_id, 1)]))["userErrors"][0][
        "code"
    ] == "FORBIDDEN"
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    grant_terminal = await people.terminal("GRANT", admin, department="健康福祉局")
    print_terminal = await people.terminal("PRINT", admin)
    assert (await people.grant(grant_terminal, program.id, [(resident.my_key_id, 7)]))["granted"] == 1
    refused = await people.grant(print_terminal, program.id, [(resident.my_key_id, 7)], key="print-terminal")
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
    residents = await people.grant(resident.token, program.id, [(resident.my_key_id, 7)], key="self-grant")
    assert residents["userErrors"][0]["code"] == "FORBIDDEN"


async def test_a_closed_support_event_takes_no_grants(people):
    _, staff, (resident, _) = await _setup(people)
    today = people.clock.now().date()
    event = await people.program(
        kind=ProgramKind.SUPPORT_EVENT,
        starts_on=today + timedelta(days=3),
        ends_on=today + timedelta(days=10),
        organiser="実行委員会",
    )
    answer = await people.grant(staff, event.id, [(resident.my_key_id, 10)])
    assert answer["userErrors"][0]["code"] == "EXPIRED"


async def test_opted_in_residents_get_an_email(people):
    await people.municipality()
    program = await people.program()
    staff = await people.staff(StaffRole.MUNICIPALITY_STAFF)
    resident = await people.register()
    await people.gql(
        'mutation { updateSettings(input: {email: "hanako@example.jp", emailConfirmation:'
        ' "hanako@example.jp",'
        ' notifications: {pointsGranted: true}, basicMunicipalityCode: "141305"}) { userErrors { code } } }',
        resident.token,
    )
    silent = await people.register()
    await people.grant(staff, program.id, [(resident.my_key_id, 500), (silent.my_key_id, 500)])
    mail = await reader().fetch("SELECT kind, to_address, subject FROM outbox")
    assert len(mail) == 1
    assert mail[0]["kind"] == "POINTS_GRANTED" and mail[0]["to_address"] == "hanako@example.jp"
    assert "500 pt" in mail[0]["subject"]


async def test_csv_upload(people, api):
    program, staff, (first, second) = await _setup(people)
    body = f"myKeyId,points\n{first.my_key_id},120\n{second.my_key_id.lower()},80\n"
    headers = {
        "Authorization": f"Bearer {staff}",
        "Idempotency-Key": "csv-2026-11-21",
        "Content-Type": "text/csv",
    }
    url = f"/grants.csv?programId={program.id}&reason=健康ウォークラリー"
    response = await api.post(url, content=body.encode(), headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"granted": 2, "points": 200, "notes": []}
    bad = await api.post(url, content=b"NOBODY00,5\n", headers=headers | {"Idempotency-Key": "csv-bad-rows"})
    assert bad.status_code == 422, bad.text
    assert bad.json()["rowErrors"] == [
        {"row": 1, "myKeyId": "NOBODY00", "code": "NOT_FOUND", "message": "No active MyKey ID like this."}
    ]
    garbled = await api.post(url, content=b"a,b,c\n", headers=headers | {"Idempotency-Key": "csv-garbled"})
    assert garbled.status_code == 400 and garbled.json()["error"]["field"] == "csv"
    nobody = await api.post(url, content=body.encode(), headers={"Idempotency-Key": "csv-nobody"})
    assert nobody.status_code == 401
    assert await _entries() == 1


@pytest.mark.parametrize(
    "line",
    ["--5", "²", "٣", "5\x00", "1e3", "+5", "5.0", " ", "99999999999999999999"],
)
async def test_csv_points_are_digits_or_a_clear_line_error(people, api, line):
    program, staff, (first, _) = await _setup(people)
    headers = {"Authorization": f"Bearer {staff}", "Idempotency-Key": "csv-odd-digits"}
    body = f"{first.my_key_id},{line}\n".encode()
    response = await api.post(f"/grants.csv?programId={program.id}&reason=x", content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert (
        response.json()["error"]["field"] == "csv" and "Line 1" in response.json()["error"]["message"]
    ) or ("NUL" in response.json()["error"]["message"])
    assert await _entries() == 0


async def test_csv_reads_full_width_digits_and_says_so_and_refuses_a_lone_cr(people, api):
    program, staff, (first, second) = await _setup(people)
    headers = {"Authorization": f"Bearer {staff}", "Idempotency-Key": "csv-full-width"}
    body = f"{first.my_key_id},１２０\n{second.my_key_id},80\n".encode()
    url = f"/grants.csv?programId={program.id}&reason=x"
    response = await api.post(url, content=body, headers=headers)
    assert response.json() == {
        "granted": 2,
        "points": 200,
        "notes": ["Full-width characters were read as ASCII in 1 rows."],
    }
    lone_cr = f"{first.my_key_id},1\r2\n".encode()
    broken = await api.post(url, content=lone_cr, headers=headers | {"Idempotency-Key": "csv-lone-cr"})
    assert broken.status_code == 400 and broken.json()["error"]["field"] == "csv"


async def test_ids_take_ascii_digits_only(people):
    program, staff, (first, _) = await _setup(people)
    wide = str(program.id).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    answer = await people.gql(
        "mutation($i: GrantPointsInput!) { grantPoints(input: $i) { granted userErrors { code field } } }",
        staff,
        i={
            "programId": wide,
            "reason": "x",
            "idempotencyKey": "wide-id-1",
            "grants": [{"myKeyId": first.my_key_id, "points": 5}],
        },
    )
    assert answer["grantPoints"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert await _entries() == 0


async def test_a_balance_read_leaves_the_residents_row_unread_until_a_field_needs_it(people, monkeypatch):
    program, staff, (resident, _) = await _setup(people)
    await people.grant(staff, program.id, [(resident.my_key_id, 200)])
    texts: list[str] = []
    fetch = Sql.fetch

    async def recorded(self: Sql, query: str, *params: object) -> list[dict[str, object]]:
        texts.append(query)
        return await fetch(self, query, *params)

    monkeypatch.setattr(Sql, "fetch", recorded)
    me = (await people.gql("{ me { balances { points } } }", resident.token))["me"]
    assert me == {"balances": [{"points": 200}]}
    assert not [text for text in texts if "FROM residents r" in text]
    texts.clear()
    me = (
        await people.gql(
            "{ me { myKeyId status basicMunicipality { code } balances { points } } }", resident.token
        )
    )["me"]
    assert me["myKeyId"] == resident.my_key_id and me["status"] == "ACTIVE"
    assert me["basicMunicipality"] is not None and me["balances"] == [{"points": 200}]
    assert len([text for text in texts if "FROM residents r" in text]) == 1
