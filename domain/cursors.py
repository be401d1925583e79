"""Opaque page cursors (``after``): base64 of ``<kind>:<id>``, refused unless we gave them out."""

import base64

from domain.errors import DomainError, ErrorCode
from domain.numbers import ascii_int


def encode_cursor(value: int, kind: str = "entry") -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode()


def decode_cursor(cursor: str | None, kind: str = "entry") -> int | None:
    """The id in ``cursor`` (None for no cursor); INVALID_INPUT on ``after`` for anything else."""
    if not cursor:
        return None
    try:
        found, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if found == kind and (number := ascii_int(value)) is not None:
            return number
    except (ValueError, UnicodeDecodeError):
        pass
    raise DomainError(ErrorCode.INVALID_INPUT, "This cursor is not one we gave out.", "after")
