"""The portal over HTTP: shops found in any kana, a shop's place entered and checked, the open data
files (CSV for spreadsheets, JSON, GeoJSON), a municipality's page with the figures it published,
My Page's "where to use" links, and framing allowed on the embed page alone."""

import csv
import io
import json

import geojson
import pytest

from domain.sql import reader
from tests.integration.identity.people import PASSWORD, STAFF_PASSWORD
from web.open_data import CSV_COLUMNS

PLACE = (
    "mutation($s: ID!, $i: ShopPlaceInput!) { setShopPlace(shopId: $s, input: $i) { shop { id kana address"
    " postalCode latitude longitude openingHours } userErrors { code field } } }"
)
SHOPS = "query($q: String!) { shops(search: $q) { totalCount edges { node { id name } } } }"
PUBLISH = (
    'mutation($m: String!) { publishMonthlyFigures(municipalityCode: "141305", month: $m) { figures { month'
    " issuedPoints usedPoints } userErrors { code field } } }"
)
BREMEN = {
    "kana": "ぶれーめんどおり しょうてん",
    "postalCode": "２１１００６３",
    "address": "神奈川県川崎市中原区小杉町3-1",
    "latitude": 35.5766,
    "longitude": 139.6597,
    "openingHours": "Mo-Sa 10:00-19:00",
    "description": "商店街のお店",
    "url": "https://bremen.example.jp/",
}


async def _place(people, token, shop, **fields):
    return (await people.gql(PLACE, token, s=str(shop), i=fields))["setShopPlace"]


async def _found(people, words):
    found = (await people.gql(SHOPS, q=words))["shops"]
    return found["totalCount"], [e["node"]["name"] for e in found["edges"]]


async def test_hiragana_katakana_and_half_width_kana_find_the_same_shops(api, people, town):
    done = await _place(people, town.admin, town.shop, **BREMEN)
    assert done["userErrors"] == []
    assert done["shop"]["kana"] == "ブレーメンドオリ ショウテン"  # stored in katakana (名称_カナ)
    assert done["shop"]["postalCode"] == "211-0063"  # full-width digits and the hyphen normalised
    other = await people.shop(name="等々力 食堂")
    await _place(
        people, town.admin, other, kana="とどろき しょくどう", address="神奈川県川崎市中原区等々力1-1"
    )
    for words in ("ぶれーめん", "ブレーメン", "ﾌﾞﾚｰﾒﾝ", "ブレーメン 小杉", "ﾌﾞﾚｰﾒﾝ ｼｮｳﾃﾝ"):
        assert await _found(people, words) == (1, ["ブレーメン通り 商店"]), words
    # the municipality's name and reading find all its shops, in any kana
    everything = (2, ["ブレーメン通り 商店", "等々力 食堂"])
    assert await _found(people, "かわさき") == everything
    assert await _found(people, "ｶﾜｻｷ") == everything
    assert await _found(people, "川崎") == everything
    # LIKE's wildcards are plain characters in a query
    assert await _found(people, "%") == (0, [])
    assert await _found(people, "_") == (0, [])
    page = await api.get("/shops", params={"q": "ｶﾜｻｷ ﾌﾞﾚｰﾒﾝ", "lang": "ja"})
    assert page.status_code == 200 and "1件見つかりました" in page.text and "ブレーメン通り 商店" in page.text
    refused = await api.get("/shops", params={"category": "CASINO", "lang": "en"})
    assert "Choose a kind of place from the list." in refused.text and 'id="count"' not in refused.text
    unknown = await api.get("/shops", params={"municipality": "999999", "lang": "en"})
    assert "does not take part" in unknown.text


async def test_a_bad_place_is_refused_with_its_field_and_changes_nothing(api, people, town):
    cases = [
        ({"latitude": 35.5}, "longitude"),  # the one missing
        ({"latitude": 135.0, "longitude": 35.0}, "latitude"),
        ({"url": "http://bremen.example.jp/"}, "url"),
        ({"postalCode": "21-00"}, "postalCode"),
        ({"kana": "Bremen 商店"}, "kana"),
        ({"phone": "call us"}, "phone"),
        ({"description": "あ" * 401}, "description"),
    ]
    for fields, field in cases:
        done = await _place(people, town.admin, town.shop, **fields)
        assert done["userErrors"] == [{"code": "INVALID_INPUT", "field": field}], fields
    stored = await reader().fetchrow(
        "SELECT kana, address, latitude, url FROM shops WHERE id = $1", town.shop
    )
    assert dict(stored) == {"kana": "", "address": "", "latitude": None, "url": ""}
    # the shop's clerk and department staff may not set it
    for token in (town.clerk, town.staff):
        assert (await _place(people, token, town.shop, **BREMEN))["userErrors"][0]["code"] == "FORBIDDEN"


