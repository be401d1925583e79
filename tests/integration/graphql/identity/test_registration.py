"""Creating a MyKey ID exactly as screen 16 says (seed 001), through the API."""

import pytest

from domain.sql import reader
from tests.integration.identity.people import COMPLETE, PASSWORD

BEGIN = (
    "mutation($p: CardProofInput!) "
    "{ beginRegistration(proof: $p) { registrationToken userErrors { code field } } }"
)
GENERATE = (
    "mutation($t: String!) { generateMyKeyId(registrationToken: $t)"
    " { candidate remaining final userErrors { code message } } }"
)
CHECK = (
    "mutation($t: String!, $c: String!) { checkMyKeyId(registrationToken: $t, candidate: $c)"
    " { available remaining candidate userErrors { code field } } }"
)


async def _begin(people, card=None) -> str:
    data = await people.gql(BEGIN, p=await people.proof(card or people.card(), "REGISTRATION"))
    return data["beginRegistration"]["registrationToken"]


def _form(token: str, my_key_id: str, **changes):
    form = {
        "registrationToken": token,
        "myKeyId": my_key_id,
        "password": PASSWORD,
        "passwordConfirmation": PASSWORD,
        "basicMunicipalityCode": "141305",
    }
    return form | changes


async def _residents() -> int:
    return int(await reader().fetchval("SELECT COUNT(*) FROM residents"))


async def test_generate_three_times_the_third_is_final(people):
    await people.municipality()
    token = await _begin(people)
    seen = [(await people.gql(GENERATE, t=token))["generateMyKeyId"] for _ in range(3)]
    assert [s["remaining"] for s in seen] == [2, 1, 0]
    assert [s["final"] for s in seen] == [False, False, True]
    assert all(
        len(s["candidate"]) == 8 and s["candidate"].isalnum() and s["candidate"].isupper() for s in seen
    )
    fourth = (await people.gql(GENERATE, t=token))["generateMyKeyId"]
    assert fourth["userErrors"][0]["code"] == "ATTEMPTS_EXHAUSTED"
    assert seen[2]["candidate"] in fourth["userErrors"][0]["message"]
    refused = await people.gql(COMPLETE, input=_form(token, seen[0]["candidate"]))
    assert refused["completeRegistration"]["userErrors"][0]["code"] == "INVALID_INPUT"
    assert await _residents() == 0
    done = await people.gql(COMPLETE, input=_form(token, seen[2]["candidate"]))
    assert done["completeRegistration"]["resident"]["myKeyId"] == seen[2]["candidate"]


async def test_three_taken_candidates_give_a_generated_one(people):
    await people.municipality()
    taken = [await people.register() for _ in range(3)]
    token = await _begin(people)
    answers = [(await people.gql(CHECK, t=token, c=r.my_key_id))["checkMyKeyId"] for r in taken]
    assert [a["available"] for a in answers] == [False, False, False]
    assert [a["remaining"] for a in answers] == [2, 1, 0]
    assigned = answers[2]["candidate"]
    assert assigned and assigned not in {r.my_key_id for r in taken}
    again = (await people.gql(CHECK, t=token, c="ZZZZ9999"))["checkMyKeyId"]
    assert again["userErrors"][0]["code"] == "ATTEMPTS_EXHAUSTED"
    done = await people.gql(COMPLETE, input=_form(token, assigned))
    assert done["completeRegistration"]["userErrors"] == []


async def test_own_candidate_after_a_free_check(people):
    await people.municipality()
    token = await _begin(people)
    free = (await people.gql(CHECK, t=token, c="MYKEY001"))["checkMyKeyId"]
    assert free == {"available": True, "remaining": 3, "candidate": "MYKEY001", "userErrors": []}
    unchecked = await people.gql(COMPLETE, input=_form(token, "MYKEY002"))
    assert unchecked["completeRegistration"]["userErrors"][0]["code"] == "INVALID_INPUT"
    done = await people.gql(COMPLETE, input=_form(token, "MYKEY001"))
    payload = done["completeRegistration"]
    assert payload["resident"] == {
        "myKeyId": "MYKEY001",
        "status": "ACTIVE",
        "basicMunicipality": {"code": "141305", "name": "川崎市"},
    }
    assert payload["cardSession"] is True
    me = await people.gql("{ me { myKeyId } }", payload["token"])
    assert me["me"]["myKeyId"] == "MYKEY001"


