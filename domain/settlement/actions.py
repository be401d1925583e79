"""Closing a settlement period (精算): who owes whom, from the journal, to the yen (product.md §7).

``close_settlement`` takes, in one transaction, every journal entry of the municipality made before
the cut (00:00 JST after the period's last day) that no earlier run took, records them as the run's
entries (an entry is settled once per municipality: a late one belongs to the next run), and
computes from their postings alone:

* **shops** (the municipality's): the points residents used there, by program (PAY payments,
  conversions, voucher redemptions: the debit side of each entry, so a street is owed the whole
  amount of a conversion; its 1/11 is shown as the street's fee), in yen at the program's rate;
* **partners**: the points their lots brought into the municipality's programs (moved or auto-moved
  from reserved points, given to its events), 1 point = 1 yen, read from the lots' funders;
* **events** (donation support events of the municipality): what residents gave them (reserved
  points given, donations), owed to the organiser at the event's close: while the event still
  takes points (its last day is after the period's), the amount carries over to the next run;
* **clearing** (たすきがけ, ``domain.programs.agreements``): the municipality pays its own shops for
  everything used there, another municipality's programs included; per other municipality, what it
  owes for its points used at our shops and what we owe for ours used at its shops are netted into
  one figure, paid by whichever owes (one transfer per pair and period). Both close the same
  periods (the agreement requires one schedule), so each side's run shows the other's figure negated.

Amounts under the municipality's minimum carry over to the next run. The run's digest (SHA-256 of
its canonical content) makes "closing again gives the same settlement" checkable, and ``mykey ledger
verify`` recomputes every closed run from its entries.
"""

import hashlib
import json
from calendar import monthrange
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

import jpholiday

from domain.audit.log import audit
from domain.auth.access import require_municipality
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.clock import JST
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import MunicipalityView, get_municipality_by_code
from domain.sql import Sql, bulk_insert, transaction

USES = ("SPEND", "CONVERT", "REDEEM")  # points used at a shop
ARRIVALS = ("MOVE_RESERVED", "AUTO_MOVE", "GIFT", "EXCHANGE")  # partner points reaching a program
GIVEN = ("GIFT", "DONATE")  # points given to a donation event (owed to its organiser)
FEE_DIVISOR = 11
RULES = 2  # 2: donation events' organisers are counterparties (EVENT lines); runs of 1 had none


@dataclass(frozen=True)
class Line:
    kind: str  # SHOP, PARTNER, EVENT or CLEARING
    counterparty: int  # the shop's, the partner's, the event's (program) or the other municipality's id
    program_id: int
    points: int
    fee_yen: int
    yen: int


@dataclass(frozen=True)
class Statement:
    kind: str
    counterparty: int
    points: int
    fee_yen: int
    yen: int
    carried_in_yen: int
    payable_yen: int
    carried_out_yen: int


@dataclass(frozen=True)
class SettlementView:
    id: int
    municipality_id: int
    period_start: date
    period_end: date
    cut_at: datetime
    payout_on: date
    status: str
    digest: str
    entry_count: int
    payable_yen: int
    receivable_yen: int


def cut_of(period_end: date) -> datetime:
    """00:00 JST after the period's last day."""
    return datetime.combine(period_end + timedelta(days=1), time(0), tzinfo=JST)


def business_day_on_or_before(day: date) -> date:
    """``day``, or the business day before it (no weekend, holiday, or 12/31–1/3)."""
    while (
        day.weekday() >= 5
        or jpholiday.is_holiday(day)
        or (day.month, day.day) in {(12, 31), (1, 1), (1, 2), (1, 3)}
    ):
        day -= timedelta(days=1)
    return day


class Schedule(StrEnum):
    """When a municipality's periods close (municipalities.settlement_schedule)."""

    MONTHLY = "MONTHLY"  # 末締め翌15日払い
    TWICE_MONTHLY = "TWICE_MONTHLY"  # also 15日締め末払い: periods end on the 15th and the last day


