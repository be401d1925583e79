"""The console's set-up pages as an admin: programs and campaigns, staff and departments, a
suspension request, payouts marked as sent, warnings, and the audit log that records each change."""

from domain.sql import reader
from tests.integration.graphql.spending.test_spend_points import _spend
from tests.integration.identity.people import STAFF_PASSWORD
from tests.integration.web.test_console_grants import _sign_in


async def _post(api, path, csrf, **fields):
    done = await api.post(path + "?lang=ja", data={"csrf": csrf, "m": "141305"} | fields)
    assert done.status_code == 303, done.text[:300]
    return (await api.get(done.headers["location"])).text


async def test_programs_and_campaigns_from_the_page(api, people, town):
    csrf = await _sign_in(api, "municipality_admin-141305-0")
    page = (await api.get("/console/programs?lang=ja")).text
    assert "川崎市ポイント" in page and "ポイントを追加する" in page
    event = {"kind": "SUPPORT_EVENT", "name": "等々力応援", "validityDays": "90", "yenPerPoint": "1"}
    event |= {"use_SHOPS": "yes", "use_DONATION": "yes", "startsOn": "2026-11-21", "endsOn": "2027-01-31"}
    missing = await _post(api, "/console/programs", csrf, **(event | {"organiser": ""}))
    assert "主催を書いてください" in missing and "等々力応援" not in missing.split("<main")[1]
    added = await _post(api, "/console/programs", csrf, **(event | {"organiser": "川崎フロンターレ後援会"}))
    assert "ポイントを追加しました" in added and "等々力応援" in added
    program = town.program
    renamed = await _post(
        api,
        "/console/programs/update",
        csrf,
        programId=str(program),
        name="川崎市ポイント（新）",
        validityDays="365",
        yenPerPoint="2",
        use_SHOPS="yes",
    )
    assert "1ポイントは1〜100円です" in renamed  # its points exist: the rate stays
    saved = await _post(
        api,
        "/console/programs/update",
        csrf,
        programId=str(program),
        name="川崎市ポイント（新）",
        validityDays="365",
        yenPerPoint="1",
        use_SHOPS="yes",
    )
    assert "変更を保存しました" in saved and "川崎市ポイント（新）" in saved
    campaign = await _post(
        api,
        "/console/campaigns",
        csrf,
        programId=str(program),
        ratePercent="10",
        startsAt="2026-12-24T00:00",
        endsAt="2026-12-26T00:00",
    )
    assert "キャンペーンを追加しました" in campaign and "開始前" in campaign
    campaign_id = campaign.split('name="campaignId"')[1].split('value="')[1].split('"')[0]
    unconfirmed = await _post(api, "/console/campaigns/end", csrf, campaignId=campaign_id)
    assert "確認のチェック" in unconfirmed and "開始前" in unconfirmed
    deleted = await _post(api, "/console/campaigns/end", csrf, campaignId=campaign_id, confirm="yes")
    assert "削除しました" in deleted and "開始前" not in deleted
    log = (await api.get("/console/audit?lang=ja")).text
    for said in ("ポイントの追加", "ポイントの変更", "キャンペーンの追加", "キャンペーンの削除"):
        assert said in log, said
    assert "municipality_admin-141305-0" in log


async def test_staff_departments_and_stopping_an_account(api, people, town):
    csrf = await _sign_in(api, "municipality_admin-141305-0")
    dept = await _post(api, "/console/departments", csrf, name="こども未来局")
    assert "部署を追加しました" in dept
    added = await _post(
        api,
        "/console/staff",
        csrf,
        role="MUNICIPALITY_STAFF",
        login="kodomo.tanaka",
        password=STAFF_PASSWORD,
        department="こども未来局",
    )
    assert "職員を追加しました" in added and "kodomo.tanaka" in added
    short = await _post(
        api,
        "/console/staff",
        csrf,
        role="MUNICIPALITY_STAFF",
        login="x.y",
        password="short",
        department="こども未来局",
    )
    assert "職員を追加しました" not in short and "x.y" not in short.split("<main")[1]
    staff_id = (
        added.split('name="staffId"')[1].split("kodomo.tanaka")[0].rsplit('value="', 1)[1].split('"')[0]
    )
    api.cookies.clear()
    ok = await api.post(
        "/console/signin?lang=ja", data={"login": "kodomo.tanaka", "password": STAFF_PASSWORD}
    )
    assert ok.status_code == 303
    csrf = await _sign_in(api, "municipality_admin-141305-0")
    stopped = await _post(api, "/console/staff/deactivate", csrf, staffId=staff_id, confirm="yes")
    assert "アカウントを止めました" in stopped and "停止" in stopped
    api.cookies.clear()
    refused = await api.post(
        "/console/signin?lang=ja", data={"login": "kodomo.tanaka", "password": STAFF_PASSWORD}
    )
    assert refused.status_code != 303


