"""Coded, expected failures.

Every area raises a subclass of :class:`DomainError` with a code from :class:`ErrorCode`; the API
layer turns them into ``userErrors`` in one place (schema.errors). Anything else is a bug and is
masked from clients.
"""

from enum import StrEnum


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    ALREADY_REDEEMED = "ALREADY_REDEEMED"
    EXPIRED = "EXPIRED"
    CARD_INVALID = "CARD_INVALID"
    CARD_REVOKED = "CARD_REVOKED"
    MYKEY_ID_TAKEN = "MYKEY_ID_TAKEN"
    ATTEMPTS_EXHAUSTED = "ATTEMPTS_EXHAUSTED"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"
    NOT_ACCEPTED_HERE = "NOT_ACCEPTED_HERE"
    SOLD_OUT = "SOLD_OUT"  # an item has fewer left than the order asks for


class DomainError(Exception):
    """An expected failure that a caller can act on. ``field`` names the input at fault, if any;
    ``reason`` says which of the field's rules failed (``password.fullwidth``), so a page can say
    what to do in its own language; ``details`` carries the figures that sentence needs (an ISO
    time, a shop's name, a balance), never the message's English."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        field: str | None = None,
        reason: str | None = None,
        details: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.reason = reason
        self.details = details or {}
