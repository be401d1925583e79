"""POST /oauth/token: client credentials for partners (authlib), JWT access tokens (joserfc)."""

from datetime import timedelta

VIEWER = "{ viewer { role } }"
ADD_PARTNER = (
    "mutation($n: String!) { addPartner(name: $n) "
    "{ partner { clientId active } clientSecret userErrors { code } } }"
)


async def _partner(people):
    operator = await people.operator()
    added = (await people.gql(ADD_PARTNER, operator, n="マイキーカード"))["addPartner"]
    return operator, added["partner"]["clientId"], added["clientSecret"]


async def _viewer(people, token):
    return (await people.gql(VIEWER, token))["viewer"]


async def test_client_credentials_with_basic_auth(people, api):
    _, client_id, secret = await _partner(people)
    response = await api.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == {"exchange", "coupons"}
    assert response.headers["cache-control"] == "no-store"
    assert await _viewer(people, body["access_token"]) == {"role": "PARTNER"}


async def test_client_credentials_in_the_form_and_a_narrower_scope(people, api):
    _, client_id, secret = await _partner(people)
    response = await api.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": "exchange",
        },
    )
    assert response.json()["scope"] == "exchange", response.text


async def test_bad_requests_get_rfc6749_errors(people, api):
    _, client_id, secret = await _partner(people)
    wrong = await api.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, "nope")
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    unknown = await api.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=("who", "nope"))
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
    grant = await api.post("/oauth/token", data={"grant_type": "password"}, auth=(client_id, secret))
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    scope = await api.post(
        "/oauth/token", data={"grant_type": "client_credentials", "scope": "admin"}, auth=(client_id, secret)
    )
    assert scope.status_code == 400 and scope.json()["error"] == "invalid_scope"


async def test_tokens_expire_and_stop_when_the_partner_is_suspended(people, api, clock):
    operator, client_id, secret = await _partner(people)
    token = (
        await api.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    ).json()["access_token"]
    suspend = "mutation($c: String!) { setPartnerActive(clientId: $c, active: false) { partner { active } } }"
    await people.gql(suspend, operator, c=client_id)
    assert await _viewer(people, token) is None
    again = await api.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert again.status_code == 401
    restore = "mutation($c: String!) { setPartnerActive(clientId: $c, active: true) { partner { active } } }"
    await people.gql(restore, operator, c=client_id)
    assert await _viewer(people, token) == {"role": "PARTNER"}
    clock.advance(timedelta(hours=1, seconds=1))
    assert await _viewer(people, token) is None


async def test_a_tampered_token_is_nobody(people, api):
    _, client_id, secret = await _partner(people)
    token = (
        await api.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    ).json()["access_token"]
    header, claims, signature = token.split(".")
    assert await _viewer(people, f"{header}.{claims}.{signature[::-1]}") is None


async def test_a_repeated_parameter_or_json_body_is_an_invalid_request(people, api):
    _, client_id, secret = await _partner(people)
    repeated = await api.post(
        "/oauth/token",
        content="grant_type=client_credentials&grant_type=client_credentials",
        headers={"content-type": "application/x-www-form-urlencoded"},
        auth=(client_id, secret),
    )
    assert repeated.status_code == 400 and repeated.json()["error"] == "invalid_request"
    as_json = await api.post(
        "/oauth/token", json={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"


async def test_an_unknown_client_and_a_wrong_secret_get_the_same_answer(people, api):
    _, client_id, _ = await _partner(people)
    wrong = await api.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, "nope")
    )
    unknown = await api.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=("who", "nope"))
    assert (wrong.status_code, wrong.json()) == (unknown.status_code, unknown.json())
    in_form = await api.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": "who", "client_secret": "nope"}
    )
    assert in_form.json() == unknown.json()


async def test_basic_and_a_form_secret_together_are_refused(people, api):
    _, client_id, secret = await _partner(people)
    both = await api.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        auth=(client_id, secret),
    )
    assert both.status_code == 400 and both.json()["error"] == "invalid_request"
    assert "one way" in both.json()["error_description"]


async def test_the_token_endpoint_is_rate_limited_per_address(people, api):
    for _ in range(60):
        await api.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=("who", "nope"))
    limited = await api.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=("who", "nope"))
    assert limited.status_code == 429 and limited.json()["error"] == "slow_down"


async def test_a_rotated_secret_keeps_working_for_its_overlap_only(people, api):
    operator, client_id, old = await _partner(people)
    rotate = (
        "mutation($c: String!, $h: Int!) { rotatePartnerSecret(clientId: $c, overlapHours: $h)"
        " { clientSecret previousValidUntil userErrors { code field } } }"
    )
    done = (await people.gql(rotate, operator, c=client_id, h=2))["rotatePartnerSecret"]
    new = done["clientSecret"]
    assert new and new != old and done["previousValidUntil"] is not None

    async def token(secret):
        return await api.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        )

    assert (await token(old)).status_code == 200 and (await token(new)).status_code == 200
    people.later(hours=2, seconds=1)
    assert (await token(old)).status_code == 401 and (await token(new)).status_code == 200
    operator = await people.operator()
    at_once = (await people.gql(rotate, operator, c=client_id, h=0))["rotatePartnerSecret"]
    assert at_once["previousValidUntil"] is None
    assert (await token(new)).status_code == 401 and (await token(at_once["clientSecret"])).status_code == 200
    too_long = (await people.gql(rotate, operator, c=client_id, h=169))["rotatePartnerSecret"]
    assert too_long["userErrors"] == [{"code": "INVALID_INPUT", "field": "overlapHours"}]