def _last_day(day: date) -> date:
    return date(day.year, day.month, monthrange(day.year, day.month)[1])


def payout_of(period_end: date) -> date:
    """末締め翌15日払い (a period ending on a month's last day is paid the 15th of the next month) and
    15日締め末払い (a period ending on the 15th is paid that month's last day), moved back to a
    business day."""
    if period_end.day == 15:
        return business_day_on_or_before(_last_day(period_end))
    following = period_end + timedelta(days=1)
    return business_day_on_or_before(date(following.year, following.month, 15))


def first_day(period_end: date, schedule: Schedule) -> date:
    """Where a municipality's first period ending ``period_end`` starts."""
    second_half = schedule is Schedule.TWICE_MONTHLY and period_end.day > 15
    return period_end.replace(day=16 if second_half else 1)


def _check_period(period_end: date, schedule: Schedule, now: datetime) -> None:
    ends = {_last_day(period_end)} | (
        {period_end.replace(day=15)} if schedule is Schedule.TWICE_MONTHLY else set()
    )
    if period_end not in ends:
        which = " or the 15th" if schedule is Schedule.TWICE_MONTHLY else ""
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"A period ends on the month's last day ({_last_day(period_end)}){which}.",
            "periodEnd",
        )
    if now < cut_of(period_end):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"This period is not over: it closes at 00:00 JST on {period_end + timedelta(days=1)}.",
            "periodEnd",
        )


SETTLEMENT_COLUMNS = (
    "SELECT id, municipality_id, period_start, period_end, cut_at, payout_on, status, digest, entry_count,"
    " payable_yen, receivable_yen FROM settlements"
)


async def close_settlement(
    actor: Actor | None, municipality_code: str, period_end: date, now: datetime
) -> SettlementView:
    """Close the period ending ``period_end`` (a month's last day, or its 15th on a twice-monthly
    schedule, after its cut); closing it again returns the same settlement. Its municipality's
    admins, or the operator."""
    permit(actor, Permission.MUNICIPALITY_ADMIN)
    return await transaction(lambda sql: closing(sql, actor, municipality_code, period_end, now))


async def closing(
    sql: Sql, actor: Actor | None, municipality_code: str, period_end: date, now: datetime
) -> SettlementView:
    """The work of :func:`close_settlement` inside the caller's transaction (a preview rolls it back)."""
    municipality = await get_municipality_by_code(sql, municipality_code)
    who = require_municipality(actor, municipality.id)
    schedule = Schedule(
        await sql.fetchval("SELECT settlement_schedule FROM municipalities WHERE id = $1", municipality.id)
    )
    _check_period(period_end, schedule, now)
    await sql.fetch(f"SELECT id FROM municipalities WHERE id = $1{sql.for_update}", municipality.id)
    done = await sql.fetchrow_as(
        SettlementView,
        f"{SETTLEMENT_COLUMNS} WHERE municipality_id = $1 AND period_end = $2",
        municipality.id,
        period_end,
    )
    if done is not None:
        return done
    later = await sql.fetchval(
        "SELECT MAX(period_end) FROM settlements WHERE municipality_id = $1", municipality.id
    )
    if later is not None and str(later) > period_end.isoformat():
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"A later period (to {later}) is already closed.", "periodEnd"
        )
    start = (
        first_day(period_end, schedule)
        if later is None
        else date.fromisoformat(str(later)[:10]) + timedelta(days=1)
    )
    closed = await _close(sql, municipality, start, period_end, who.label, now)
    await audit(
        sql, who, "settlement.close", f"{start:%Y-%m-%d} – {period_end:%Y-%m-%d}", municipality.id, now
    )
    return closed


