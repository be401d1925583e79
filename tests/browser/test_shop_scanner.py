"""The shop's phone scans a voucher through Chromium's fake camera (a video made from the QR code)."""

from pathlib import Path

import httpx
import pytest

from domain.cards.virtual import VirtualCard
from tests.browser.conftest import screenshot, serious_violations, shop_with_camera

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


async def test_a_shop_scans_a_voucher_with_its_camera(site, tmp_path):

    url, token = await _voucher(site)
    async with shop_with_camera(site, url, tmp_path) as phone:
        await phone.wait_for_function(
            "() => document.getElementById('result').textContent.includes('✓')", timeout=20_000
        )
        assert "200 pt" in await phone.inner_text("#result")
        assert await serious_violations(phone) == []
        await screenshot(phone, "shop-scan")
        await phone.reload()
        assert "200 pt" in await phone.inner_text("main")  # today's list
        await phone.fill("#typed", token)  # the same voucher typed by hand: refused
        await phone.click("#manual button")
        await phone.wait_for_function("() => document.getElementById('result').textContent.includes('✕')")


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
