"""Authorisation, in one place: every domain action starts by asking one of these.

No actor → UNAUTHENTICATED; the wrong actor → FORBIDDEN. Moving or spending points needs a
resident session that began with the card (a password session may read and change light settings).
"""

from datetime import datetime

from domain.auth.actor import Actor, Role
from domain.cards.revocation import ensure_session_card_current
from domain.errors import DomainError, ErrorCode
from domain.sql import reader
from models.terminals import TerminalKind


def require(actor: Actor | None, *roles: Role) -> Actor:
    if actor is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in first.")
    if actor.role not in roles:
        raise DomainError(ErrorCode.FORBIDDEN, "You may not do this.")
    return actor


def require_terminal(actor: Actor | None, kind: TerminalKind) -> Actor:
    actor = require(actor, Role.TERMINAL)
    if actor.terminal_kind is not kind:
        raise DomainError(ErrorCode.FORBIDDEN, f"Only a {kind.value} terminal may do this.")
    return actor


def require_partner(actor: Actor | None, scope: str) -> Actor:
    """A partner whose token was granted ``scope`` (``exchange`` or ``coupons``)."""
    actor = require(actor, Role.PARTNER)
    if scope not in actor.scopes:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            f"This token lacks the '{scope}' scope: ask /oauth/token for scope={scope}.",
        )
    return actor


def require_card_session(actor: Actor | None) -> Actor:
    """A resident whose session began with the card: what moving or spending points needs."""
    actor = require(actor, Role.RESIDENT)
    if not actor.card_verified:
        raise DomainError(ErrorCode.FORBIDDEN, "Moving or spending points needs your card: sign in with it.")
    return actor


async def require_current_card_session(actor: Actor | None, now: datetime) -> Actor:
    """A card session whose card is still good at ``now``: not revoked since sign-in, and its CA's
    revocation list current (product.md §11: a stale list refuses every point-moving operation)."""
    actor = require_card_session(actor)
    assert actor.card_id is not None  # card_verified
    await ensure_session_card_current(reader(), actor.card_id, now)
    return actor


def require_municipality(actor: Actor | None, municipality_id: int, *roles: Role) -> Actor:
    """A staff member of ``municipality_id`` in one of ``roles``, or the operator."""
    actor = require(actor, Role.OPERATOR, *roles)
    if actor.role is not Role.OPERATOR and actor.municipality_id != municipality_id:
        raise DomainError(ErrorCode.FORBIDDEN, "This belongs to another municipality.")
    return actor
