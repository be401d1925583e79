"""Parsing the opaque ids clients send back."""

import strawberry

from domain.numbers import ascii_int


def int_id(value: strawberry.ID | None) -> int | None:
    """The numeric id, or -1 for one that cannot exist (it then answers NOT_FOUND, like any unknown id)."""
    if value is None:
        return None
    number = ascii_int(str(value))
    return -1 if number is None else number
