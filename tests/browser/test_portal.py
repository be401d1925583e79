"""The portal in Chromium: a search in hiragana, katakana and half-width kana finds the same shops;
a resident's balance leads to the shops that take it; the "where to spend" list renders inside
another site's iframe while the other pages refuse to be framed; the municipality's console enters
a shop's place; axe-core finds nothing on any of these pages, in Japanese and in English."""

from html import escape

import pytest

from tests.browser.conftest import error_summary_has_focus, screenshot, serious_violations
from tests.browser.test_widget import partner_site

pytestmark = pytest.mark.browser


async def _names(page) -> list[str]:
    return [await h.inner_text() for h in await page.query_selector_all(".places h2, .places h3")]


async def test_hiragana_katakana_and_half_width_kana_find_the_same_shops(site, phone):
    found = []
    for words in ("かわさき", "カワサキ", "ｶﾜｻｷ"):
        await phone.goto(f"{site.url}/shops?lang=ja")
        await phone.fill("#q", words)
        await phone.click("form.search button")
        await phone.wait_for_selector("#count")
        found.append(await _names(phone))
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert found[0] == found[1] == found[2] == ["川崎ブレーメン通り 商店", "川崎市 市民ミュージアム"]
    assert await serious_violations(phone) == []
    await screenshot(phone, "portal-search-ja")
    # a shop's reading alone finds it too, in any kana
    await phone.goto(f"{site.url}/shops?lang=ja&q=" + "ｲｹﾌﾞｸﾛ")
    assert await _names(phone) == ["池袋 サンシャイン商店"]


async def test_a_residents_balance_leads_to_the_shops_that_take_it(site, phone):
    resident = site.demo["residents"][0]
    await phone.goto(f"{site.url}/signin?lang=ja")
    await phone.set_input_files("#card", resident["card"])
    await phone.wait_for_url("**/me**")
    where = phone.locator(".programs a.where").first
    label = await where.inner_text()
    assert label.startswith("使えるお店・施設：") and label.endswith("件")
    await where.click()
    await phone.wait_for_url("**/shops?program=*")
    names = await _names(phone)
    assert names and f"{len(names)}件" in label
    assert await phone.inner_text("#count") == f"{len(names)}件見つかりました"
    assert await serious_violations(phone) == []
    await screenshot(phone, "portal-where-to-use-ja")


PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>川崎観光ガイド</title></head>
<body><h1>川崎観光ガイド</h1>
<iframe id="embed" title="ポイントが使えるお店" src="{mykey}/embed/shops?municipality=141305"
 width="600" height="400"></iframe>
<iframe id="refused" title="framed page" src="{mykey}/shops?lang=ja" width="600" height="400"></iframe>
</body></html>"""


async def test_the_where_to_spend_list_renders_in_another_sites_iframe_and_nothing_else_does(
    site, browser, tmp_path
):
    folder = tmp_path / "tourism"
    folder.mkdir()
    (folder / "index.html").write_text(PAGE.format(mykey=escape(site.url)), encoding="utf-8")
    with partner_site(folder) as origin:
        assert origin != site.url
        page = await browser.new_page()
        await page.goto(f"{origin}/index.html")
        embedded = page.frame_locator("#embed")
        await embedded.locator("h1").wait_for()
        assert "川崎市" in await embedded.locator("h1").inner_text()
        assert await embedded.locator(".places h2, .places h3").count() == 2
        link = embedded.locator(".places h2 a").first
        assert await link.get_attribute("target") == "_blank"  # the shop opens on MyKey's own site
        refused = await (await page.query_selector("#refused")).content_frame()
        assert refused is not None
        await page.wait_for_timeout(500)  # the refused frame has had the time to load, had it been allowed
        assert await page.frame_locator("#refused").locator("form.search").count() == 0
        assert refused.url.startswith("chrome-error://"), refused.url  # Chromium's page for a blocked frame
        await page.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_the_portal_pages_have_nothing_for_axe_to_find(site, phone, lang):
    city = site.demo["municipalities"][0]
    shop = site.demo["shops"][0]["id"]
    for path, name in (
        ("/", "portal-home"),
        (f"/m/{city['code']}", "portal-municipality"),
        ("/shops", "portal-shops"),
        (f"/shops/{shop}", "portal-shop"),
        ("/open-data", "portal-open-data"),
    ):
        response = await phone.goto(f"{site.url}{path}?lang={lang}")
        assert response is not None and response.status == 200, path
        assert await phone.evaluate("document.documentElement.scrollWidth") <= 360, path
        assert await serious_violations(phone) == [], path
        await screenshot(phone, f"{name}-{lang}")
    await phone.goto(f"{site.url}/embed/shops?municipality={city['code']}&lang={lang}")
    assert await serious_violations(phone) == []


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_the_console_enters_a_shops_place(site, phone, lang):
    city = site.demo["municipalities"][0]
    await phone.set_viewport_size({"width": 1366, "height": 768})
    await phone.context.clear_cookies()
    await phone.goto(f"{site.url}/console/signin?lang={lang}")
    await phone.fill("#login", city["adminLogin"])
    await phone.fill("#pw", city["adminPassword"])
    await phone.click("form button")
    await phone.wait_for_url("**/console?**")
    await phone.goto(f"{site.url}/console/portal?lang={lang}&m={city['code']}")
    await phone.click("a[href^='/console/portal/shop']")
    await phone.fill("#place-postalCode", "12")
    await phone.click("form[action^='/console/portal/shop'] button")
    await phone.wait_for_selector(".error-summary")
    assert await error_summary_has_focus(phone)
    assert await phone.get_attribute("#place-postalCode", "aria-invalid") == "true"
    assert await serious_violations(phone) == []
    await screenshot(phone, f"console-portal-refused-{lang}")
    await phone.fill("#place-postalCode", "211-0063")
    await phone.click("form[action^='/console/portal/shop'] button")
    await phone.wait_for_url("**/console/portal?**said=place_saved**")
    assert await phone.locator(".banner-success").count() == 1
    assert await serious_violations(phone) == []
