"""Password sign-in, rate limits, cookie sessions with CSRF, sign-out, lost cards and renewals."""

import httpx
import pytest

from api.app import create_app
from domain.auth.actor import Actor, Role
from domain.auth.permissions import Permission, permit
from domain.errors import DomainError, ErrorCode
from domain.sql import reader

PASSWORD_LOGIN = (
    "mutation($id: String!, $pw: String!, $cookie: Boolean! = false) {"
    " loginWithPassword(myKeyId: $id, password: $pw, useCookie: $cookie)"
    " { token csrfToken cardSession resident { myKeyId } userErrors { code field message } } }"
)
CARD_LOGIN = (
    "mutation($p: CardProofInput!) { loginWithCard(proof: $p) { token userErrors { code message } } }"
)
SUSPEND = (
    "mutation($id: String!, $pw: String!) { suspendMyKeyId(myKeyId: $id, password: $pw)"
    " { resident { status } userErrors { code } } }"
)
REBIND = (
    "mutation($id: String!, $pw: String!, $p: CardProofInput!) { rebindCard(myKeyId: $id, password: $pw,"
    " proof: $p)"
    " { resident { myKeyId status } userErrors { code message } } }"
)
ME = "{ me { myKeyId } }"


async def _me(people, token):
    response = await people.api.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    body = response.json()
    return body["errors"][0]["extensions"]["code"] if "errors" in body else body["data"]["me"]["myKeyId"]


async def _password_login(people, my_key_id, password):
    return (await people.gql(PASSWORD_LOGIN, id=my_key_id, pw=password))["loginWithPassword"]


async def test_password_sign_in_is_a_reading_session(people):
    await people.municipality()
    resident = await people.register()
    answer = await _password_login(people, resident.my_key_id, resident.password)
    assert answer["cardSession"] is False
    assert await _me(people, answer["token"]) == resident.my_key_id
    wrong = await _password_login(people, resident.my_key_id, "wrong123")
    unknown = await _password_login(people, "NOBODY00", resident.password)
    assert wrong["userErrors"] == unknown["userErrors"]  # nothing tells an unknown ID from a wrong password
    assert wrong["userErrors"][0]["code"] == "UNAUTHENTICATED"


def test_moving_points_needs_a_card_session():
    with pytest.raises(DomainError) as refused:
        permit(Actor(Role.RESIDENT, 1), Permission.RESIDENT_CARD)
    assert refused.value.code is ErrorCode.FORBIDDEN
    assert permit(Actor(Role.RESIDENT, 1, card_id=7), Permission.RESIDENT_CARD).card_verified


async def test_the_resident_a_sign_in_answers_with_shows_all_its_fields(people, town):
    """The signed-in resident's fields read by the resident the payload names, not by the (still
    anonymous) caller of the sign-in: a password sign-in can ask for vouchers and balances at once."""
    answer = await people.gql(
        "mutation($id: String!, $pw: String!) { loginWithPassword(myKeyId: $id, password: $pw)"
        " { resident { myKeyId vouchers { serial } balances { points } reserved { points }"
        " history(first: 5) { edges { node { points } } } serviceLinks { serviceCode } }"
        " userErrors { code } } }",
        id=town.resident.my_key_id,
        pw=town.resident.password,
    )
    signed_in = answer["loginWithPassword"]
    assert signed_in["userErrors"] == []
    assert signed_in["resident"]["vouchers"] == []
    assert signed_in["resident"]["balances"] == [{"points": 1000}]


async def test_failed_sign_ins_are_limited_per_mykey_id(people):
    await people.municipality()
    resident = await people.register()
    for _ in range(10):
        assert (await _password_login(people, resident.my_key_id, "wrong123"))["userErrors"][0]["code"] == (
            "UNAUTHENTICATED"
        )
    limited = await _password_login(people, resident.my_key_id, resident.password)
    assert limited["userErrors"][0]["code"] == "RATE_LIMITED"
    people.later(minutes=15)
    assert (await _password_login(people, resident.my_key_id, resident.password))["userErrors"] == []