async def _close(
    sql: Sql, municipality: MunicipalityView, start: date, end: date, by: str, now: datetime
) -> SettlementView:
    cut = cut_of(end)
    settlement_id = await sql.fetchval(
        "INSERT INTO settlements (municipality_id, period_start, period_end, cut_at, payout_on, status,"
        " digest, entry_count, payable_yen, receivable_yen, closed_by, created_at, rules)"
        " VALUES ($1, $2, $3, $4, $5, 'CLOSING', '', 0, 0, 0, $6, $7, $8) RETURNING id",
        municipality.id,
        start,
        end,
        cut,
        payout_of(end),
        by,
        now,
        RULES,
    )
    entry_count = await _take_entries(sql, int(settlement_id), municipality.id, cut)
    lines = await compute_lines(sql, int(settlement_id), municipality.id)
    await _write_lines(sql, int(settlement_id), lines)
    statements = await _statements(sql, municipality.id, lines, end)
    await _write_statements(sql, int(settlement_id), statements)
    digest = settlement_digest(municipality.code, start, end, entry_count, lines, statements)
    payable = sum(s.payable_yen for s in statements if s.kind in ("SHOP", "CLEARING", "EVENT"))
    receivable = sum(s.payable_yen for s in statements if s.kind == "PARTNER") + sum(
        -s.yen for s in statements if s.kind == "CLEARING" and s.yen < 0
    )
    await sql.execute(
        "UPDATE settlements SET status = 'CLOSED', digest = $2, entry_count = $3, payable_yen = $4,"
        " receivable_yen = $5 WHERE id = $1",
        settlement_id,
        digest,
        entry_count,
        payable,
        receivable,
    )
    found = await sql.fetchrow_as(SettlementView, f"{SETTLEMENT_COLUMNS} WHERE id = $1", settlement_id)
    assert found is not None
    return found


async def _take_entries(sql: Sql, settlement_id: int, municipality_id: int, cut: datetime) -> int:
    """Every entry before the cut that used the municipality's shops or its programs (at another
    municipality's shops), or brought partner points into its programs, and that no earlier run of
    the municipality took."""
    uses, arrivals = ", ".join(f"'{k}'" for k in USES), ", ".join(f"'{k}'" for k in ARRIVALS)
    given = ", ".join(f"'{k}'" for k in GIVEN)
    await sql.execute(
        "INSERT INTO settlement_entries (settlement_id, municipality_id, entry_id)"
        " SELECT DISTINCT CAST($1 AS BIGINT), CAST($2 AS BIGINT), e.id FROM journal_entries e"
        " JOIN postings p ON p.entry_id = e.id"
        " JOIN accounts a ON a.id = p.account_id LEFT JOIN shops s ON s.id = a.shop_id"
        " LEFT JOIN vouchers v ON v.id = a.voucher_id"
        " LEFT JOIN programs g ON g.id = COALESCE(a.program_id, v.program_id)"
        f" WHERE e.created_at < $3 AND ((e.kind IN ({uses}) AND (a.kind = 'SHOP' AND s.municipality_id = $2"
        " OR a.kind IN ('RESIDENT_PROGRAM', 'VOUCHER') AND g.municipality_id = $2))"
        f" OR (e.kind IN ({arrivals}) AND p.amount > 0 AND a.kind IN ('RESIDENT_PROGRAM', 'EVENT_GIFTS')"
        " AND g.municipality_id = $2)"
        f" OR (e.kind IN ({given}) AND p.amount > 0 AND a.kind = 'EVENT_GIFTS' AND g.municipality_id = $2))"
        " AND NOT EXISTS (SELECT 1 FROM settlement_entries x"
        " WHERE x.municipality_id = $2 AND x.entry_id = e.id)",
        settlement_id,
        municipality_id,
        cut,
    )
    if sql.postgres:  # the planner must know the run's entries (a month: a million rows) before joining them
        await sql.execute("ANALYZE settlement_entries")
    return await sql.fetchint(
        "SELECT COUNT(*) FROM settlement_entries WHERE settlement_id = $1", settlement_id
    )