async def test_a_suspension_request_at_the_counter_is_recorded(api, people, town):
    csrf = await _sign_in(api, "municipality_admin-141305-0")
    page = (await api.get("/console/residents?lang=ja")).text
    assert "利用停止" in page and town.resident.my_key_id not in page
    done = await _post(
        api,
        "/console/residents/suspend",
        csrf,
        myKeyId=town.resident.my_key_id,
        reason="カード紛失（窓口）",
        confirm="yes",
    )
    assert "利用を止めました" in done
    log = (await api.get("/console/audit?lang=ja")).text
    assert "マイキーIDの利用停止" in log and "カード紛失（窓口）" in log
    api.cookies.clear()
    await _sign_in(api, "municipality_staff-141305-0")
    assert (
        (await api.get("/console/residents?lang=ja"))
        .headers.get("location", "")
        .startswith("/console/signin")
    )
    assert (await api.get("/console/audit?lang=ja")).headers.get("location", "").startswith("/console/signin")


async def test_payouts_are_warned_about_and_marked_as_sent_once(api, people, town):
    assert (await _spend(people, town, 1000, key="desk-pay-1"))["userErrors"] == []  # the minimum payout
    people.later(days=10)  # December: November is over
    csrf = await _sign_in(api, "municipality_admin-141305-0")
    preview = (await api.get("/console/settlements/preview?lang=ja&periodEnd=2026-11-30")).text
    assert "まだ何も締めていません" in preview and "ブレーメン通り 商店" in preview and "1,000" in preview
    assert await reader().fetchint("SELECT count(*) FROM settlements") == 0  # nothing kept
    gql = await people.gql(
        '{ settlementPreview(municipalityCode: "141305", periodEnd: "2026-11-30")'
        " { payableYen statements { name } } }",
        town.admin,
    )
    assert gql["settlementPreview"]["payableYen"] == 1000
    await _post(api, "/console/settlements/close", csrf, periodEnd="2026-11-30", confirm="yes")
    people.later(days=12)  # a few days before the 15th
    csrf = await _sign_in(api, "municipality_admin-141305-0")  # a new day, a new session
    home = (await api.get("/console?lang=ja")).text
    assert "振込と請求" in home and "まだ送金済みになっていません" in home
    statement = home.split('name="statementId"')[1].split('value="')[1].split('"')[0]
    marked = await _post(api, "/console/payouts/sent", csrf, statementId=statement, confirm="yes")
    assert "送金済みにしました" in marked and "まだ送金済みになっていません" not in marked
    again = await api.post(
        "/console/payouts/sent?lang=ja",
        data={"csrf": csrf, "m": "141305", "statementId": statement, "confirm": "yes"},
    )
    assert "payout.marked" in again.headers["location"]
    assert "送金済み" in (await api.get("/console/audit?lang=ja")).text


async def test_another_citys_admin_sees_none_of_it(api, people, town):
    await people.municipality("011002")
    from models.staff import StaffRole

    await people.staff(StaffRole.MUNICIPALITY_ADMIN, "011002")
    csrf = await _sign_in(api, "municipality_admin-141305-0")
    await _post(api, "/console/departments", csrf, name="市民文化局")
    await _sign_in(api, "municipality_admin-011002-0")
    for path in ("/console/programs", "/console/staff", "/console/audit", "/console/grants"):
        page = (await api.get(f"{path}?lang=ja&m=141305")).text.split("<main")[1]
        assert "札幌市" in page and "川崎市" not in page and "市民文化局" not in page, path


async def test_a_shop_is_registered_and_told_what_it_accepts(api, people, town):
    csrf = await _sign_in(api, "municipality_admin-141305-0")
    added = await _post(api, "/console/shops/add", csrf, name="平間銀座 八百屋", category="SHOP")
    assert "お店を登録しました" in added and "平間銀座 八百屋" in added
    shop = (
        added.split('id="accepts-shop"')[1].split("平間銀座 八百屋")[0].rsplit('value="', 1)[1].split('"')[0]
    )
    saved = await _post(
        api, "/console/shops/programs", csrf, shopId=shop, **{f"program_{town.program}": "yes"}
    )
    assert "保存しました" in saved
    accepted = await reader().fetchints("SELECT program_id FROM shop_programs WHERE shop_id = $1", int(shop))
    assert accepted == [town.program]
    bad = await _post(api, "/console/shops/add", csrf, name="x", category="CASINO")
    assert "種類を選んでください" in bad
