"""Every kind of terminal on its own page: set up once (a reload does not ask again), then its job
full-screen. The card is the demo's virtual card; the terminal signs nothing itself."""

import httpx
import pytest

from tests.browser.conftest import screenshot, serious_violations

pytestmark = pytest.mark.browser


async def _activation(site, kind: str, **extra: str) -> str:
    admin = site.demo["municipalities"][0]["adminToken"]
    fields = "".join(f', {k}: "{v}"' for k, v in extra.items())
    async with httpx.AsyncClient(base_url=site.url) as client:
        registered = await client.post(
            "/graphql",
            json={
                "query": f'mutation {{ registerTerminal(input: {{kind: {kind}, name: "{kind} 1番",'
                f' municipalityCode: "141305"{fields}}}) {{ activationCode }} }}'
            },
            headers={"Authorization": f"Bearer {admin}"},
        )
    return str(registered.json()["data"]["registerTerminal"]["activationCode"])


TERMINAL_WORDS = {
    "ja": {
        "connected": "接続",
        "issued": "発行",
        "range": "1〜1,000,000",
        "given": "に 200 pt を付与しました",
    },
    "en": {
        "connected": "Connected",
        "issued": "Issued",
        "range": "1 to 1,000,000",
        "given": "200 pt given to",
    },
}


async def _set_up(site, phone, path: str, kind: str, lang: str = "ja", **extra: str) -> None:
    joiner = "&" if "?" in path else "?"
    await phone.goto(f"{site.url}{path}{joiner}lang={lang}")
    await phone.wait_for_selector("#setup:not([hidden])")
    await phone.click("#activate button")  # nothing typed: the field says so
    await phone.wait_for_selector("#code[aria-invalid=true]")
    await phone.fill("#code", await _activation(site, kind, **extra))
    await phone.click("#activate button")
    await phone.wait_for_selector("#job:not([hidden])")
    await phone.reload()  # remembered: straight to the job
    await phone.wait_for_selector("#job:not([hidden])")
    assert await phone.is_hidden("#setup")


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_the_library_counter_shows_its_number_full_screen_or_types_it(site, phone, lang):
    words = TERMINAL_WORDS[lang]
    await _set_up(site, phone, "/counter", "LOOKUP", lang, serviceCode="A1")
    await phone.click("#ping")
    await phone.wait_for_function(
        f"() => document.getElementById('state').textContent.includes('{words['connected']}')"
    )
    await phone.set_input_files("#card", site.demo["residents"][0]["card"])
    await phone.wait_for_selector("#result:not([hidden])")
    assert await phone.inner_text("#number") == "789"  # the seed's example: A1 → 789
    assert await phone.inner_text("#service") == "川崎市立図書館"  # the service, by name
    assert words["issued"] in await phone.inner_text("#label-day")  # the label carries the day
    assert (await phone.get_attribute("#barcode", "src")).startswith("/counter/barcode.svg?value=789")
    assert await serious_violations(phone) == []
    await screenshot(phone, f"counter-{lang}")
    await phone.click("#next")
    await phone.check("#wedge")
    await phone.click("#wedge-target")
    await phone.set_input_files("#card", site.demo["residents"][0]["card"])
    await phone.wait_for_function("() => document.getElementById('wedge-target').value === '789'")
    assert await phone.is_hidden("#result")


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_a_pay_terminal_takes_points_and_prints_a_receipt(site, phone, lang):
    shop = next(s for s in site.demo["shops"] if s["municipalityCode"] == "141305")
    await _set_up(site, phone, "/terminal/pay", "PAY", lang, shopId=shop["id"])
    await phone.set_input_files("#card", site.demo["residents"][0]["card"])  # no amount yet
    await phone.wait_for_selector(".error-summary")
    await phone.fill("#amount", "120")
    await phone.set_input_files("#card", site.demo["residents"][0]["card"])
    await phone.wait_for_selector("#receipt.outcome-ok:not([hidden])")
    assert "120 pt" in await phone.inner_text("#receipt .outcome-title")
    assert shop["name"] in await phone.inner_text("#receipt .outcome-detail")
    assert await serious_violations(phone) == []
    await screenshot(phone, f"terminal-pay-{lang}")
    await phone.click("#next")
    await phone.fill("#amount", "99999999")
    await phone.set_input_files("#card", site.demo["residents"][0]["card"])
    await phone.wait_for_selector("#receipt.outcome-no:not([hidden])")
    refused = await phone.inner_text("#receipt .outcome-detail")
    assert TERMINAL_WORDS[lang]["range"] in refused and "INVALID_INPUT" not in refused
    assert await serious_violations(phone) == []
    await screenshot(phone, f"terminal-pay-refused-{lang}")


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_a_print_terminal_prints_a_voucher_from_the_budget(site, phone, lang):
    await _set_up(site, phone, "/terminal/print?paper=58", "PRINT", lang)
    await phone.wait_for_function("() => document.getElementById('program').options.length > 0")
    await phone.evaluate(
        "() => { window.print = () => { window.printCount = (window.printCount || 0) + 1 } }"
    )
    await phone.fill("#face", "1000")
    await phone.click("#voucher-form button")
    await phone.wait_for_selector("#printed:not([hidden])")
    assert await phone.inner_text("#voucher-value") == "1,000 pt"
    assert len(await phone.inner_text("#voucher-code")) == 14
    assert await phone.query_selector("#voucher-qr svg path") is not None
    assert await phone.evaluate("window.printCount") == 1  # the printer's dialogue, once
    assert await serious_violations(phone) == []
    await screenshot(phone, f"terminal-print-{lang}")


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_a_grant_terminal_gives_points_to_each_card(site, phone, lang):
    await _set_up(site, phone, "/terminal/grant", "GRANT", lang)
    await phone.wait_for_function("() => document.getElementById('program').options.length > 0")
    await phone.set_input_files("#card", site.demo["residents"][1]["card"])  # nothing chosen yet
    await phone.wait_for_selector(".error-summary")
    await phone.fill("#points", "200")
    await phone.fill("#reason", "健康ウォーク" if lang == "ja" else "Health walk")
    await phone.set_input_files("#card", site.demo["residents"][1]["card"])
    await phone.wait_for_selector("#granted .banner-success")
    granted = await phone.inner_text("#granted")
    assert TERMINAL_WORDS[lang]["given"] in granted and site.demo["residents"][1]["myKeyId"] in granted
    assert await serious_violations(phone) == []
    await screenshot(phone, f"terminal-grant-{lang}")
