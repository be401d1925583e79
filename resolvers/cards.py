"""Card challenges."""

import strawberry

from domain.auth import ratelimit
from domain.auth.permissions import Permission
from domain.cards.proof import Purpose, issue_challenge_for
from schema.cards import CardChallengePayload, CardChallengePurpose  # noqa: F401 (registers the enum)
from schema.context import Info
from schema.errors import attempt
from schema.permissions import Needs


async def _challenge(info: Info, purpose: Purpose) -> CardChallengePayload:
    now = info.context.clock.now()
    await ratelimit.hit(ratelimit.CHALLENGE_PER_ADDRESS, info.context.client_address, now)
    challenge = await issue_challenge_for(info.context.actor, purpose, now)
    return CardChallengePayload(nonce=challenge.nonce, expires_at=challenge.expires_at)


@strawberry.type
class CardMutation:
    @strawberry.mutation(
        description="A single-use nonce for the card to sign (expires in 5 minutes), good for one purpose"
        " only: sign-in (the default), registration or re-binding; a terminal's is for that terminal.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def card_challenge(self, info: Info, purpose: Purpose = Purpose.SIGN_IN) -> CardChallengePayload:
        return await attempt(CardChallengePayload, _challenge(info, purpose))
