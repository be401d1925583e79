"""Card proof: the challenge and the signed answer (see the contract's "Card proof")."""

from datetime import datetime

import strawberry

from domain.cards.proof import CardProof, Purpose
from schema.errors import Payload


@strawberry.input(description="A signature by the card's key over a fresh nonce from cardChallenge.")
class CardProofInput:
    certificate: str = strawberry.field(description="base64 (standard alphabet) of the user certificate, DER")
    nonce: str = strawberry.field(description="from the cardChallenge mutation, single use, short-lived")
    signature: str = strawberry.field(
        description="base64 of RSASSA-PKCS1-v1_5 with SHA-256 over the UTF-8 bytes of nonce"
    )

    def to_domain(self) -> CardProof:
        return CardProof(certificate=self.certificate, nonce=self.nonce, signature=self.signature)


@strawberry.type
class CardChallengePayload(Payload):
    nonce: str | None = None
    expires_at: datetime | None = None


CardChallengePurpose = strawberry.enum(
    Purpose,
    name="CardChallengePurpose",
    description="What the signed challenge will be used for; a terminal's challenge is for that terminal.",
)
