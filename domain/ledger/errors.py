"""Expected ledger failures."""

from domain.errors import DomainError, ErrorCode


class LedgerError(DomainError):
    """A movement the ledger refused; the transaction that asked for it is rolled back."""


def insufficient_points(needed: int, field: str | None = None, available: int | None = None) -> LedgerError:
    """``available``: what the caller could use instead, when known (a page offers it)."""
    details = {"needed": str(needed)} | ({} if available is None else {"available": str(available)})
    return LedgerError(
        ErrorCode.INSUFFICIENT_POINTS,
        f"Not enough points: {needed:,} needed.",
        field=field,
        reason=None if available is None else "points.available",
        details=details,
    )


def idempotency_conflict() -> LedgerError:
    return LedgerError(
        ErrorCode.IDEMPOTENCY_CONFLICT,
        "This idempotency key was already used for a different request.",
        field="idempotencyKey",
    )