async def test_sign_in_attempts_are_limited_per_client_address(people):
    for n in range(60):
        await _password_login(people, f"NOBODY{n:02d}", "wrong123")
    assert (await _password_login(people, "NOBODY99", "wrong123"))["userErrors"][0]["code"] == "RATE_LIMITED"


async def test_sessions_expire(people):
    await people.municipality()
    resident = await people.register()
    people.later(hours=8, seconds=1)
    assert await _me(people, resident.token) == "UNAUTHENTICATED"


async def test_cookie_sessions_need_the_csrf_header(people):
    await people.municipality()
    resident = await people.register()
    response = await people.api.post(
        "/graphql",
        json={
            "query": PASSWORD_LOGIN,
            "variables": {"id": resident.my_key_id, "pw": resident.password, "cookie": True},
        },
    )
    answer = response.json()["data"]["loginWithPassword"]
    assert answer["token"] is None  # the token is only in the HttpOnly cookie
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("mykey_session="))
    assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie
    body = {"query": ME}
    without = (await people.api.post("/graphql", json=body)).json()
    assert without["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    wrong = (await people.api.post("/graphql", json=body, headers={"X-CSRF-Token": "csrf_guess"})).json()
    assert wrong["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    right = (
        await people.api.post("/graphql", json=body, headers={"X-CSRF-Token": answer["csrfToken"]})
    ).json()
    assert right["data"]["me"]["myKeyId"] == resident.my_key_id


async def test_log_out_ends_the_session(people):
    await people.municipality()
    resident = await people.register()
    assert (await people.gql("mutation { logOut { ok userErrors { code } } }", resident.token))["logOut"][
        "ok"
    ]
    assert await _me(people, resident.token) == "UNAUTHENTICATED"


async def test_a_lost_card_is_suspended_with_the_password_alone(people):
    await people.municipality()
    resident = await people.register()
    suspended = (await people.gql(SUSPEND, id=resident.my_key_id, pw=resident.password))["suspendMyKeyId"]
    assert suspended == {"resident": {"status": "SUSPENDED"}, "userErrors": []}
    assert await _me(people, resident.token) == "UNAUTHENTICATED"  # at once, everywhere
    card = (await people.gql(CARD_LOGIN, p=await people.proof(resident.card)))["loginWithCard"]
    assert card["userErrors"][0]["code"] == "FORBIDDEN"
    password = await _password_login(people, resident.my_key_id, resident.password)
    assert password["userErrors"][0]["code"] == "FORBIDDEN"
    wrong = (await people.gql(SUSPEND, id=resident.my_key_id, pw="wrong123"))["suspendMyKeyId"]
    assert wrong["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_a_stranger_cannot_stop_the_owner_suspending(people, db, clock):
    """Wrong passwords from a stranger's address lock that address out, never the owner elsewhere."""
    await people.municipality()
    resident = await people.register()
    for _ in range(10):
        await _password_login(people, resident.my_key_id, "wrong123")
        wrong = (await people.gql(SUSPEND, id=resident.my_key_id, pw="wrong123"))["suspendMyKeyId"]
        assert wrong["userErrors"][0]["code"] == "UNAUTHENTICATED"
    stranger = (await people.gql(SUSPEND, id=resident.my_key_id, pw=resident.password))["suspendMyKeyId"]
    assert stranger["userErrors"][0]["code"] == "RATE_LIMITED"  # the guesser's own address is locked
    owners_phone = httpx.ASGITransport(
        app=create_app(db.settings, clock, manage_database=False), client=("198.51.100.7", 50000)
    )
    async with httpx.AsyncClient(transport=owners_phone, base_url="http://testserver") as phone:
        answer = await phone.post(
            "/graphql",
            json={"query": SUSPEND, "variables": {"id": resident.my_key_id, "pw": resident.password}},
        )
    assert answer.json()["data"]["suspendMyKeyId"] == {"resident": {"status": "SUSPENDED"}, "userErrors": []}


async def test_the_operator_suspends_on_a_residents_request(people):
    await people.municipality()
    resident = await people.register()
    operator = await people.operator()
    on_request = (
        "mutation($id: String!, $why: String!) { suspendMyKeyIdOnRequest(myKeyId: $id, reason: $why)"
        " { resident { status } userErrors { code field } } }"
    )
    blank = await people.gql(on_request, operator, id=resident.my_key_id, why="  ")
    assert blank["suspendMyKeyIdOnRequest"]["userErrors"] == [{"code": "INVALID_INPUT", "field": "reason"}]
    unknown = await people.gql(on_request, operator, id="ZZZZ9999", why="lost card")
    assert unknown["suspendMyKeyIdOnRequest"]["userErrors"] == [{"code": "NOT_FOUND", "field": "myKeyId"}]
    assert await _me(people, resident.token) == resident.my_key_id  # nothing changed so far
    done = await people.gql(on_request, operator, id=resident.my_key_id, why="lost card, by telephone")
    assert done["suspendMyKeyIdOnRequest"] == {"resident": {"status": "SUSPENDED"}, "userErrors": []}
    assert await _me(people, resident.token) == "UNAUTHENTICATED"
    by = await reader().fetchval(
        "SELECT suspended_by FROM residents WHERE my_key_id = $1", resident.my_key_id
    )
    assert by.startswith("operator:") and by.endswith("lost card, by telephone")


async def test_a_new_card_keeps_the_mykey_id(people):
    await people.municipality()
    resident = await people.register()
    await people.gql(SUSPEND, id=resident.my_key_id, pw=resident.password)
    renewed = people.card()
    rebound = (
        await people.gql(
            REBIND, id=resident.my_key_id, pw=resident.password, p=await people.proof(renewed, "REBIND")
        )
    )["rebindCard"]
    assert rebound == {"resident": {"myKeyId": resident.my_key_id, "status": "ACTIVE"}, "userErrors": []}
    old = (await people.gql(CARD_LOGIN, p=await people.proof(resident.card)))["loginWithCard"]
    assert old["userErrors"][0]["code"] == "CARD_INVALID"
    new = (await people.gql(CARD_LOGIN, p=await people.proof(renewed)))["loginWithCard"]
    assert await _me(people, new["token"]) == resident.my_key_id
    again = (
        await people.gql(
            REBIND, id=resident.my_key_id, pw=resident.password, p=await people.proof(renewed, "REBIND")
        )
    )["rebindCard"]
    assert again["userErrors"][0]["code"] == "INVALID_INPUT"
    other = await people.register()
    stolen = (
        await people.gql(
            REBIND, id=other.my_key_id, pw=other.password, p=await people.proof(renewed, "REBIND")
        )
    )["rebindCard"]
    assert stolen["userErrors"][0]["code"] == "INVALID_INPUT"
    wrong_password = (
        await people.gql(
            REBIND, id=resident.my_key_id, pw="wrong123", p=await people.proof(people.card(), "REBIND")
        )
    )["rebindCard"]
    assert wrong_password["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_changing_the_password_ends_other_sessions(people):
    await people.municipality()
    resident = await people.register()
    other = (await _password_login(people, resident.my_key_id, resident.password))["token"]
    changed = await people.gql(
        'mutation { changePassword(currentPassword: "abc123XYZ", password: "newpass99",'
        ' passwordConfirmation: "newpass99") { resident { myKeyId } userErrors { code } } }',
        resident.token,
    )
    assert changed["changePassword"]["userErrors"] == []
    assert await _me(people, other) == "UNAUTHENTICATED"
    assert await _me(people, resident.token) == resident.my_key_id
    assert (await _password_login(people, resident.my_key_id, "newpass99"))["userErrors"] == []
