"""The municipality console at a desk's width and on a phone, in both languages: axe finds nothing."""

import pytest

from tests.browser.conftest import screenshot, serious_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_an_admin_reads_the_month_and_a_staff_member_is_told_where_to_go(site, phone, lang):
    city = site.demo["municipalities"][0]
    await phone.goto(f"{site.url}/console/signin?lang={lang}")
    await phone.fill("#login", city["adminLogin"])
    await phone.fill("#pw", "not the password")
    await phone.click("form button")
    assert await serious_violations(phone) == []
    await phone.fill("#login", city["adminLogin"])
    await phone.fill("#pw", city["adminPassword"])
    await phone.click("form button")
    await phone.wait_for_url("**/console?**")
    assert await phone.query_selector("table caption") is not None
    assert await phone.evaluate("document.querySelector('img.chart').naturalWidth") > 0  # the chart loads
    assert await serious_violations(phone) == []
    await phone.set_viewport_size({"width": 1366, "height": 768})  # a municipal PC
    assert await serious_violations(phone) == []
    await screenshot(phone, f"console-{lang}")
    await phone.click("a[href^='/console/shops']")
    await phone.wait_for_url("**/console/shops**")
    await phone.fill("#holder", "漢字")  # refused, and said why; nothing saved
    await phone.fill("#bank-code", "0009")
    await phone.fill("#branch-code", "001")
    await phone.fill("#account-number", "1234567")
    await phone.click("form[action^='/console/shops/bank'] button")
    await phone.wait_for_selector(".banner-error")
    assert await serious_violations(phone) == []
    await screenshot(phone, f"console-shops-{lang}")
    await phone.click("a[href^='/console?']")
    await phone.click("a[href^='/console/terminals']")
    await phone.select_option("#terminal-kind", "LOOKUP")
    await phone.fill("#terminal-name", "中央図書館 2番窓口")
    await phone.fill("#terminal-service", "A1")
    await phone.click("form[action^='/console/terminals?'] button")
    await phone.wait_for_selector(".banner-success")  # the activation code, shown once
    assert await serious_violations(phone) == []
    await screenshot(phone, f"console-terminals-{lang}")
    await phone.set_viewport_size({"width": 360, "height": 640})
    assert await serious_violations(phone) == []
    await phone.click("form[action='/signout'] button")
    await phone.goto(f"{site.url}/console/signin?lang={lang}")
    await phone.fill("#login", city["staffLogin"])
    await phone.fill("#pw", city["staffPassword"])
    await phone.click("form button")
    await phone.wait_for_url("**/console?**")
    assert await phone.query_selector("table") is None
    assert await serious_violations(phone) == []