async def _console(api, login="municipality_admin-141305-0"):
    api.cookies.clear()
    done = await api.post("/console/signin?lang=ja", data={"login": login, "password": STAFF_PASSWORD})
    assert done.status_code == 303, done.text[:300]
    return api.cookies.get("mykey_csrf")


async def test_the_console_enters_a_place_and_keeps_what_was_typed_on_a_refusal(api, people, town):
    csrf = await _console(api)
    desk = await api.get("/console/portal?lang=ja&m=141305")
    assert desk.status_code == 200 and "ブレーメン通り 商店" in desk.text and "未入力" in desk.text
    form = await api.get(f"/console/portal/shop?lang=ja&m=141305&shop={town.shop}")
    assert form.status_code == 200 and 'name="kana"' in form.text
    typed = {"csrf": csrf, "m": "141305", "shop": str(town.shop), "address": "川崎市中原区小杉町3-1"}
    bad = await api.post("/console/portal/shop?lang=ja", data=typed | {"postalCode": "12", "latitude": "北"})
    assert bad.status_code == 400
    assert "保存できませんでした" in bad.text and "川崎市中原区小杉町3-1" in bad.text  # kept
    assert await reader().fetchval("SELECT address FROM shops WHERE id = $1", town.shop) == ""
    good = await api.post(
        "/console/portal/shop?lang=ja",
        data=typed
        | {"kana": "ブレーメン", "latitude": "35.5766", "longitude": "139.6597", "scansVouchers": "yes"},
    )
    assert good.status_code == 303 and "said=place_saved" in good.headers["location"]
    assert "保存しました" in (await api.get(good.headers["location"])).text
    assert (
        await reader().fetchval("SELECT action FROM audit_events WHERE action = 'shop.place'") == "shop.place"
    )
    # another municipality's shop is not this admin's
    await people.municipality("011002")
    theirs = await people.shop(code="011002", name="札幌の店")
    elsewhere = await api.post("/console/portal/shop?lang=ja", data=typed | {"shop": str(theirs)})
    assert elsewhere.status_code == 303 and "error.NOT_FOUND" in elsewhere.headers["location"]
    assert await reader().fetchval("SELECT address FROM shops WHERE id = $1", theirs) == ""


