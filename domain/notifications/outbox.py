"""E-mail to residents goes through the outbox: a row written in the same transaction as the
movement or change it reports, keyed so that re-runs never write it twice (I11), sent later by
:mod:`domain.notifications.sender`. Plain Japanese first, English after.
"""

from dataclasses import dataclass
from datetime import date, datetime

from domain.sql import Sql, bulk_insert


@dataclass(frozen=True)
class Mail:
    dedupe_key: str
    kind: str
    to: str
    subject: str
    body: str
    resident_id: int | None = None
    entry_id: int | None = None


def _points(n: int) -> str:
    return f"{n:,} pt"


def _day(d: date) -> str:
    weekday = "月火水木金土日"[d.weekday()]
    return f"{d.year}年{d.month}月{d.day}日（{weekday}）"


def points_granted(to: str, resident_id: int, entry_id: int, points: int, where: str, reason: str) -> Mail:
    return Mail(
        f"granted:{entry_id}:{resident_id}",
        "POINTS_GRANTED",
        to,
        f"{_points(points)} が付与されました / You received {points:,} points",
        f"{where}から {_points(points)} が付与されました（{reason}）。\n\n"
        f"You received {points:,} points from {where} ({reason}).",
        resident_id,
        entry_id,
    )


def points_expired(to: str, resident_id: int, entry_id: int, per_program: list[tuple[str, int]]) -> Mail:
    """One notice for everything a resident lost in one expiry run: each program, then the total.
    ``entry_id`` is the first of the run's EXPIRE entries for this resident (the dedupe key)."""
    points = sum(n for _, n in per_program)
    lines_ja = "\n".join(f"・{name}: {_points(n)}" for name, n in per_program)
    lines_en = "\n".join(f"- {name}: {n:,} points" for name, n in per_program)
    return Mail(
        f"expired:{entry_id}",
        "POINTS_EXPIRED",
        to,
        f"{_points(points)} が失効しました / {points:,} points expired",
        f"有効期限を過ぎた次のポイントが失効しました。\n{lines_ja}\n合計 {_points(points)}\n\n"
        f"These points passed their expiry date:\n{lines_en}\nTotal {points:,} points",
        resident_id,
        entry_id,
    )


def expiry_warning(to: str, resident_id: int, points: int, last_day: date) -> Mail:
    return Mail(
        f"expiry-warning:{resident_id}:{last_day.isoformat()}",
        "EXPIRY_WARNING",
        to,
        f"{_points(points)} の有効期限が近づいています / {points:,} points expire soon",
        f"{_points(points)} は {_day(last_day)} まで使えます。お早めにお使いください。\n\n"
        f"{points:,} points can be used until {last_day.isoformat()}.",
        resident_id,
    )


def reserved_reminder(
    to: str, resident_id: int, arrived: date, day: int, points: int, last_day: date
) -> Mail:
    return Mail(
        f"reserved-reminder:{resident_id}:{arrived.isoformat()}:{day}",
        "RESERVED_REMINDER",
        to,
        f"留保ポイント {_points(points)} の移行先を選んでください / Choose where your reserved points go",
        f"留保ポイント {_points(points)} は {_day(last_day)} までに移行先を選ばないと、"
        "基本自治体ポイント口座へ自動で移ります。\n\n"
        f"Unless you move them by {last_day.isoformat()}, {points:,} reserved points go to your basic"
        f" municipality.",
        resident_id,
    )


def account_notice(to: str, resident_id: int, kind: str, key: str, subject: str, body: str) -> Mail:
    return Mail(f"{kind.lower()}:{resident_id}:{key}", kind, to, subject, body, resident_id)


async def enqueue(sql: Sql, mails: list[Mail], now: datetime) -> None:
    """Write the messages (once per dedupe key) in the caller's transaction."""
    await bulk_insert(
        sql,
        "outbox",
        (
            ("dedupe_key", "text"),
            ("kind", "text"),
            ("resident_id", "bigint"),
            ("entry_id", "bigint"),
            ("to_address", "text"),
            ("subject", "text"),
            ("body", "text"),
            ("created_at", "timestamptz"),
            ("attempts", "integer"),
        ),
        [(m.dedupe_key, m.kind, m.resident_id, m.entry_id, m.to, m.subject, m.body, now, 0) for m in mails],
        on_conflict="(dedupe_key) DO NOTHING",
    )


async def opted_in(sql: Sql, resident_ids: list[int], column: str) -> dict[int, str]:
    """Residents among ``resident_ids`` who gave an e-mail address and want ``column``'s notices."""
    found: dict[int, str] = {}
    for start in range(0, len(resident_ids), 20_000):
        chunk = resident_ids[start : start + 20_000]
        rows = await sql.rows(
            f"SELECT id, email FROM residents WHERE {sql.any_of('id', 1)} AND {column} AND email IS NOT NULL",
            sql.ids(chunk),
        )
        found.update({int(r["id"]): str(r["email"]) for r in rows})
    return found
