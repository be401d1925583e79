"""The operator suspends a MyKey ID when its resident reports a lost card, in Japanese and English."""

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from domain.cards.authority import CardAuthority
from domain.cards.virtual import VirtualCard
from tests.browser.conftest import screenshot, serious_violations

pytestmark = pytest.mark.browser
COMPLETE = (
    "mutation($i: CompleteRegistrationInput!) { completeRegistration(input: $i) { resident { myKeyId } } }"
)


async def _new_resident(site) -> str:
    """A resident of its own (the demo's are the other tests'), registered with a fresh card."""
    authority = CardAuthority.open(Path(site.demo["cardAuthority"]))
    card = VirtualCard.from_pem(authority.issue_card(datetime.now(UTC)))
    async with httpx.AsyncClient(base_url=site.url) as client:

        async def gql(query, **variables):
            return (await client.post("/graphql", json={"query": query, "variables": variables})).json()[
                "data"
            ]

        nonce = (await gql("mutation { cardChallenge(purpose: REGISTRATION) { nonce } }"))["cardChallenge"]
        begun = await gql(
            "mutation($p: CardProofInput!) { beginRegistration(proof: $p) { registrationToken } }",
            p=card.prove(nonce["nonce"]),
        )
        token = begun["beginRegistration"]["registrationToken"]
        candidate = await gql(
            "mutation($t: String!) { generateMyKeyId(registrationToken: $t) { candidate } }", t=token
        )
        form = {
            "registrationToken": token,
            "myKeyId": candidate["generateMyKeyId"]["candidate"],
            "password": "lost1234",
            "passwordConfirmation": "lost1234",
            "basicMunicipalityCode": "141305",
        }
        return (await gql(COMPLETE, i=form))["completeRegistration"]["resident"]["myKeyId"]


async def test_the_operator_suspends_a_lost_cards_mykey_id(site, phone):
    my_key_id = await _new_resident(site)
    await phone.goto(site.url + "/operator")
    await phone.wait_for_url("**/operator/signin**")
    assert await phone.inner_text("h1") == "運用者ログイン"
    await phone.fill("#login", "operator")
    await phone.fill("#pw", site.demo["operator"]["password"])
    await phone.click("button[type=submit]")
    await phone.wait_for_url("**/operator?**")
    assert await phone.inner_text("h1") == "申請によるマイキーIDの利用停止"
    assert await serious_violations(phone) == []
    await phone.fill("#id", "ZZZZ9999")
    await phone.fill("#reason", "電話で紛失の連絡")
    await phone.click("form[action^='/operator/suspend'] button")
    assert await phone.inner_text("[role=alert]") != ""  # unknown: said, nothing suspended
    await phone.fill("#id", my_key_id)
    await phone.fill("#reason", "電話で紛失の連絡（本人）")
    await phone.click("form[action^='/operator/suspend'] button")
    assert my_key_id in await phone.inner_text("[role=status]")
    assert await serious_violations(phone) == []
    async with httpx.AsyncClient(base_url=site.url) as client:
        signin = await client.post("/signin", data={"myKeyId": my_key_id, "password": "lost1234"})
    assert signin.status_code == 401  # suspended: no sign-in works
    await phone.goto(site.url + "/operator?lang=en")
    assert await phone.inner_text("h1") == "Suspend a MyKey ID on request"
    await phone.fill("#id", my_key_id)
    await phone.fill("#reason", "again")
    await phone.click("form[action^='/operator/suspend'] button")
    assert f"{my_key_id} is suspended" in await phone.inner_text("[role=status]")


async def test_a_resident_cannot_use_the_operator_desk(site, phone):
    await phone.goto(site.url + "/operator/signin?lang=en")
    await phone.fill("#login", "shop1-141305")
    await phone.fill("#pw", "not the password")
    await phone.click("button[type=submit]")
    assert await phone.inner_text("[role=alert]") != ""
    assert "/operator/signin" in phone.url


@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_the_operator_records_where_a_partners_invoices_go(site, phone, lang):
    await phone.goto(f"{site.url}/operator/signin?lang={lang}")
    await phone.fill("#login", "operator")
    await phone.fill("#pw", site.demo["operator"]["password"])
    await phone.click("button[type=submit]")
    await phone.wait_for_url("**/operator?**")
    await phone.goto(f"{site.url}/operator/partners?lang={lang}")
    await phone.fill("#billing-name", "株式会社マイキーカード 経理部")
    await phone.fill("#postal", "1000001")
    await phone.fill("#address", "東京都千代田区千代田1-1")
    await phone.fill("#billing-email", "billing@card.example")
    await phone.fill("#invoice", "T7000012050003")  # a wrong check digit: refused, nothing saved
    await phone.click("form[action^='/operator/partners/billing'] button")
    await phone.wait_for_selector(".banner-error")
    assert "13" in await phone.inner_text(".banner-error")  # T and 13 digits: what to fix
    assert await serious_violations(phone) == []
    await phone.fill("#billing-name", "株式会社マイキーカード 経理部")
    await phone.fill("#postal", "1000001")
    await phone.fill("#address", "東京都千代田区千代田1-1")
    await phone.fill("#billing-email", "billing@card.example")
    await phone.fill("#invoice", "T7000012050002")
    await phone.click("form[action^='/operator/partners/billing'] button")
    await phone.wait_for_selector(".banner-success")
    assert "billing@card.example" in await phone.inner_text("main")
    assert await serious_violations(phone) == []
    await screenshot(phone, f"operator-partners-{lang}")
