"""The daily job's e-mail: warnings before points expire, notices after, reserved-point reminders.

Who gets them: residents with an e-mail address who chose "points expired" (期限・失効の通知);
reserved-point reminders count as such a deadline warning. Every message has a dedupe key, so a
re-run of the job writes nothing twice.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.clock import japan_date
from domain.ledger.actions import Expired, ExpiryHook
from domain.notifications.outbox import (
    Mail,
    enqueue,
    expiry_warning,
    opted_in,
    points_expired,
    reserved_reminder,
)
from domain.sql import Sql, transaction

WARN_DAYS = 7
REMINDER_DAYS = (7, 13)


def expiry_notifier(now: datetime) -> ExpiryHook:
    """The expiry hook: tells residents what expired, in the expiry batch's own transaction."""

    async def notify(sql: Sql, expired: list[Expired]) -> None:
        by_resident: dict[int, list[Expired]] = defaultdict(list)
        for e in expired:
            if e.resident_id is not None and e.program_id is not None:
                by_resident[e.resident_id].append(e)
        wanting = await opted_in(sql, list(by_resident), "notify_points_expired")
        names = await _program_names(sql, [e for r in wanting for e in by_resident[r]])
        mails = []
        for r, to in wanting.items():
            lost = sorted(by_resident[r], key=lambda e: e.entry_id)
            per_program = [(names[e.program_id], e.points) for e in lost if e.program_id is not None]
            mails.append(points_expired(to, r, lost[0].entry_id, per_program))
        await enqueue(sql, mails, now)

    return notify


@dataclass(frozen=True)
class _Name:
    id: int
    name: str


async def _program_names(sql: Sql, expired: list[Expired]) -> dict[int, str]:
    """The name of each program a resident's points expired from, by program id."""
    programs = sorted({e.program_id for e in expired if e.program_id is not None})
    rows = await sql.fetch_as(
        _Name, f"SELECT id, name FROM programs WHERE {sql.any_of('id', 1)}", sql.ids(programs)
    )
    return {r.id: r.name for r in rows}


@dataclass(frozen=True)
class _Due:
    resident_id: int
    expires_at: datetime
    points: int


async def _warnings(sql: Sql, now: datetime) -> list[Mail]:
    rows = await sql.fetch_as(
        _Due,
        "SELECT a.resident_id, l.expires_at, SUM(l.remaining) AS points FROM lots l JOIN accounts a ON a.id ="
        " l.account_id WHERE a.kind = 'RESIDENT_PROGRAM' AND l.remaining > 0"
        " AND l.expires_at > $1 AND l.expires_at <= $2 GROUP BY a.resident_id, l.expires_at",
        now,
        now + timedelta(days=WARN_DAYS),
    )
    totals: dict[tuple[int, date], int] = defaultdict(int)
    for row in rows:
        last_day = japan_date(row.expires_at - timedelta(microseconds=1))
        totals[(row.resident_id, last_day)] += row.points
    wanting = await opted_in(sql, sorted({r for r, _ in totals}), "notify_points_expired")
    return [expiry_warning(wanting[r], r, n, d) for (r, d), n in totals.items() if r in wanting]


@dataclass(frozen=True)
class _ReservedLot:
    resident_id: int
    created_at: datetime
    expires_at: datetime
    remaining: int


async def _reminders(sql: Sql, now: datetime) -> list[Mail]:
    rows = await sql.fetch_as(
        _ReservedLot,
        "SELECT a.resident_id, l.created_at, l.expires_at, l.remaining FROM lots l JOIN accounts a ON a.id ="
        " l.account_id WHERE a.kind = 'RESIDENT_RESERVED' AND l.remaining > 0 AND l.expires_at > $1",
        now,
    )
    today = japan_date(now)
    due: dict[tuple[int, date, int], tuple[int, date]] = {}
    for row in rows:
        resident = row.resident_id
        arrived = japan_date(row.created_at)
        elapsed = (today - arrived).days
        day = 13 if elapsed >= 13 else 7 if elapsed >= 7 else 0
        if not day:
            continue
        last_day = japan_date(row.expires_at - timedelta(microseconds=1))
        points, _ = due.get((resident, arrived, day), (0, last_day))
        due[(resident, arrived, day)] = (points + row.remaining, last_day)
    wanting = await opted_in(sql, sorted({r for r, _, _ in due}), "notify_points_expired")
    return [
        reserved_reminder(wanting[r], r, arrived, day, points, last_day)
        for (r, arrived, day), (points, last_day) in due.items()
        if r in wanting
    ]


async def send_warnings(now: datetime) -> int:
    """Write the day's expiry warnings and reserved-point reminders (once each); how many are due."""

    async def work(sql: Sql) -> int:
        mails = await _warnings(sql, now) + await _reminders(sql, now)
        await enqueue(sql, mails, now)
        return len(mails)

    return await transaction(work)
