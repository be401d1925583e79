"""Checks every access function shares: the card session that moves points, the municipality a
member of staff belongs to. Which kinds of caller may call what is ``domain.auth.permissions``.

No actor → UNAUTHENTICATED; the wrong actor → FORBIDDEN. Moving or spending points needs a
resident session that began with the card (a password session may read and change light settings).
"""

from datetime import datetime

from domain.auth.actor import Actor, Role
from domain.auth.permissions import Permission, permit
from domain.cards.revocation import ensure_session_card_current
from domain.errors import DomainError, ErrorCode
from domain.sql import reader


async def require_current_card_session(actor: Actor | None, now: datetime) -> Actor:
    """A card session whose card is still good at ``now``: not revoked since sign-in, and its CA's
    revocation list current (product.md §11: a stale list refuses every point-moving operation)."""
    actor = permit(actor, Permission.RESIDENT_CARD)
    assert actor.card_id is not None  # RESIDENT_CARD admits card sessions only
    await ensure_session_card_current(reader(), actor.card_id, now)
    return actor


def require_municipality(actor: Actor | None, municipality_id: int) -> Actor:
    """``actor`` (already permitted) acts for ``municipality_id``: the operator acts for all."""
    if actor is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in first.")
    if actor.role is not Role.OPERATOR and actor.municipality_id != municipality_id:
        raise DomainError(ErrorCode.FORBIDDEN, "This belongs to another municipality.")
    return actor
