"""Time for the domain, injected so that tests can move it.

Domain code never calls ``datetime.now()`` and SQL never calls ``now()``: every action takes a
:class:`Clock` and passes the instant to SQL as a parameter.
"""

import time
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol

JST = timezone(timedelta(hours=9), "JST")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class RunningClock:
    """A clock that starts at a given instant and then runs at the real pace.

    Server processes started by the test suite (uvicorn for live updates, the browser's server) get
    the suite's instant through ``MYKEY_CLOCK_START``, so every process of one test reads the same
    time, whatever the machine's date."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("RunningClock needs a timezone-aware start")
        self._start = start.astimezone(UTC)
        self._began = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._began)


class ManualClock:
    """A clock that stands still until told to move (tests, replays, ``mykey jobs daily --at``)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware instant")
        self._now = instant.astimezone(UTC)


def japan_date(instant: datetime) -> date:
    """The calendar day in Japan at ``instant`` (the day the product's validity rules count)."""
    return instant.astimezone(JST).date()
