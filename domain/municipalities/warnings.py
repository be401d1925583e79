"""What a municipality's officers should look at today: a premium campaign about to end, a terminal
that has gone quiet, a card revocation list that is stale (card operations that move points stop
then), and payouts due soon that nobody has marked as sent."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.auth.access import require_municipality
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.cards.revocation import STALE_GRACE
from domain.clock import japan_date
from domain.municipalities.queries import get_municipality_by_code
from domain.sql import Sql, as_date, as_datetime

CAMPAIGN_NOTICE = timedelta(days=7)
TERMINAL_QUIET = timedelta(hours=24)
PAYOUT_NOTICE_DAYS = 5


@dataclass(frozen=True)
class ConsoleWarning:
    kind: str  # campaign_ending, terminal_quiet, crl_stale, crl_missing, payout_due
    subject: str  # a program, a terminal, a CA, a counterparty
    at: datetime | None  # when it ends, was last seen, was due
    day: date | None = None  # payout_due: the payout day
    yen: int = 0  # payout_due: how much


async def console_warnings(
    actor: Actor | None, sql: Sql, municipality_code: str, now: datetime
) -> list[ConsoleWarning]:
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    municipality = await get_municipality_by_code(sql, municipality_code)
    require_municipality(actor, municipality.id)
    found: list[ConsoleWarning] = []
    campaigns = await sql.fetch(
        "SELECT p.name, c.rate_percent, c.ends_at FROM premium_campaigns c"
        " JOIN programs p ON p.id = c.program_id"
        " WHERE p.municipality_id = $1 AND c.starts_at <= $2 AND c.ends_at > $2 AND c.ends_at <= $3"
        " ORDER BY c.ends_at",
        municipality.id,
        now,
        now + CAMPAIGN_NOTICE,
    )
    for c in campaigns:
        found.append(
            ConsoleWarning("campaign_ending", f"{c['name']} +{c['rate_percent']}%", as_datetime(c["ends_at"]))
        )
    quiet = await sql.fetch(
        "SELECT name, last_seen_at FROM terminals WHERE municipality_id = $1 AND status = 'ACTIVE'"
        " AND (last_seen_at IS NULL OR last_seen_at < $2) ORDER BY name",
        municipality.id,
        now - TERMINAL_QUIET,
    )
    for t in quiet:
        seen = None if t["last_seen_at"] is None else as_datetime(t["last_seen_at"])
        found.append(ConsoleWarning("terminal_quiet", str(t["name"]), seen))
    lists = await sql.fetch(
        "SELECT issuer, MAX(next_update) AS due FROM revocation_lists GROUP BY issuer ORDER BY issuer"
    )
    if not lists:
        found.append(ConsoleWarning("crl_missing", "", None))
    for crl in lists:
        due = None if crl["due"] is None else as_datetime(crl["due"])
        if due is None or due + STALE_GRACE < now:
            found.append(ConsoleWarning("crl_stale", _common_name(str(crl["issuer"])), due))
    unpaid = await sql.fetch(
        "SELECT r.payout_on, COALESCE(s.name, m.name) AS name, t.payable_yen FROM settlement_statements t"
        " JOIN settlements r ON r.id = t.settlement_id LEFT JOIN shops s ON s.id = t.shop_id"
        " LEFT JOIN municipalities m ON m.id = t.peer_id"
        " WHERE r.municipality_id = $1 AND t.kind IN ('SHOP', 'CLEARING') AND t.payable_yen > 0"
        " AND t.paid_at IS NULL AND r.payout_on <= $2 ORDER BY r.payout_on, t.id LIMIT 50",
        municipality.id,
        japan_date(now) + timedelta(days=PAYOUT_NOTICE_DAYS),
    )
    for p in unpaid:
        found.append(
            ConsoleWarning("payout_due", str(p["name"]), None, as_date(p["payout_on"]), int(p["payable_yen"]))
        )
    return found


def _common_name(issuer: str) -> str:
    """The CN of an RFC 4514 issuer name, or the whole name."""
    for part in issuer.split(","):
        if part.strip().upper().startswith("CN="):
            return part.strip()[3:]
    return issuer
