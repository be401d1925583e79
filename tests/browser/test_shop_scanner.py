"""The shop's phone scans a voucher through Chromium's fake camera (a video made from the QR code)."""

from pathlib import Path

import httpx
import pytest

from domain.cards.virtual import VirtualCard
from tests.browser.conftest import screenshot, serious_violations, shop_with_camera

violations = serious_violations

pytestmark = pytest.mark.browser
ISSUE = "mutation($p: ID!) { issueVoucher(programId: $p, faceValue: 200) { voucher { url token } } }"


async def _voucher(site) -> tuple[str, str]:
    """Resident 2 signs in with the card (signed here, as a card reader would) and makes a voucher."""
    card = VirtualCard.load(Path(site.demo["residents"][1]["card"]))
    program = next(p["id"] for p in site.demo["municipalities"][0]["programs"] if p["kind"] == "REGULAR")
    async with httpx.AsyncClient(base_url=site.url) as client:

        async def gql(query, token=None, **variables):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            answer = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            return answer.json()["data"]

        nonce = (await gql("mutation { cardChallenge(purpose: SIGN_IN) { nonce } }"))["cardChallenge"][
            "nonce"
        ]
        login = await gql(
            "mutation($p: CardProofInput!) { loginWithCard(proof: $p) { token } }", p=card.prove(nonce)
        )
        voucher = (await gql(ISSUE, login["loginWithCard"]["token"], p=program))["issueVoucher"]["voucher"]
    return voucher["url"], voucher["token"]


SHOP_WORDS = {"ja": ("ログイン中のお店", "利用済み"), "en": ("Signed in as", "was used")}


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_a_shop_scans_a_voucher_with_its_camera(site, tmp_path, lang):
    url, _ = await _voucher(site)
    whose, used = SHOP_WORDS[lang]
    async with shop_with_camera(site, url, tmp_path, lang=lang) as phone:
        assert whose in await phone.inner_text("main")  # whose phone this is, and sign-out
        assert await phone.query_selector("form[action='/signout'] button") is not None
        await phone.wait_for_selector("#outcome.outcome-ok:not([hidden])", timeout=20_000)
        assert "200 pt" in await phone.inner_text("#outcome .outcome-title")
        assert "川崎市ポイント" in await phone.inner_text("#outcome .outcome-detail")
        assert await violations(phone) == []
        await screenshot(phone, f"shop-scan-ok-{lang}")
        await phone.click("#next")  # the same voucher, still in front of the camera: refused, and why
        await phone.wait_for_selector("#outcome.outcome-no:not([hidden])", timeout=20_000)
        refused = await phone.inner_text("#outcome .outcome-detail")
        assert used in refused and "ALREADY_REDEEMED" not in refused and "+00:00" not in refused
        assert await violations(phone) == []
        await screenshot(phone, f"shop-scan-refused-{lang}")
        await phone.click("#next")
        await phone.wait_for_selector("#outcome:not([hidden])", timeout=20_000)
        assert "200 pt" in await phone.inner_text("#today")  # today's takings, updated in place


async def test_an_idle_camera_sends_nothing_and_a_refused_camera_says_what_to_do(site, tmp_path):
    async with shop_with_camera(site, None, tmp_path) as phone:  # the counter, no voucher in sight
        await phone.wait_for_function("() => window.mykeyFramesSent >= 1", timeout=20_000)
        before = await phone.evaluate("window.mykeyFramesSent")
        await phone.wait_for_timeout(5_000)
        after = await phone.evaluate("window.mykeyFramesSent")
        assert after - before == 0  # 12.5 frames in 5 s without the check; none with it
        sent = await phone.evaluate("window.mykeyBytesSent")
        print(f"\nIDLE camera: {after} frame(s), {sent:,} bytes in the first {5 + 1} s, then nothing")
    async with shop_with_camera(site, None, tmp_path, camera=False, lang="en") as phone:
        await phone.wait_for_selector("#no-camera:not([hidden])")
        assert "type the voucher's 12 characters" in await phone.inner_text("#no-camera")
        await phone.click("#manual button")  # nothing typed
        assert await phone.get_attribute("#typed", "aria-invalid") == "true"
        assert await violations(phone) == []
        await screenshot(phone, "shop-no-camera-en")


async def test_my_page_follows_a_redemption_live(site, phone):
    resident = site.demo["residents"][2]
    await phone.goto(site.url + "/signin")
    await phone.set_input_files("#card", resident["card"])
    await phone.wait_for_url("**/me**")
    await phone.fill("#face", "300")
    await phone.click("form[action^='/me/vouchers'] button")
    await phone.wait_for_url("**/v/**")
    token = phone.url.rsplit("/", 1)[1]
    await phone.goto(site.url + "/me")
    await phone.wait_for_function("() => document.body.dataset.live === 'on'")
    assert "使えます" in await phone.inner_text("main")
    shop = next(
        s for s in site.demo["shops"] if s["municipalityCode"] == "131164"
    )  # resident 3 lives in 豊島区
    async with httpx.AsyncClient(base_url=site.url) as client:
        await client.post(
            "/graphql",
            json={
                "query": "mutation($t: String!) { redeemVoucher(token: $t) { userErrors { code } } }",
                "variables": {"t": token},
            },
            headers={"Authorization": f"Bearer {shop['staffToken']}"},
        )
    await phone.wait_for_function("() => document.querySelector('main').textContent.includes('利用済み')")
