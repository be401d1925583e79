"""The figures a municipality chooses to publish on its portal page: a month's points issued, used
and expired, and in how many shops they were used. Totals only, never a resident or a shop's own
takings; published again, a month's figures are replaced (with when), never added twice.
"""

from dataclasses import dataclass
from datetime import datetime

from domain.audit.log import audit
from domain.auth.actor import Actor
from domain.settlement.reports import monthly_report
from domain.sql import Sql, transaction


@dataclass(frozen=True)
class PublishedMonth:
    month: str  # YYYY-MM
    issued_points: int
    used_points: int
    expired_points: int
    shops_used: int
    published_at: datetime  # the figures are as of this moment (a month not over is "so far")


async def publish_monthly_figures(
    actor: Actor | None, municipality_code: str, month: str, now: datetime
) -> PublishedMonth:
    """Publish ``month``'s totals from the monthly report (its municipality's admins, or the operator)."""
    report = await monthly_report(actor, municipality_code, month, now)  # checks who may, and the month
    assert actor is not None, "monthly_report admitted an actor"
    figures = PublishedMonth(
        report.month,
        report.issued.points,
        report.used.points,
        report.expired.points,
        sum(1 for line in report.by_shop if line.points > 0),
        now,
    )

    async def work(sql: Sql) -> PublishedMonth:
        await sql.execute(
            "INSERT INTO published_figures (municipality_id, month, issued_points, used_points,"
            " expired_points, shops_used, published_at, published_by)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (municipality_id, month) DO UPDATE"
            " SET issued_points = excluded.issued_points, used_points = excluded.used_points,"
            " expired_points = excluded.expired_points, shops_used = excluded.shops_used,"
            " published_at = excluded.published_at, published_by = excluded.published_by",
            report.municipality_id,
            figures.month,
            figures.issued_points,
            figures.used_points,
            figures.expired_points,
            figures.shops_used,
            now,
            actor.label,
        )
        said = f"{figures.month}: issued {figures.issued_points}, used {figures.used_points}"
        await audit(sql, actor, "report.publish", said, report.municipality_id, now)
        return figures

    return await transaction(work)


async def list_published(sql: Sql, municipality_id: int, first: int = 12) -> list[PublishedMonth]:
    """A municipality's published months, newest first (anyone may read them)."""
    return await sql.fetch_as(
        PublishedMonth,
        "SELECT month, issued_points, used_points, expired_points, shops_used, published_at"
        " FROM published_figures WHERE municipality_id = $1 ORDER BY month DESC LIMIT $2",
        municipality_id,
        first,
    )
