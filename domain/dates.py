"""Days and instants that people type in: with their UTC offset, inside a window a service can mean.

A campaign "from year 1" once reached the database as -infinity and stopped every later step that read
it. Every date or instant an operation takes passes through here first.
"""

from datetime import UTC, date, datetime, timedelta

from domain.clock import japan_date
from domain.errors import DomainError, ErrorCode

BACK = timedelta(days=366)  # a day or instant may lie up to a year in the past…
AHEAD = timedelta(days=366 * 20)  # …and up to twenty years ahead (a library card's validity)


def _outside(first: date, last: date, field: str) -> DomainError:
    return DomainError(
        ErrorCode.INVALID_INPUT, f"Choose a date from {first.isoformat()} to {last.isoformat()}.", field
    )


def sane_instant(value: datetime, now: datetime, field: str) -> datetime:
    """``value`` in UTC, if it carries an offset and lies in the window around ``now``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "Give the time with its UTC offset, e.g. 2026-12-01T00:00:00+09:00.",
            field,
        )
    if not now - BACK <= value <= now + AHEAD:
        raise _outside(japan_date(now - BACK), japan_date(now + AHEAD), field)
    return value.astimezone(UTC)


def sane_day(value: date, now: datetime, field: str) -> date:
    """``value``, if it lies in the window around today in Japan."""
    first, last = japan_date(now - BACK), japan_date(now + AHEAD)
    if not first <= value <= last:
        raise _outside(first, last, field)
    return value
