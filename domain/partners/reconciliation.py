"""A partner's own exchanges, and the daily reconciliation file it matches against its books: every
exchange of one Japan day, with its reference, points, yen and state (UTF-8 with a BOM, CRLF; a
reference a spreadsheet would run as a formula is neutralised). A partner sees its own exchanges
only, and nothing of the residents behind them."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.clock import JST
from domain.dates import sane_day
from domain.settlement.exports import spreadsheet_safe
from domain.sql import Sql


@dataclass(frozen=True)
class PartnerExchange:
    id: int
    external_ref: str
    partner_points: int
    yen: int
    points: int
    status: str
    created_at: datetime


def day_window(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a Japan day runs between."""
    start = datetime.combine(day, time(0), JST)
    return start, start + timedelta(days=1)


async def list_partner_exchanges(
    actor: Actor | None, sql: Sql, day: date, now: datetime, external_ref: str | None = None
) -> list[PartnerExchange]:
    """The partner's exchanges of one Japan day (oldest first), or the one with ``external_ref``."""
    actor = permit(actor, Permission.PARTNER_BOOKS)
    sane_day(day, now, "day")
    start, end = day_window(day)
    return await sql.fetch_as(
        PartnerExchange,
        "SELECT id, external_ref, partner_points, yen, points, status, created_at FROM exchanges"
        " WHERE partner_id = $1 AND created_at >= $2 AND created_at < $3 AND ($4 = '' OR external_ref = $4)"
        " ORDER BY id LIMIT 100000",
        actor.partner,
        start,
        end,
        external_ref or "",
    )


HEADER = ["date", "exchange_id", "external_ref", "partner_points", "yen", "points", "status", "created_at"]


def reconciliation_csv(day: date, exchanges: list[PartnerExchange]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for e in exchanges:
        writer.writerow(
            [
                day.isoformat(),
                e.id,
                spreadsheet_safe(e.external_ref),
                e.partner_points,
                e.yen,
                e.points,
                e.status,
                e.created_at.astimezone(JST).isoformat(timespec="seconds"),
            ]
        )
    return out.getvalue().encode("utf-8-sig")
