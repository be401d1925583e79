"""Card proof: a fresh single-use nonce, a trusted chain, validity, revocation and the signature."""

import base64
from datetime import timedelta

from domain.cards.authority import CardAuthority
from domain.cards.virtual import VirtualCard
from domain.sql import reader
from models.staff import StaffRole

LOGIN = (
    "mutation($p: CardProofInput!) { loginWithCard(proof: $p) { token cardSession resident { myKeyId }"
    " userErrors { code field message } } }"
)


async def _login(people, proof):
    return (await people.gql(LOGIN, p=proof))["loginWithCard"]


async def test_a_card_signs_in_once_per_challenge(people):
    await people.municipality()
    resident = await people.register()
    proof = await people.proof(resident.card)
    first = await _login(people, proof)
    assert first["resident"]["myKeyId"] == resident.my_key_id
    assert first["cardSession"] is True
    replay = await _login(people, proof)
    assert replay["userErrors"][0]["code"] == "CARD_INVALID"
    assert replay["token"] is None


async def test_a_challenge_expires_within_minutes(people):
    await people.municipality()
    resident = await people.register()
    proof = await people.proof(resident.card)
    people.later(minutes=5, seconds=1)
    assert (await _login(people, proof))["userErrors"][0]["code"] == "CARD_INVALID"


async def test_a_signature_over_another_nonce_fails_and_burns_the_nonce(people):
    await people.municipality()
    resident = await people.register()
    proof = await people.proof(resident.card)
    forged = proof | {"signature": base64.b64encode(resident.card.sign(b"something else")).decode()}
    assert (await _login(people, forged))["userErrors"][0]["code"] == "CARD_INVALID"
    assert (await _login(people, proof))["userErrors"][0]["code"] == "CARD_INVALID"  # the nonce is used up


async def test_a_key_that_does_not_match_the_certificate_fails(people):
    await people.municipality()
    resident = await people.register()
    thief = people.card()
    proof = await people.proof(thief)
    stolen_certificate = resident.card.prove("x")["certificate"]
    assert (await _login(people, proof | {"certificate": stolen_certificate}))["userErrors"][0]["code"] == (
        "CARD_INVALID"
    )


async def test_a_card_from_an_untrusted_authority_fails(people, tmp_path):
    rogue = CardAuthority.init(tmp_path / "rogue", people.clock.now() - timedelta(days=1))
    card = VirtualCard.from_pem(rogue.issue_card(people.clock.now()))
    answer = (
        await people.gql(
            "mutation($p: CardProofInput!) { beginRegistration(proof: $p) { registrationToken userErrors"
            " { code } } }",
            p=await people.proof(card, "REGISTRATION"),
        )
    )["beginRegistration"]
    assert answer == {"registrationToken": None, "userErrors": [{"code": "CARD_INVALID"}]}
    assert await reader().fetchval("SELECT COUNT(*) FROM registrations") == 0


async def test_certificates_outside_their_validity_fail(people):
    await people.municipality()
    resident = await people.register()
    people.later(days=365 * 5 + 1)
    answer = await _login(people, await people.proof(resident.card))
    assert answer["userErrors"][0]["code"] == "CARD_INVALID"
    assert "expired" in answer["userErrors"][0]["message"]
    future = people.card(not_before=people.clock.now() + timedelta(days=2))
    assert (await _login(people, await people.proof(future)))["userErrors"][0]["code"] == "CARD_INVALID"


async def test_garbage_is_a_clear_error(people):
    proof = {"certificate": "not base64!", "nonce": "n", "signature": "AA=="}
    assert (await _login(people, proof))["userErrors"][0]["code"] == "CARD_INVALID"
    nonce = (await people.proof(people.card()))["nonce"]
    bad_der = {
        "certificate": base64.b64encode(b"not a certificate").decode(),
        "nonce": nonce,
        "signature": "AA==",
    }
    answer = await _login(people, bad_der)
    assert answer["userErrors"] == [
        {"code": "CARD_INVALID", "field": "proof", "message": answer["userErrors"][0]["message"]}
    ]


async def test_nothing_personal_is_stored_about_a_card(people):
    await people.municipality()
    await people.register()
    columns = set((await reader().fetchrow("SELECT * FROM cards")).keys())
    assert columns == {
        "id",
        "resident_id",
        "issuer",
        "serial",
        "fingerprint",
        "not_before",
        "not_after",
        "bound_at",
        "unbound_at",
    }


async def test_a_proof_counts_only_for_what_its_challenge_was_asked_for(people):
    """A proof made for a PAY terminal's challenge cannot sign anybody in, and the other way round."""
    await people.municipality()
    shop = await people.shop()
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    pay = await people.terminal("PAY", admin, shopId=str(shop))
    resident = await people.register()
    sessions = await reader().fetchval("SELECT COUNT(*) FROM sessions")
    at_the_till = await _login(people, await people.proof(resident.card, terminal=pay))
    assert at_the_till["token"] is None
    assert at_the_till["userErrors"][0]["code"] == "CARD_INVALID"
    assert "made for something else" in at_the_till["userErrors"][0]["message"]
    for_registration = await _login(people, await people.proof(resident.card, "REGISTRATION"))
    assert for_registration["userErrors"][0]["code"] == "CARD_INVALID"
    spend = await people.gql(
        'mutation($p: CardProofInput!) { spendPoints(proof: $p, amount: 1, idempotencyKey: "pay-purpose-1")'
        " { userErrors { code message } } }",
        pay,
        p=await people.proof(resident.card),  # a sign-in challenge, presented at a till
    )
    assert spend["spendPoints"]["userErrors"][0]["code"] == "CARD_INVALID"
    assert await reader().fetchval("SELECT COUNT(*) FROM sessions") == sessions
    assert (await _login(people, await people.proof(resident.card)))["cardSession"] is True
