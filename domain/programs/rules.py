"""Program rules: allowed uses, validity, premiums (floored per transaction)."""

from datetime import date
from enum import StrEnum


class ProgramUse(StrEnum):
    SHOPS = "SHOPS"
    FACILITIES = "FACILITIES"  # museums and other public facilities
    BUS = "BUS"
    TOURISM = "TOURISM"
    ONLINE = "ONLINE"  # products the municipality lists online
    DONATION = "DONATION"
    CROWDFUNDING = "CROWDFUNDING"


def premium(points: int, rate_percent: int) -> int:
    """The premium on ``points`` at ``rate_percent`` %, floored (product.md §4 and §11)."""
    return points * rate_percent // 100


def event_open(starts_on: date | None, ends_on: date | None, today: date) -> bool:
    """A support event takes points from its first day through its last (Japan days)."""
    return (starts_on is None or starts_on <= today) and (ends_on is None or today <= ends_on)
