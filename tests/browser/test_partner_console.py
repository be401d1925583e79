"""The partner console in Chromium as the demo partner's staff, in Japanese and in English: every page
passes axe-core; the day's exchanges show with their reconciliation file; a coupon batch is issued,
its codes downloaded once as a file, and voided; a new client secret is shown once."""

import csv
import io

import pytest
from playwright.async_api import Page

from tests.browser.conftest import screenshot, serious_violations

pytestmark = pytest.mark.browser

PAGES = ["/partner", "/partner/coupons", "/partner/statements", "/partner/keys", "/partner/activity"]


async def _sign_in(page: Page, site, partner: dict, lang: str) -> None:
    await page.context.clear_cookies()
    await page.goto(f"{site.url}/partner/signin?lang={lang}")
    assert await serious_violations(page) == []
    await page.fill("#login", partner["consoleLogin"])
    await page.fill("#pw", partner["consolePassword"])
    await page.click("form button")
    await page.wait_for_url("**/partner?**")


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_the_partner_console_walked_and_used(site, phone, lang):
    partner = site.demo["partners"][0]
    await phone.set_viewport_size({"width": 1366, "height": 768})  # an office PC
    await _sign_in(phone, site, partner, lang)
    for path in PAGES:
        await phone.goto(f"{site.url}{path}?lang={lang}")
        assert "/partner/signin" not in phone.url, path
        assert await phone.query_selector("nav.desk-nav a[aria-current='page']") is not None, path
        assert await serious_violations(phone) == [], path
        await screenshot(phone, f"{path.strip('/').replace('/', '-')}-{lang}")

    # the day's exchanges (the demo made one for its first resident) and the reconciliation file
    await phone.goto(f"{site.url}/partner?lang={lang}")
    assert await phone.locator("table tbody tr").count() >= 1
    async with phone.expect_download() as taken:
        await phone.click("a[href^='/partner/reconciliation/']")
    rows = list(csv.reader(io.StringIO((await (await taken.value).path()).read_text("utf-8-sig"))))
    assert rows[0][:3] == ["date", "exchange_id", "external_ref"] and len(rows) >= 2

    # a batch: issue (after the tick), download its codes once, void the rest
    await phone.goto(f"{site.url}/partner/coupons?lang={lang}")
    await phone.fill("#count", "5")
    await phone.fill("#coupon-points", "300")
    await phone.check("form[action^='/partner/coupons/issue'] input[name='confirm']")
    await phone.click("form[action^='/partner/coupons/issue'] button")
    await phone.wait_for_selector(".banner-success")
    assert await serious_violations(phone) == []
    download = phone.locator("form[action*='/download'] button").first
    async with phone.expect_download() as taken:
        await download.click()
    codes = list(csv.reader(io.StringIO((await (await taken.value).path()).read_text("utf-8-sig"))))
    assert codes[0] == ["code", "points", "expires_at"] and len(codes) == 6
    assert all(len(c[0]) == 19 and c[1] == "300" for c in codes[1:])
    await phone.goto(f"{site.url}/partner/coupons?lang={lang}")
    assert await phone.locator("form[action*='/download']").count() == 0  # once
    await phone.locator("form[action*='/void'] input[name='confirm']").first.check()
    await phone.locator("form[action*='/void'] button").first.click()
    await phone.wait_for_selector(".banner-success")
    assert await serious_violations(phone) == []

    # a new client secret, shown once
    await phone.goto(f"{site.url}/partner/keys?lang={lang}")
    await phone.check("#rotate-title ~ form input[name='confirm']")
    await phone.click("#rotate-title ~ form button")
    secret = await phone.inner_text("[data-secret]")
    assert len(secret) >= 40
    assert await serious_violations(phone) == []
    await screenshot(phone, f"partner-keys-secret-{lang}")
    await phone.goto(f"{site.url}/partner/keys?lang={lang}")
    assert await phone.locator("[data-secret]").count() == 0
    await phone.goto(f"{site.url}/partner/activity?lang={lang}")
    body = await phone.inner_text("main")
    for action in ("coupons.issue", "coupons.download", "coupons.void", "secret.rotate"):
        assert action in body, action