async def test_the_open_data_files(api, people, town):
    await _place(people, town.admin, town.shop, **BREMEN)
    nowhere = await people.shop(name="位置のない店")
    csv_file = await api.get("/open-data/shops.csv")
    assert csv_file.status_code == 200 and csv_file.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_file.content.startswith(b"\xef\xbb\xbf") and b"\r\n" in csv_file.content
    assert (
        'rel="license"' in csv_file.headers["link"]
        and "creativecommons.org/licenses/by/4.0" in csv_file.headers["link"]
    )
    rows = list(csv.DictReader(io.StringIO(csv_file.content.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == list(CSV_COLUMNS) and len(rows) == 2
    bremen = rows[0]
    assert bremen["全国地方公共団体コード"] == "141305" and bremen["名称"] == "ブレーメン通り 商店"
    assert bremen["名称_カナ"] == "ブレーメンドオリ ショウテン" and bremen["郵便番号"] == "211-0063"
    assert (bremen["緯度"], bremen["経度"]) == ("35.576600", "139.659700")
    assert (bremen["利用可能曜日"], bremen["開始時間"], bremen["終了時間"]) == ("月～土", "10:00", "19:00")
    assert bremen["利用可能ポイント"] == "川崎市ポイント" and bremen["QR読取対応"] == "1"
    assert rows[1]["名称"] == "位置のない店" and rows[1]["緯度"] == ""
    data = (await api.get("/open-data/shops.json")).json()
    assert data["license"] == "CC BY 4.0" and data["count"] == 2
    assert data["shops"][0]["page"].endswith(f"/shops/{town.shop}")
    geo = await api.get("/open-data/shops.geojson")
    assert geo.headers["content-type"] == "application/geo+json"
    collection = geojson.loads(geo.text)
    assert collection.is_valid, collection.errors()
    assert [f["id"] for f in collection["features"]] == [str(town.shop)]  # only the shops with a position
    assert collection["features"][0]["geometry"]["coordinates"] == [139.6597, 35.5766]  # [lon, lat]
    assert str(nowhere) not in geo.text.split('"features"')[1].split("]")[0]
    # Last-Modified, and 304 when nothing changed since
    changed = csv_file.headers["last-modified"]
    again = await api.get("/open-data/shops.csv", headers={"if-modified-since": changed})
    assert again.status_code == 304 and again.content == b""
    people.later(minutes=5)
    await _place(people, town.admin, nowhere, address="川崎市")
    moved = await api.get("/open-data/shops.csv", headers={"if-modified-since": changed})
    assert moved.status_code == 200 and moved.headers["last-modified"] != changed
    one = await api.get("/open-data/shops.json?municipality=011002")  # Sapporo does not take part
    assert one.status_code == 404 and one.json()["error"]["code"] == "NOT_FOUND"
    bad = await api.get("/open-data/shops.json?municipality=abc")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "municipality"


async def test_a_municipality_page_with_its_published_figures(api, people, town, clock):
    month = f"{clock.now():%Y-%m}"
    assert (await people.gql(PUBLISH, town.staff, m=month))["publishMonthlyFigures"]["userErrors"][0][
        "code"
    ] == ("FORBIDDEN")
    future = (await people.gql(PUBLISH, town.admin, m="2099-01"))["publishMonthlyFigures"]
    assert future["userErrors"] == [{"code": "INVALID_INPUT", "field": "month"}]
    page = await api.get("/m/141305?lang=ja")
    assert page.status_code == 200 and "公表されている実績はまだありません" in page.text
    done = (await people.gql(PUBLISH, town.admin, m=month))["publishMonthlyFigures"]
    assert done["figures"] == {"month": month, "issuedPoints": 1000, "usedPoints": 0}
    await people.gql(PUBLISH, town.admin, m=month)  # published again: replaced, not added
    assert await reader().fetchval("SELECT COUNT(*) FROM published_figures") == 1
    page = (await api.get("/m/141305?lang=ja")).text
    assert '<td class="num">1,000 pt</td>' in page  # issued this month
    assert (
        "川崎市ポイント" in page
        and "ブレーメン通り 商店" in page
        and "/embed/shops?municipality=141305" in page
    )
    assert town.resident.my_key_id not in page
    listed = await people.gql('{ publishedFigures(municipalityCode: "141305") { month usedPoints } }')
    assert listed["publishedFigures"] == [{"month": month, "usedPoints": 0}]
    assert (await api.get("/m/999999?lang=ja")).status_code == 404
    # the front page lists the municipality under its prefecture
    home = (await api.get("/?lang=ja")).text
    assert "神奈川県" in home and 'href="/m/141305?lang=ja"' in home


async def test_my_page_says_where_each_balance_can_be_used(api, people, town):
    signed_in = await api.post("/signin", data={"myKeyId": town.resident.my_key_id, "password": PASSWORD})
    assert signed_in.status_code == 303
    me = (await api.get("/me?lang=ja")).text
    assert f'href="/shops?program={town.program}&amp;lang=ja"' in me and "使えるお店・施設：1件" in me
    shops = (await api.get(f"/shops?program={town.program}&lang=ja")).text
    assert "ブレーメン通り 商店" in shops and "川崎市ポイントが使えるお店・施設" in shops
    assert "そのポイントはありません" in (await api.get("/shops?program=999999&lang=ja")).text


@pytest.mark.parametrize("path", ["/shops", "/", "/m/141305", "/open-data", "/shops/1"])
async def test_only_the_embed_page_may_be_framed(api, people, town, path):
    embed = await api.get("/embed/shops?municipality=141305")
    assert embed.status_code == 200 and "ブレーメン通り 商店" in embed.text
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers and "set-cookie" not in embed.headers
    assert 'target="_blank" rel="noopener"' in embed.text
    other = await api.get(path)
    assert other.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in other.headers["content-security-policy"]
    assert (await api.get("/embed/shops?municipality=999999")).status_code == 404


async def test_a_shop_page_carries_local_business_json_ld(api, people, town):
    await _place(people, town.admin, town.shop, **BREMEN)
    page = await api.get(f"/shops/{town.shop}?lang=ja")
    assert page.status_code == 200
    data = json.loads(page.text.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["@context"] == "https://schema.org" and data["@type"] == "Store"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 35.5766, "longitude": 139.6597}
    assert data["address"]["postalCode"] == "211-0063" and data["openingHours"] == "Mo-Sa 10:00-19:00"
    assert data["paymentAccepted"] == "川崎市ポイント"
    assert "https://www.openstreetmap.org/?mlat=35.576600&amp;mlon=139.659700" in page.text
    assert (await api.get("/shops/999999?lang=ja")).status_code == 404
    assert (await api.get("/shops/abc?lang=ja")).status_code == 404