@pytest.mark.parametrize(
    ("candidate", "field"), [("mykey001", "candidate"), ("MYKEY01", "candidate"), ("MYKEY-01", "candidate")]
)
async def test_a_candidate_is_eight_uppercase_alphanumerics(people, candidate, field):
    token = await _begin(people)
    answer = (await people.gql(CHECK, t=token, c=candidate))["checkMyKeyId"]
    assert answer["userErrors"] == [{"code": "INVALID_INPUT", "field": field}]
    assert answer["available"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"password": "abc12", "passwordConfirmation": "abc12"}, "password"),
        ({"password": "a" * 17, "passwordConfirmation": "a" * 17}, "password"),
        ({"password": "abc12３456", "passwordConfirmation": "abc12３456"}, "password"),
        ({"password": "abc 1234", "passwordConfirmation": "abc 1234"}, "password"),
        ({"passwordConfirmation": "abc123XYz"}, "passwordConfirmation"),
        ({"email": "a@example.jp", "emailConfirmation": "b@example.jp"}, "emailConfirmation"),
        ({"email": "not-an-address", "emailConfirmation": "not-an-address"}, "email"),
        ({"notifications": {"pointsGranted": True}}, "email"),
        ({"basicMunicipalityCode": "141300"}, "basicMunicipalityCode"),
        ({"basicMunicipalityCode": "131164"}, "basicMunicipalityCode"),
    ],
)
async def test_bad_forms_are_refused_and_change_nothing(people, changes, field):
    await people.municipality()
    token = await _begin(people)
    candidate = (await people.gql(GENERATE, t=token))["generateMyKeyId"]["candidate"]
    refused = (await people.gql(COMPLETE, input=_form(token, candidate, **changes)))["completeRegistration"]
    assert refused["userErrors"][0]["field"] == field, refused
    assert refused["token"] is None
    assert await _residents() == 0
    done = await people.gql(COMPLETE, input=_form(token, candidate))  # the corrected form goes through
    assert done["completeRegistration"]["userErrors"] == []


async def test_email_and_notifications_are_kept(people):
    await people.municipality()
    token = await _begin(people)
    candidate = (await people.gql(GENERATE, t=token))["generateMyKeyId"]["candidate"]
    notifications = {
        "pointsGranted": True,
        "pointsExpired": True,
        "passwordChanged": False,
        "myKeyIdChanged": True,
    }
    form = _form(token, candidate, email="taro@example.jp", emailConfirmation="taro@example.jp")
    done = await people.gql(COMPLETE, input=form | {"notifications": notifications})
    me = await people.gql(
        "{ me { email notifications { pointsGranted pointsExpired passwordChanged myKeyIdChanged } } }",
        done["completeRegistration"]["token"],
    )
    assert me["me"] == {"email": "taro@example.jp", "notifications": notifications}


async def test_one_card_one_mykey_id(people):
    await people.municipality()
    resident = await people.register()
    again = await people.gql(BEGIN, p=await people.proof(resident.card, "REGISTRATION"))
    assert again["beginRegistration"]["userErrors"] == [{"code": "INVALID_INPUT", "field": "proof"}]
    card = people.card()
    first, second = await _begin(people, card), await _begin(people, card)
    ids = [(await people.gql(GENERATE, t=t))["generateMyKeyId"]["candidate"] for t in (first, second)]
    assert (await people.gql(COMPLETE, input=_form(first, ids[0])))["completeRegistration"][
        "userErrors"
    ] == []
    late = (await people.gql(COMPLETE, input=_form(second, ids[1])))["completeRegistration"]
    assert late["userErrors"][0]["code"] == "INVALID_INPUT"
    assert await _residents() == 2


async def test_a_registration_is_used_once_and_expires(people):
    await people.municipality()
    token = await _begin(people)
    candidate = (await people.gql(GENERATE, t=token))["generateMyKeyId"]["candidate"]
    people.later(minutes=31)
    expired = (await people.gql(COMPLETE, input=_form(token, candidate)))["completeRegistration"]
    assert expired["userErrors"][0]["code"] == "EXPIRED"
    token = await _begin(people)
    candidate = (await people.gql(GENERATE, t=token))["generateMyKeyId"]["candidate"]
    await people.gql(COMPLETE, input=_form(token, candidate))
    replay = (await people.gql(COMPLETE, input=_form(token, candidate)))["completeRegistration"]
    assert replay["userErrors"][0]["code"] == "INVALID_INPUT"
    assert await _residents() == 1


async def test_duplicate_checks_are_limited_per_registration_and_per_address(people):
    token = await _begin(people)
    answers = [(await people.gql(CHECK, t=token, c=f"FREE{n:04d}"))["checkMyKeyId"] for n in range(11)]
    assert [a["available"] for a in answers[:10]] == [True] * 10
    assert answers[10]["userErrors"] == [{"code": "RATE_LIMITED", "field": None}]
    tokens = [await _begin(people) for _ in range(2)]
    for n in range(20):  # the address has used 11 of its 30 checks an hour
        await people.gql(CHECK, t=tokens[n % 2], c=f"MORE{n:04d}")
    limited = (await people.gql(CHECK, t=await _begin(people), c="LAST0000"))["checkMyKeyId"]
    assert limited["userErrors"] == [{"code": "RATE_LIMITED", "field": None}]
