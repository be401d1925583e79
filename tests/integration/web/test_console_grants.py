"""The console's grants page: one resident, a department's list (CSV in UTF-8 or Shift_JIS, or Excel)
dry-run before anything is applied, its grant with progress, and each department's own history."""

import asyncio
import io

import openpyxl

from domain.programs.actions import add_department
from domain.sql import reader
from models.staff import StaffRole
from tests.integration.identity.people import STAFF_PASSWORD


async def _sign_in(api, login):
    api.cookies.clear()
    done = await api.post("/console/signin?lang=ja", data={"login": login, "password": STAFF_PASSWORD})
    assert done.status_code == 303, done.text[:300]
    return api.cookies.get("mykey_csrf")


async def _entries() -> int:
    return await reader().fetchint("SELECT count(*) FROM journal_entries WHERE kind = 'GRANT'")


async def _upload(api, csrf, program, content, name="list.csv", reason="子育て応援ポイント"):
    return await api.post(
        "/console/grants/file?lang=ja",
        data={"csrf": csrf, "m": "141305", "programId": str(program), "reason": reason},
        files={"file": (name, content)},
    )


async def test_one_resident_is_granted_only_after_the_confirmation(api, people, town):
    csrf = await _sign_in(api, "municipality_admin-141305-0")
    page = (await api.get("/console/grants?lang=ja")).text
    assert "1人に付与する" in page and "名簿で付与する" in page
    before = await _entries()
    form = {"csrf": csrf, "m": "141305", "programId": str(town.program), "key": "k1", "reason": "敬老の日"}
    form |= {"myKeyId": town.resident.my_key_id.lower(), "points": "500"}
    unconfirmed = await api.post("/console/grants/one", data=form)
    assert "said=confirm" in unconfirmed.headers["location"] and await _entries() == before
    done = await api.post("/console/grants/one", data=form | {"confirm": "yes"})
    assert "said=granted" in done.headers["location"]
    again = await api.post("/console/grants/one", data=form | {"confirm": "yes"})  # a double submit
    assert "said=granted" in again.headers["location"] and await _entries() == before + 1
    history = (await api.get("/console/grants?lang=ja")).text
    assert "敬老の日" in history and "municipality_admin-141305-0" in history
    unknown = await api.post(
        "/console/grants/one", data=form | {"confirm": "yes", "key": "k2", "myKeyId": "ZZZZ9999"}
    )
    shown = (await api.get(unknown.headers["location"])).text
    assert "利用停止中" in shown and await _entries() == before + 1


async def test_a_list_with_bad_rows_shows_every_one_and_grants_nothing(api, people, town):
    csrf = await _sign_in(api, "municipality_staff-141305-0")
    before = await _entries()
    rows = [
        "マイキーID,ポイント",
        f"{town.resident.my_key_id},100",
        "NOBODY00,50",
        "",
        f"{town.resident.my_key_id},20",
    ]
    rows += ["ABCDEFGH", "QWERTYUI,0"]
    checked = await _upload(api, csrf, town.program, "\r\n".join(rows).encode("cp932"))
    assert checked.status_code == 422, checked.text[:500]
    page = checked.text
    assert "4 行に問題があります" in page and "何も付与していません" in page
    for line, problem in (("3", "NOBODY00"), ("5", "2回"), ("6", "1列目"), ("7", "1〜1,000,000")):
        assert f'<td class="">{line}</td>' in page and problem in page, (line, problem)
    assert "Shift_JIS" in page
    assert await _entries() == before
    assert await reader().fetchint("SELECT count(*) FROM grant_files") == 0  # nothing staged


