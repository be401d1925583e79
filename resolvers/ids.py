"""Parsing the opaque ids clients send back."""

import strawberry


def int_id(value: strawberry.ID | None) -> int | None:
    """The numeric id, or -1 for one that cannot exist (it then answers NOT_FOUND, like any unknown id)."""
    if value is None:
        return None
    text = str(value)
    return int(text) if text.isdigit() and len(text) < 19 else -1
