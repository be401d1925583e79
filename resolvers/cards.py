"""Card challenges."""

import strawberry

from domain.auth import ratelimit
from domain.cards.proof import issue_challenge
from schema.cards import CardChallengePayload
from schema.context import Info
from schema.errors import attempt


async def _challenge(info: Info) -> CardChallengePayload:
    now = info.context.clock.now()
    await ratelimit.hit(ratelimit.CHALLENGE_PER_ADDRESS, info.context.client_address, now)
    challenge = await issue_challenge(now)
    return CardChallengePayload(nonce=challenge.nonce, expires_at=challenge.expires_at)


@strawberry.type
class CardMutation:
    @strawberry.mutation(
        description="A single-use nonce for the card to sign (expires in 5 minutes). Anyone."
    )
    async def card_challenge(self, info: Info) -> CardChallengePayload:
        return await attempt(CardChallengePayload, _challenge(info))