async def test_an_excel_list_is_granted_once_and_erased_and_kept_in_the_department_history(api, people, town):
    second = await people.register()
    await add_department(people.operator_actor, "141305", "こども未来局", people.clock.now())
    await people.staff(StaffRole.MUNICIPALITY_STAFF, login="kodomo-staff", department="こども未来局")
    csrf = await _sign_in(api, "municipality_staff-141305-0")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["MyKey ID", "ポイント"])
    sheet.append([town.resident.my_key_id, 300])
    sheet.append([second.my_key_id.lower(), "２００"])
    data = io.BytesIO()
    book.save(data)
    checked = await _upload(api, csrf, town.program, data.getvalue(), name="子育て.xlsx")
    assert checked.status_code == 200, checked.text[:500]
    assert "2 行すべて正しく読めました" in checked.text and "xlsx" in checked.text and "500" in checked.text
    file_id = checked.text.split("/console/grants/files/")[1].split("/")[0]
    before = await _entries()
    started = await api.post(
        f"/console/grants/files/{file_id}/start", data={"csrf": csrf, "m": "141305", "confirm": "yes"}
    )
    assert "said=granted" in started.headers["location"] and await _entries() == before + 1
    replay = await api.post(
        f"/console/grants/files/{file_id}/start", data={"csrf": csrf, "m": "141305", "confirm": "yes"}
    )
    assert "grant_file.done" in replay.headers["location"] and await _entries() == before + 1
    assert await reader().fetchval("SELECT content FROM grant_files WHERE id = $1", int(file_id)) is None
    mine = (await api.get("/console/grants?lang=ja")).text
    assert "子育て.xlsx" in mine and "付与の履歴（健康福祉局）" in mine
    await _sign_in(api, "kodomo-staff")
    theirs = (await api.get("/console/grants?lang=ja")).text
    assert "子育て.xlsx" not in theirs and "付与の履歴（こども未来局）" in theirs
    progress = await api.get(f"/console/grants/files/{file_id}/progress")
    assert progress.status_code == 404 and "ほかの部署" in progress.json()["error"]
    await _sign_in(api, "municipality_admin-141305-0")
    assert "子育て.xlsx" in (await api.get("/console/grants?lang=ja")).text  # the admin sees every department


async def test_a_script_starts_the_grant_and_follows_its_progress(api, people, town):
    csrf = await _sign_in(api, "municipality_staff-141305-0")
    checked = await _upload(api, csrf, town.program, f"{town.resident.my_key_id},40\n".encode())
    file_id = checked.text.split("/console/grants/files/")[1].split("/")[0]
    url = f"/console/grants/files/{file_id}/progress"
    assert (await api.get(url)).json()["phase"] == "waiting"
    json_headers = {"Accept": "application/json"}
    form = {"csrf": csrf, "m": "141305", "confirm": "yes"}
    started = await api.post(f"/console/grants/files/{file_id}/start", data=form, headers=json_headers)
    assert started.status_code == 202
    for _ in range(100):
        now = (await api.get(url)).json()
        if now["phase"] == "done":
            break
        await asyncio.sleep(0.05)
    assert now == {"phase": "done", "done": 1, "total": 1, "points": 40, "failure": None}
    twice = await api.post(f"/console/grants/files/{file_id}/start", data=form, headers=json_headers)
    assert twice.status_code == 409 and "付与済み" in twice.json()["error"]


async def test_an_excel_list_with_a_bad_row_names_it_and_stages_nothing(api, people, town):
    csrf = await _sign_in(api, "municipality_staff-141305-0")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([town.resident.my_key_id, 10])
    sheet.append([town.resident.my_key_id.lower(), 2_000_000])  # too many points
    sheet.append([None, None])  # an empty row is skipped
    sheet.append(["UNKNOWN1", 5.0])  # Excel's numbers are floats
    data = io.BytesIO()
    book.save(data)
    before = await _entries()
    checked = await _upload(api, csrf, town.program, data.getvalue(), name="名簿.xlsx")
    assert checked.status_code == 422
    page = checked.text
    assert "2 行に問題があります" in page and "xlsx" in page
    assert '<td class="">2</td>' in page and "1〜1,000,000" in page
    assert '<td class="">4</td>' in page and "UNKNOWN1" in page
    assert await _entries() == before and await reader().fetchint("SELECT count(*) FROM grant_files") == 0
    broken = await _upload(api, csrf, town.program, b"PK\x03\x04 not really a workbook", name="x.xlsx")
    assert "この.xlsxファイルは読めません" in (await api.get(broken.headers["location"])).text