@dataclass(frozen=True)
class _Used:
    shop_id: int
    shop_municipality_id: int
    program_id: int
    program_municipality_id: int
    points: int
    yen_per_point: int
    fee: int


@dataclass(frozen=True)
class _Given:
    program_id: int
    points: int
    yen_per_point: int


@dataclass(frozen=True)
class _Arrived:
    partner_id: int
    program_id: int
    points: int


async def compute_lines(sql: Sql, settlement_id: int, municipality_id: int, rules: int = RULES) -> list[Line]:
    """A run's lines, from its entries' postings alone (verify calls this again to check a run, by
    the rules it was closed with)."""
    uses, arrivals = ", ".join(f"'{k}'" for k in USES), ", ".join(f"'{k}'" for k in ARRIVALS)
    # per entry and program: the points taken from residents' accounts or a voucher, and the shop paid
    per_entry = (
        "SELECT e.id, e.kind, sa.shop_id, COALESCE(src.program_id, v.program_id) AS program_id,"
        " -SUM(d.amount) AS points FROM settlement_entries se JOIN journal_entries e ON e.id = se.entry_id"
        " JOIN postings c ON c.entry_id = e.id AND c.amount > 0"
        " JOIN accounts sa ON sa.id = c.account_id AND sa.kind = 'SHOP'"
        " JOIN postings d ON d.entry_id = e.id AND d.amount < 0"
        " JOIN accounts src ON src.id = d.account_id AND src.kind IN ('RESIDENT_PROGRAM', 'VOUCHER')"
        " LEFT JOIN vouchers v ON v.id = src.voucher_id"
        f" WHERE se.settlement_id = $1 AND e.kind IN ({uses})"
        " GROUP BY e.id, e.kind, sa.shop_id, COALESCE(src.program_id, v.program_id)"
    )
    # a conversion's fee is 1/11 of the entry's amount (floored), shown on its first program's line
    used = await sql.fetch_as(
        _Used,
        "SELECT u.shop_id, s.municipality_id AS shop_municipality_id, u.program_id,"
        " g.municipality_id AS program_municipality_id, SUM(u.points) AS points, g.yen_per_point,"
        " SUM(CASE WHEN u.kind = 'CONVERT' AND u.program_id = u.first_program"
        f" THEN u.entry_points / {FEE_DIVISOR} ELSE 0 END) AS fee"
        " FROM (SELECT x.id, x.kind, x.shop_id, x.program_id, x.points,"
        " MIN(x.program_id) OVER (PARTITION BY x.id) AS first_program,"
        f" SUM(x.points) OVER (PARTITION BY x.id) AS entry_points FROM ({per_entry}) x) u"
        " JOIN programs g ON g.id = u.program_id JOIN shops s ON s.id = u.shop_id"
        " GROUP BY u.shop_id, s.municipality_id, u.program_id, g.municipality_id, g.yen_per_point",
        settlement_id,
    )
    arrived = await sql.fetch_as(
        _Arrived,
        "SELECT CAST(l.funder_ref AS BIGINT) AS partner_id, a.program_id, SUM(p.amount) AS points"
        " FROM settlement_entries se JOIN journal_entries e ON e.id = se.entry_id"
        " JOIN postings p ON p.entry_id = e.id AND p.amount > 0 JOIN accounts a ON a.id = p.account_id"
        " JOIN programs g ON g.id = a.program_id JOIN lots l ON l.id = p.lot_id"
        f" WHERE se.settlement_id = $1 AND e.kind IN ({arrivals}) AND l.funder_kind = 'PARTNER'"
        " AND a.kind IN ('RESIDENT_PROGRAM', 'EVENT_GIFTS') AND g.municipality_id = $2"
        " GROUP BY CAST(l.funder_ref AS BIGINT), a.program_id",
        settlement_id,
        municipality_id,
    )
    given = await sql.fetch_as(
        _Given,
        "SELECT a.program_id, SUM(p.amount) AS points, g.yen_per_point"
        " FROM settlement_entries se JOIN journal_entries e ON e.id = se.entry_id"
        " JOIN postings p ON p.entry_id = e.id AND p.amount > 0"
        " JOIN accounts a ON a.id = p.account_id AND a.kind = 'EVENT_GIFTS'"
        " JOIN programs g ON g.id = a.program_id"
        f" WHERE se.settlement_id = $1 AND e.kind IN ({', '.join(repr(k) for k in GIVEN)})"
        " AND g.municipality_id = $2 GROUP BY a.program_id, g.yen_per_point",
        settlement_id,
        municipality_id,
    )
    lines = [
        Line(
            "SHOP",
            u.shop_id,
            u.program_id,
            u.points,
            u.fee,
            u.points * u.yen_per_point,
        )
        for u in used
        if u.shop_municipality_id == municipality_id
    ]
    lines += [Line("PARTNER", a.partner_id, a.program_id, a.points, 0, a.points) for a in arrived]
    if rules >= 2:
        lines += [
            Line("EVENT", g.program_id, g.program_id, g.points, 0, g.points * g.yen_per_point) for g in given
        ]
    return sorted(
        lines + _clearing(municipality_id, used), key=lambda x: (x.kind, x.counterparty, x.program_id)
    )


