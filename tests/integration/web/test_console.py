"""The municipality console's first pages: the month at a glance and settlement, for each role."""

from models.staff import StaffRole
from tests.integration.graphql.spending.test_spend_points import _spend
from tests.integration.identity.people import STAFF_PASSWORD


async def _sign_in(api, login):
    done = await api.post("/console/signin?lang=ja", data={"login": login, "password": STAFF_PASSWORD})
    assert done.status_code == 303 and done.headers["location"].startswith("/console"), done.text[:300]
    return api.cookies.get("mykey_csrf")


async def test_an_admin_reads_the_month_and_closes_the_last_one_after_confirming(api, people, town):
    assert (await _spend(people, town, 300, key="console-pay-1"))["userErrors"] == []
    people.later(days=10)  # December: November is over
    csrf = await _sign_in(api, "municipality_admin-141305-0")
    home = (await api.get("/console?lang=ja")).text
    assert "川崎市" in home and "今月の動き" in home and "/reports/141305/2026-12.svg" in home
    assert "2026-11-30 で締める" in home
    unconfirmed = await api.post(
        "/console/settlements/close", data={"csrf": csrf, "m": "141305", "periodEnd": "2026-11-30"}
    )
    assert "said=confirm" in unconfirmed.headers["location"]
    assert "確認のチェック" in (await api.get(unconfirmed.headers["location"])).text
    closed = await api.post(
        "/console/settlements/close",
        data={"csrf": csrf, "m": "141305", "periodEnd": "2026-11-30", "confirm": "yes"},
    )
    after = (await api.get(closed.headers["location"])).text
    assert "期間を締めました" in after, closed.headers["location"]
    assert "2026-12-15" in after  # the payout day
    assert "2026-11-30 で締める" not in after  # closed once
    run = after.split('href="/settlements/')[1].split("/")[0]
    statements = await api.get(f"/settlements/{run}/statements.csv")  # a link: the cookie alone
    assert statements.status_code == 200 and "ブレーメン通り 商店" in statements.content.decode("utf-8-sig")
    chart = await api.get("/reports/141305/2026-12.svg")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")


async def test_staff_see_no_figures_and_another_city_sees_only_its_own(api, people, town):
    await _sign_in(api, "municipality_staff-141305-0")
    staff = (await api.get("/console?lang=ja")).text
    assert "管理者のページ" in staff and "今月の動き" not in staff
    await people.municipality("011002")
    await people.staff(StaffRole.MUNICIPALITY_ADMIN, "011002")
    api.cookies.clear()
    await _sign_in(api, "municipality_admin-011002-0")
    other = (await api.get("/console?lang=ja&m=141305")).text  # ?m= is the operator's alone
    assert "札幌市" in other and "川崎市" not in other.split("<main")[1]
    assert (await api.get("/reports/141305/2026-11.csv")).status_code == 403
    forged = await api.post(
        "/console/settlements/close",
        data={"csrf": "guess", "m": "141305", "periodEnd": "2026-10-31", "confirm": "yes"},
    )
    assert forged.headers["location"].startswith("/console/signin")


async def test_a_shop_clerk_cannot_use_the_console(api, town):
    refused = await api.post("/console/signin?lang=en", data={"login": "clerk", "password": STAFF_PASSWORD})
    assert refused.status_code == 403 and "municipality admin" in refused.text


async def test_an_admin_sets_a_shops_account_and_an_agreement_from_the_shops_page(api, people, town):
    await people.municipality("011002")
    csrf = await _sign_in(api, "municipality_admin-141305-0")
    listed = (await api.get("/console/shops?lang=ja")).text
    assert "ブレーメン通り 商店" in listed and "未設定" in listed
    account = {
        "csrf": csrf,
        "m": "141305",
        "shopId": str(town.shop),
        "bankCode": "0009",
        "branchCode": "001",
        "accountType": "ORDINARY",
        "accountNumber": "0001234",
    }
    kanji = await api.post("/console/shops/bank", data=account | {"holderKana": "漢字商店"})
    refused = (await api.get(kanji.headers["location"])).text
    assert "カタカナで入力してください" in refused and "未設定" in refused  # nothing saved
    saved = await api.post("/console/shops/bank", data=account | {"holderKana": "カ）キャノンショウテン"})
    assert "ｶ)ｷﾔﾉﾝｼﾖｳﾃﾝ" in (await api.get(saved.headers["location"])).text
    mine = await api.post(
        "/console/agreements",
        data={"csrf": csrf, "m": "141305", "programId": str(town.program), "municipalityCode": "141305"},
    )
    assert "団体コードを確かめてください" in (await api.get(mine.headers["location"])).text
    added = await api.post(
        "/console/agreements",
        data={"csrf": csrf, "m": "141305", "programId": str(town.program), "municipalityCode": "011002"},
    )
    page = (await api.get(added.headers["location"])).text
    assert "たすきがけを追加しました" in page and "札幌市 (011002)" in page


async def test_an_admin_registers_a_terminal_sees_its_code_once_and_revokes_it(api, people, town):
    csrf = await _sign_in(api, "municipality_admin-141305-0")
    made = await api.post(
        "/console/terminals?lang=ja",
        data={"csrf": csrf, "m": "141305", "kind": "PAY", "name": "レジ2番", "shopId": str(town.shop)},
    )
    assert made.status_code == 200 and "登録コード: " in made.text
    code = made.text.split("登録コード: ")[1][:19]
    activated = await people.gql(
        "mutation($c: String!) { activateTerminal(activationCode: $c) { token userErrors { code } } }", c=code
    )
    assert activated["activateTerminal"]["userErrors"] == []
    listed = (await api.get("/console/terminals?lang=ja")).text
    assert "レジ2番" in listed and "稼働中" in listed and code not in listed  # the code is never shown again
    no_name = await api.post(
        "/console/terminals?lang=ja", data={"csrf": csrf, "m": "141305", "kind": "PRINT", "name": ""}
    )
    assert "banner-error" in no_name.text
    terminal = await _terminal_id(api, "レジ2番")
    unconfirmed = await api.post(
        "/console/terminals/revoke", data={"csrf": csrf, "m": "141305", "terminalId": terminal}
    )
    assert "said=confirm" in unconfirmed.headers["location"]
    revoked = await api.post(
        "/console/terminals/revoke",
        data={"csrf": csrf, "m": "141305", "terminalId": terminal, "confirm": "yes"},
    )
    assert "停止しました" in (await api.get(revoked.headers["location"])).text
    ping = await people.gql(
        "mutation { pingTerminal { userErrors { code } } }", activated["activateTerminal"]["token"]
    )
    assert ping["pingTerminal"]["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def _terminal_id(api, name):
    page = (await api.get("/console/terminals?lang=ja")).text
    select = page.split('id="revoke-terminal"')[1].split("</select>")[0]
    return select.split(f">{name}<")[0].rsplit('value="', 1)[1].split('"')[0]
