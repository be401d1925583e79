"""Every page and its states in Japanese and in English at 360×640: axe-core finds nothing of any
impact, nothing is wider than the phone, and each is kept as a screenshot (MYKEY_SCREENSHOTS=1)."""

import pytest

from tests.browser.conftest import error_summary_has_focus, screenshot, serious_violations

pytestmark = pytest.mark.browser

PUBLIC = {
    "home": "/",
    "signin": "/signin",
    "register": "/register",
    "privacy": "/privacy",
    "terms": "/terms",
    "not-found": "/nowhere",
    "counter-setup": "/counter",
    "pay-setup": "/terminal/pay",
    "print-setup": "/terminal/print",
    "grant-setup": "/terminal/grant",
    "shop-signin": "/shop/signin",
    "partner-signin": "/partner/signin",
}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("name", list(PUBLIC))
async def test_every_public_page(site, phone, name, lang):
    response = await phone.goto(f"{site.url}{PUBLIC[name]}?lang={lang}")
    assert response is not None and response.status == (404 if name == "not-found" else 200)
    assert await phone.get_attribute("html", "lang") == lang
    if name.endswith("-setup"):
        await phone.wait_for_selector("#setup:not([hidden])")
    if lang == "en" and name != "home":  # the portal's home shows programs and events by their own names
        text = (await phone.inner_text("body")).replace("日本語", "")
        assert not any("\u3040" <= ch <= "\u30ff" for ch in text), name  # no kana left
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert await serious_violations(phone) == []
    await screenshot(phone, f"{name}-{lang}")


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_signed_in_pages_and_their_states(site, phone, lang):
    resident = site.demo["residents"][0]
    await phone.goto(f"{site.url}/signin?lang={lang}")
    await phone.fill("#id", resident["myKeyId"])
    await phone.fill("#pw", "wrong123")
    await phone.click("form[action^='/signin'] button")
    await phone.wait_for_selector(".banner-error")
    assert await serious_violations(phone) == []
    await screenshot(phone, f"signin-error-{lang}")
    await phone.set_input_files("#card", resident["card"])
    await phone.wait_for_url("**/me**")
    assert await serious_violations(phone) == []
    await screenshot(phone, f"my-page-{lang}")
    await phone.fill("#face", "99999999")
    await phone.click("#issue-submit")
    await phone.wait_for_selector(".banner-error")
    assert await phone.input_value("#face") == "99999999"  # kept
    assert await serious_violations(phone) == []
    await screenshot(phone, f"my-page-refused-{lang}")
    await phone.goto(f"{site.url}/me/settings?lang={lang}")
    assert await serious_violations(phone) == []
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(phone, f"settings-{lang}")


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_a_card_file_that_cannot_be_read_says_what_to_do(site, phone, lang, tmp_path):
    bogus = tmp_path / "not-a-card.pem"
    bogus.write_text("this is not a card")
    await phone.goto(f"{site.url}/register?lang={lang}")
    await phone.set_input_files("#card", str(bogus))
    await phone.wait_for_selector("#card-error")
    words = "もう一度" if lang == "ja" else "again"
    assert words in await phone.inner_text("#card-error")
    assert await error_summary_has_focus(phone)
    assert await serious_violations(phone) == []
    await screenshot(phone, f"register-card-error-{lang}")


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_a_voucher_page_in_each_language(site, phone, lang):
    resident = site.demo["residents"][2]
    await phone.goto(f"{site.url}/signin?lang={lang}")
    await phone.set_input_files("#card", resident["card"])
    await phone.wait_for_url("**/me**")
    await phone.fill("#face", "100")
    await phone.click("#issue-submit")
    await phone.wait_for_url("**/v/**")
    assert await phone.query_selector(".qr-full svg") is not None
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert await serious_violations(phone) == []
    await screenshot(phone, f"voucher-{lang}")