def _clearing(municipality_id: int, used: list[_Used]) -> list[Line]:
    """Per other municipality and program: + what we owe it (our program used at its shop), − what
    it owes us (its program used at our shop)."""
    owed: dict[tuple[int, int], list[int]] = {}
    for u in used:
        if u.shop_municipality_id == u.program_municipality_id:
            continue
        ours = u.program_municipality_id == municipality_id
        peer = u.shop_municipality_id if ours else u.program_municipality_id
        sign = 1 if ours else -1
        points, yen = owed.setdefault((peer, u.program_id), [0, 0])
        owed[(peer, u.program_id)] = [points + sign * u.points, yen + sign * u.points * u.yen_per_point]
    return [
        Line("CLEARING", peer, program, points, 0, yen) for (peer, program), (points, yen) in owed.items()
    ]


async def _write_lines(sql: Sql, settlement_id: int, lines: list[Line]) -> None:
    await bulk_insert(
        sql,
        "settlement_lines",
        (
            ("settlement_id", "bigint"),
            ("kind", "text"),
            ("shop_id", "bigint"),
            ("partner_id", "bigint"),
            ("peer_id", "bigint"),
            ("event_id", "bigint"),
            ("program_id", "bigint"),
            ("points", "bigint"),
            ("fee_yen", "bigint"),
            ("yen", "bigint"),
        ),
        [
            (
                settlement_id,
                x.kind,
                x.counterparty if x.kind == "SHOP" else None,
                x.counterparty if x.kind == "PARTNER" else None,
                x.counterparty if x.kind == "CLEARING" else None,
                x.counterparty if x.kind == "EVENT" else None,
                x.program_id,
                x.points,
                x.fee_yen,
                x.yen,
            )
            for x in lines
        ],
    )


@dataclass(frozen=True)
class _Carry:
    kind: str
    counterparty: int
    carried_out_yen: int


