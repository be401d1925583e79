"""A card revoked through a CRL is refused everywhere; CRLs must be genuine and newer."""

from datetime import timedelta

import pytest

from domain.cards.authority import CardAuthority
from domain.cards.proof import CardProof, Purpose, issue_challenge, verify_card_proof
from domain.cards.revocation import CrlRejected, import_crl
from domain.cards.trust import CardTrust
from domain.errors import DomainError, ErrorCode
from domain.sql import reader
from models.staff import StaffRole

PROOF_OPS = {
    "loginWithCard": "mutation($p: CardProofInput!) { loginWithCard(proof: $p) { token userErrors { code"
    " } } }",
    "beginRegistration": (
        "mutation($p: CardProofInput!) { beginRegistration(proof: $p) { registrationToken userErrors {"
        " code } } }"
    ),
    "rebindCard": (
        'mutation($p: CardProofInput!) { rebindCard(myKeyId: "%s", password: "abc123XYZ", proof: $p)'
        " { resident { myKeyId } userErrors { code } } }"
    ),
    "counterLookup": "mutation($p: CardProofInput!) { counterLookup(proof: $p) { customerId userErrors {"
    " code } } }",
}


def _trust(people) -> CardTrust:
    return CardTrust((people.authority.certificate,))


async def test_a_revoked_card_is_refused_everywhere(people):
    await people.municipality()
    await people.service("A1")
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    lookup = await people.terminal("LOOKUP", admin, serviceCode="A1")
    resident = await people.register()
    await people.gql(
        'mutation { linkService(serviceCode: "A1", customerId: "789") { userErrors { code } } }',
        resident.token,
    )
    me_before = await people.gql("{ me { myKeyId } }", resident.token)
    assert me_before["me"]["myKeyId"] == resident.my_key_id

    people.authority.revoke(resident.card.certificate, people.clock.now())
    done = await import_crl(people.authority.crl(people.clock.now()), _trust(people), people.clock.now())
    assert (done.revoked, done.sessions_ended) == (1, 1)

    for name, query in PROOF_OPS.items():
        token = lookup if name == "counterLookup" else None
        text = query % resident.my_key_id if "%s" in query else query
        purpose = {"beginRegistration": "REGISTRATION", "rebindCard": "REBIND"}.get(name, "SIGN_IN")
        proof = await people.proof(resident.card, purpose, terminal=token)
        answer = (await people.gql(text, token, p=proof))[name]
        assert answer["userErrors"] == [{"code": "CARD_REVOKED"}], name
    response = await people.api.post(
        "/graphql",
        json={"query": "{ me { myKeyId } }"},
        headers={"Authorization": f"Bearer {resident.token}"},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # its card session ended


async def test_an_unregistered_revoked_card_cannot_register(people):
    card = people.card()
    people.authority.revoke(card.certificate, people.clock.now())
    await import_crl(people.authority.crl(people.clock.now()), _trust(people), people.clock.now())
    answer = (await people.gql(PROOF_OPS["beginRegistration"], p=await people.proof(card, "REGISTRATION")))[
        "beginRegistration"
    ]
    assert answer == {"registrationToken": None, "userErrors": [{"code": "CARD_REVOKED"}]}


async def test_forged_foreign_and_older_crls_are_refused(people, tmp_path):
    now = people.clock.now()
    rogue = CardAuthority.init(tmp_path / "rogue", now)  # same name as the test CA, another key
    with pytest.raises(CrlRejected, match="signature"):
        await import_crl(rogue.crl(now), _trust(people), now)
    with pytest.raises(CrlRejected, match="not trusted"):
        await import_crl(rogue.crl(now), CardTrust(()), now)
    with pytest.raises(CrlRejected, match="not a certificate revocation list"):
        await import_crl(b"hello", _trust(people), now)
    older = people.authority.crl(now - timedelta(hours=1))
    await import_crl(people.authority.crl(now), _trust(people), now)
    with pytest.raises(CrlRejected, match="already imported"):
        await import_crl(older, _trust(people), now)
    assert await reader().fetchval("SELECT COUNT(*) FROM revocation_lists") == 1


async def _proof(people, card) -> CardProof:
    return CardProof(**card.prove((await issue_challenge(people.clock.now())).nonce))


async def test_a_stale_crl_stops_point_moves_but_not_reads(people):
    card = people.card()
    now = people.clock.now()
    with pytest.raises(DomainError) as unknown:  # no CRL at all yet
        await verify_card_proof(
            await _proof(people, card), _trust(people), now, Purpose.SIGN_IN, moves_points=True
        )
    assert unknown.value.code is ErrorCode.CARD_INVALID and "unknown" in unknown.value.message
    await import_crl(people.authority.crl(now), _trust(people), now)  # next update in 24 hours
    await verify_card_proof(
        await _proof(people, card), _trust(people), now, Purpose.SIGN_IN, moves_points=True
    )
    people.later(hours=26, seconds=1)  # past nextUpdate + 2 hours of grace
    later = people.clock.now()
    with pytest.raises(DomainError) as stale:
        await verify_card_proof(
            await _proof(people, card), _trust(people), later, Purpose.SIGN_IN, moves_points=True
        )
    assert stale.value.code is ErrorCode.CARD_INVALID
    verified = await verify_card_proof(await _proof(people, card), _trust(people), later, Purpose.SIGN_IN)
    assert verified.serial == format(card.certificate.serial_number, "x")
