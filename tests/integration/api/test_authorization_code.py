"""The exchange widget's consent over HTTP: /oauth/authorize (the resident signs in on MyKey's page and
confirms), the code back to the partner's registered URI, and its redemption at /oauth/token with PKCE
S256 — once — which makes the exchange."""

import base64
import hashlib
import html
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from domain.sql import reader
from tests.integration.identity.people import PASSWORD

REDIRECT = "https://partner.example/mykey/return"


async def _partner(people):
    operator = await people.operator()
    added = await people.gql(
        'mutation { addPartner(name: "ANAマイレージ", ratePoints: 2, rateYen: 1)'
        " { partner { clientId } clientSecret } }",
        operator,
    )
    client_id = added["addPartner"]["partner"]["clientId"]
    registered = await people.gql(
        "mutation($c: String!, $u: [String!]!) { setPartnerRedirectUris(clientId: $c, redirectUris: $u)"
        " { redirectUris userErrors { code field } } }",
        operator,
        c=client_id,
        u=[REDIRECT],
    )
    assert registered["setPartnerRedirectUris"]["redirectUris"] == [REDIRECT]
    return client_id, added["addPartner"]["clientSecret"]


def _pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _query(client_id, challenge, **more):
    return {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "state": "st-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "partner_points": "3000",
        "external_ref": "ANA-ORDER-1",
    } | more


async def _code(api, people, town, client_id, challenge):
    api.cookies.clear()  # a browser that has not signed in to MyKey yet
    url = "/oauth/authorize?" + urlencode(_query(client_id, challenge))
    first = await api.get(url + "&lang=ja")
    assert first.status_code == 200 and "ANAマイレージ の 3,000 ポイントを、1,500 円分" in first.text
    assert first.headers["x-frame-options"] == "DENY"  # the consent page refuses framing
    assert "/signin?" in first.text and "next=" in first.text
    signed = await api.post(
        "/signin",
        data={"myKeyId": town.resident.my_key_id, "password": PASSWORD, "next": url},
    )
    assert signed.status_code == 303 and signed.headers["location"] == url  # back to the consent
    consent = await api.get(url)
    assert "交換を確定する" in consent.text
    form = _query(client_id, challenge) | {"csrf": api.cookies.get("mykey_csrf"), "program": ""}
    confirmed = await api.post("/oauth/authorize", data=form)
    assert confirmed.status_code == 200 and "handoff.js" in confirmed.text
    fallback = html.unescape(confirmed.text.split('data-fallback="')[1].split('"')[0])
    back = urlsplit(fallback)
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT
    query = parse_qs(back.query)
    assert query["state"] == ["st-123"]
    return query["code"][0]


async def test_a_resident_confirms_and_the_partner_server_redeems_the_code_once(api, people, town):
    client_id, secret = await _partner(people)
    verifier, challenge = _pkce()
    code = await _code(api, people, town, client_id, challenge)
    assert await reader().fetchval("SELECT COUNT(*) FROM exchanges") == 0  # nothing until redeemed
    redeem = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    wrong = await api.post(
        "/oauth/token", data=redeem | {"code_verifier": "x" * 43}, auth=(client_id, secret)
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"  # and the code is spent
    verifier, challenge = _pkce()
    code = await _code(api, people, town, client_id, challenge)
    redeem = redeem | {"code": code, "code_verifier": verifier}
    done = await api.post("/oauth/token", data=redeem, auth=(client_id, secret))
    assert done.status_code == 200, done.text
    exchange = done.json()["exchange"]
    assert (exchange["partnerPoints"], exchange["yen"], exchange["externalRef"]) == (
        3000,
        1500,
        "ANA-ORDER-1",
    )
    again = await api.post("/oauth/token", data=redeem, auth=(client_id, secret))
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert await reader().fetchval("SELECT COUNT(*) FROM exchanges") == 1
    reserved = await reader().fetchval("SELECT balance FROM accounts WHERE kind = 'RESIDENT_RESERVED'")
    assert reserved == 1500


async def test_bad_requests_never_go_to_an_unregistered_address(api, people, town):
    client_id, _ = await _partner(people)
    _, challenge = _pkce()
    elsewhere = await api.get(
        "/oauth/authorize?" + urlencode(_query(client_id, challenge, redirect_uri="https://evil.example/x"))
    )
    assert elsewhere.status_code == 400 and "evil.example" not in elsewhere.headers.get("location", "")
    unknown = await api.get("/oauth/authorize?" + urlencode(_query("partner-nobody", challenge)))
    assert unknown.status_code == 400
    no_pkce = await api.get(
        "/oauth/authorize?" + urlencode(_query(client_id, challenge, code_challenge_method="plain"))
    )
    assert no_pkce.status_code == 303
    assert parse_qs(urlsplit(no_pkce.headers["location"]).query)["error"] == ["invalid_request"]
    other_secret = await api.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": "x",
            "redirect_uri": REDIRECT,
            "code_verifier": "y" * 43,
        },
        auth=(client_id, "not-the-secret"),
    )
    assert other_secret.status_code == 401 and other_secret.json()["error"] == "invalid_client"
    bad_uri = await people.gql(
        'mutation($c: String!) { setPartnerRedirectUris(clientId: $c, redirectUris: ["http://partner.example/cb"])'
        " { userErrors { code field } } }",
        await people.operator(),
        c=client_id,
    )
    assert bad_uri["setPartnerRedirectUris"]["userErrors"] == [
        {"code": "INVALID_INPUT", "field": "redirectUris"}
    ]


async def test_the_widget_flow_is_rate_limited_per_address_and_per_resident(api, people, town):
    client_id, _ = await _partner(people)
    _, challenge = _pkce()
    for _ in range(3):
        await _code(api, people, town, client_id, challenge)  # 3 pages of the widget each
    await reader().execute(
        "UPDATE rate_limit_windows SET hits = 20 WHERE bucket LIKE 'consent-resident:%'"
    )  # this resident's allowance for the hour is spent
    form = _query(client_id, challenge) | {"csrf": api.cookies.get("mykey_csrf"), "program": ""}
    refused = await api.post("/oauth/authorize?lang=ja", data=form)
    assert refused.status_code == 400 and "試行回数が多すぎます" in refused.text
    assert await reader().fetchint("SELECT COUNT(*) FROM authorization_codes") == 3
    await reader().execute("UPDATE rate_limit_windows SET hits = 60 WHERE bucket LIKE 'authorize-ip:%'")
    page = await api.get("/oauth/authorize?" + urlencode(_query(client_id, challenge)) + "&lang=ja")
    assert page.status_code == 429 and "ANAマイレージ" not in page.text
    people.later(minutes=1)  # a new window
    assert (await api.get("/oauth/authorize?" + urlencode(_query(client_id, challenge)))).status_code == 200