async def _statements(sql: Sql, municipality_id: int, lines: list[Line], end: date) -> list[Statement]:
    """Per counterparty: this run's lines, plus what the last run carried out; under the minimum,
    everything carries on, and so does what a donation event received while it still runs."""
    minimum = await sql.fetchint(
        "SELECT settlement_minimum_yen FROM municipalities WHERE id = $1", municipality_id
    )
    carried = await sql.fetch_as(
        _Carry,
        "SELECT t.kind, COALESCE(t.shop_id, t.partner_id, t.peer_id, t.event_id) AS counterparty,"
        " t.carried_out_yen FROM settlement_statements t"
        " WHERE t.carried_out_yen > 0 AND t.settlement_id = (SELECT MAX(s.id)"
        " FROM settlements s WHERE s.municipality_id = $1 AND s.status = 'CLOSED')",
        municipality_id,
    )
    totals: dict[tuple[str, int], list[int]] = {}
    for x in lines:
        points, fee, yen, _ = totals.setdefault((x.kind, x.counterparty), [0, 0, 0, 0])
        totals[(x.kind, x.counterparty)] = [points + x.points, fee + x.fee_yen, yen + x.yen, 0]
    for c in carried:
        totals.setdefault((c.kind, c.counterparty), [0, 0, 0, 0])[3] = c.carried_out_yen
    events = {k[1] for k in totals if k[0] == "EVENT"}
    running = set()
    if events:
        rows = await sql.fetch(
            f"SELECT id, ends_on FROM programs WHERE {sql.any_of('id', 1)}", sql.ids(sorted(events))
        )
        running = {
            int(r["id"]) for r in rows if r["ends_on"] is not None and str(r["ends_on"])[:10] > str(end)
        }
    statements = []
    for (kind, counterparty), (points, fee, yen, carried_in) in sorted(totals.items()):
        if kind == "CLEARING":  # netted: paid by whichever owes, never carried over
            statements.append(Statement(kind, counterparty, points, 0, yen, 0, max(yen, 0), 0))
            continue
        due = yen + carried_in
        pays = due >= minimum and counterparty not in (running if kind == "EVENT" else set())
        statements.append(
            Statement(
                kind, counterparty, points, fee, yen, carried_in, due if pays else 0, 0 if pays else due
            )
        )
    return statements


async def _write_statements(sql: Sql, settlement_id: int, statements: list[Statement]) -> None:
    await bulk_insert(
        sql,
        "settlement_statements",
        (
            ("settlement_id", "bigint"),
            ("kind", "text"),
            ("shop_id", "bigint"),
            ("partner_id", "bigint"),
            ("peer_id", "bigint"),
            ("event_id", "bigint"),
            ("points", "bigint"),
            ("fee_yen", "bigint"),
            ("yen", "bigint"),
            ("carried_in_yen", "bigint"),
            ("payable_yen", "bigint"),
            ("carried_out_yen", "bigint"),
        ),
        [
            (
                settlement_id,
                s.kind,
                s.counterparty if s.kind == "SHOP" else None,
                s.counterparty if s.kind == "PARTNER" else None,
                s.counterparty if s.kind == "CLEARING" else None,
                s.counterparty if s.kind == "EVENT" else None,
                s.points,
                s.fee_yen,
                s.yen,
                s.carried_in_yen,
                s.payable_yen,
                s.carried_out_yen,
            )
            for s in statements
        ],
    )


@dataclass(frozen=True)
class _StoredStatement:
    kind: str
    counterparty: int
    points: int
    fee_yen: int
    yen: int
    carried_in_yen: int
    payable_yen: int
    carried_out_yen: int


async def stored_statements(sql: Sql, settlement_id: int) -> list[Statement]:
    rows = await sql.fetch_as(
        _StoredStatement,
        "SELECT kind, COALESCE(shop_id, partner_id, peer_id, event_id) AS counterparty, points, fee_yen, yen,"
        " carried_in_yen, payable_yen, carried_out_yen FROM settlement_statements WHERE settlement_id = $1",
        settlement_id,
    )
    return sorted((Statement(**asdict(r)) for r in rows), key=lambda s: (s.kind, s.counterparty))


def settlement_digest(
    code: str, start: date, end: date, entry_count: int, lines: list[Line], statements: list[Statement]
) -> str:
    content = {
        "municipality": code,
        "periodStart": start.isoformat(),
        "periodEnd": end.isoformat(),
        "entries": entry_count,
        "lines": [asdict(x) for x in lines],
        "statements": [asdict(s) for s in statements],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
