"""A municipality's monthly report (the field trial's tables 1 and 2, seed 003), from the journal.

The points a municipality is liable for are those held in its programs: residents' balances, its
support events' gifts, and vouchers of its programs not yet redeemed. For a month (JST), every
journal entry that moved such points falls in one of three columns, by kind:

* **used**: spent at a shop, converted at a shopping street, a voucher redeemed, an online order;
* **expired**: lapsed unspent (a resident's points, or a printed voucher returned to the budget);
* **issued**: everything else that brought points in (grants, partner points moved in, premiums,
  printed vouchers), by source.

Moves inside the scope (a voucher issued from a resident's points, one returned to them, a donation
from a resident's balance to an event) net to zero and are not counted as issued or used; a cancelled
online order's points come back as issued (source REFUNDS). So closing = opening + issued − used −
expired holds by construction, and
the test checks each figure against sums of its own. "Entries" counts movements per resident (a
grant to 1,000 residents is 1,000, as the trial counted 件数); "residents" counts distinct people.

``by_use`` splits the month's uses into their own rows (the trial's table 2 by kind): points of each
program spent at shops (a held support event's apart from the regular program's), online orders, and
points given to each donation event (reserved points given and donations).

The report also gives the outstanding points by funder at the month's end and what of them lapses
in each of the next three months (whose points: a partner's, the budget's, a premium).
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from domain.auth.access import require_municipality
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.clock import JST, japan_date
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import MunicipalityView, get_municipality_by_code
from domain.sql import Sql, reader

USED = frozenset({"SPEND", "CONVERT", "REDEEM", "ORDER"})
AT_SHOPS = frozenset({"SPEND", "CONVERT", "REDEEM"})
INSIDE = frozenset({"DONATE"})  # a move between two balances of the scope: nets to zero
GIVEN = ("GIFT", "DONATE")
EXPIRED = frozenset({"EXPIRE", "VOUCHER_EXPIRE"})
MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
FORECAST_MONTHS = 3


@dataclass(frozen=True)
class Flow:
    entries: int
    residents: int
    points: int


@dataclass(frozen=True)
class SourceLine:
    """Issued points of one source: a partner (its exchanged points that reached us), a program's
    administrative grants, a program's premiums, printed vouchers."""

    source: str  # PARTNER, ADMINISTRATIVE, PREMIUM, PRINTED_VOUCHERS
    ref: int  # the partner's or the program's id
    name: str
    entries: int
    residents: int
    points: int


@dataclass(frozen=True)
class ShopLine:
    shop_id: int
    name: str
    category: str
    municipality_code: str  # another municipality's shop under an acceptance agreement
    entries: int
    points: int


@dataclass(frozen=True)
class UseLine:
    """One kind of use of one program in the month: SHOPS (regular program at shops), EVENT_SHOPS (a
    held support event's points at its shops), ONLINE (orders, less cancellations), DONATIONS (given
    to a donation event: ``program_id`` is the event)."""

    use: str
    program_id: int
    name: str
    entries: int
    residents: int
    points: int


@dataclass(frozen=True)
class FunderLine:
    """Points of one funder: outstanding at the month's end, expired in the month, and lapsing in
    each of the next three months if nobody spends them."""

    funder_kind: str  # PARTNER, MUNICIPALITY, PREMIUM, DONATION
    funder_ref: str
    name: str
    outstanding: int
    expired: int
    lapsing: tuple[int, ...]


@dataclass(frozen=True)
class MonthlyReport:
    municipality_id: int
    municipality_code: str
    municipality_name: str
    month: str  # YYYY-MM
    complete: bool  # the month is over (otherwise: so far)
    opening_points: int
    closing_points: int
    issued: Flow
    used: Flow
    expired: Flow
    by_source: list[SourceLine]
    by_partner: list[SourceLine]
    by_shop: list[ShopLine]
    by_use: list[UseLine]
    by_funder: list[FunderLine]
    forecast_months: tuple[str, ...]


def parse_month(month: str) -> date:
    found = MONTH.fullmatch(month)
    if found is None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the month as YYYY-MM, e.g. 2026-11.", "month")
    return date(int(found[1]), int(found[2]), 1)


def _next_month(day: date, months: int = 1) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=JST)


# postings to the points the municipality is liable for (its programs' residents, gifts, vouchers)
SCOPE = (
    " FROM postings p JOIN journal_entries e ON e.id = p.entry_id JOIN accounts a ON a.id = p.account_id"
    " LEFT JOIN vouchers v ON v.id = a.voucher_id"
    " JOIN programs g ON g.id = COALESCE(a.program_id, v.program_id)"
    " LEFT JOIN lots l ON l.id = p.lot_id"
    " WHERE g.municipality_id = $1 AND a.kind IN ('RESIDENT_PROGRAM', 'EVENT_GIFTS', 'VOUCHER')"
)


@dataclass(frozen=True)
class _Moved:
    """Per entry, resident, program and funder: the net points into the scope."""

    entry_id: int
    kind: str
    resident_id: int | None
    account_id: int
    program_id: int
    funder_kind: str
    funder_ref: str
    points: int


@dataclass(frozen=True)
class _Held:
    funder_kind: str
    funder_ref: str
    outstanding: int
    lapsing_1: int
    lapsing_2: int
    lapsing_3: int


async def monthly_report(
    actor: Actor | None, municipality_code: str, month: str, now: datetime
) -> MonthlyReport:
    """The month's report of a municipality (its admins, or the operator)."""
    permit(actor, Permission.MUNICIPALITY_ADMIN)
    first = parse_month(month)
    sql = reader()
    municipality = await get_municipality_by_code(sql, municipality_code)
    require_municipality(actor, municipality.id)
    if first > japan_date(now):
        raise DomainError(ErrorCode.INVALID_INPUT, "This month has not begun.", "month")
    return await build_report(sql, municipality, first, now)


async def build_report(sql: Sql, municipality: MunicipalityView, first: date, now: datetime) -> MonthlyReport:
    start, end = _midnight(first), _midnight(_next_month(first))
    opening = await sql.fetchint(
        f"SELECT COALESCE(SUM(p.amount), 0){SCOPE} AND e.created_at < $2", municipality.id, start
    )
    closing = await sql.fetchint(
        f"SELECT COALESCE(SUM(p.amount), 0){SCOPE} AND e.created_at < $2", municipality.id, end
    )
    moved = await sql.fetch_as(
        _Moved,
        "SELECT e.id AS entry_id, e.kind, COALESCE(a.resident_id, v.resident_id) AS resident_id,"
        " MIN(a.id) AS account_id, g.id AS program_id, COALESCE(l.funder_kind, '') AS funder_kind,"
        f" COALESCE(l.funder_ref, '') AS funder_ref, SUM(p.amount) AS points{SCOPE}"
        " AND e.created_at >= $2 AND e.created_at < $3"
        " GROUP BY e.id, e.kind, COALESCE(a.resident_id, v.resident_id), g.id, l.funder_kind, l.funder_ref"
        " HAVING SUM(p.amount) <> 0",
        municipality.id,
        start,
        end,
    )
    issued: list[_Moved] = []
    used: list[_Moved] = []
    expired: list[_Moved] = []
    for m in moved:
        if m.kind not in INSIDE:
            (used if m.kind in USED else expired if m.kind in EXPIRED else issued).append(m)
    bounds = [_midnight(_next_month(first, k)) for k in range(1, FORECAST_MONTHS + 2)]
    held = await sql.fetch_as(
        _Held,
        "SELECT l.funder_kind, l.funder_ref, SUM(p.amount) AS outstanding,"
        " SUM(CASE WHEN l.expires_at >= $3 AND l.expires_at < $4 THEN p.amount ELSE 0 END) AS lapsing_1,"
        " SUM(CASE WHEN l.expires_at >= $4 AND l.expires_at < $5 THEN p.amount ELSE 0 END) AS lapsing_2,"
        " SUM(CASE WHEN l.expires_at >= $5 AND l.expires_at < $6 THEN p.amount ELSE 0 END) AS lapsing_3"
        f"{SCOPE} AND e.created_at < $2 GROUP BY l.funder_kind, l.funder_ref",
        municipality.id,
        end,
        *bounds,
    )
    partners = {int(m.funder_ref) for m in moved if m.funder_kind == "PARTNER"}
    partners |= {int(h.funder_ref) for h in held if h.funder_kind == "PARTNER"}
    names = await _names(sql, sorted(partners), sorted({m.program_id for m in moved}))
    return MonthlyReport(
        municipality_id=municipality.id,
        municipality_code=municipality.code,
        municipality_name=municipality.name,
        month=f"{first.year:04d}-{first.month:02d}",
        complete=now >= end,
        opening_points=opening,
        closing_points=closing,
        issued=_flow(issued, 1),
        used=_flow(used, -1),
        expired=_flow(expired, -1),
        by_source=_sources(issued, names),
        by_partner=[x for x in _sources(issued, names) if x.source == "PARTNER"],
        by_shop=await _shops(sql, municipality.id, start, end),
        by_use=await _uses(sql, municipality.id, used, moved, start, end),
        by_funder=_funders(held, expired, names),
        forecast_months=tuple(f"{b.year:04d}-{b.month:02d}" for b in (japan_date(x) for x in bounds[:-1])),
    )


def _flow(rows: list[_Moved], sign: int) -> Flow:
    return Flow(
        entries=len(
            {(m.entry_id, m.resident_id if m.resident_id is not None else -m.account_id) for m in rows}
        ),
        residents=len({m.resident_id for m in rows if m.resident_id is not None}),
        points=sign * sum(m.points for m in rows),
    )


def _source_of(m: _Moved) -> tuple[str, int]:
    if m.funder_kind == "PARTNER":
        return "PARTNER", int(m.funder_ref)
    if m.kind == "PREMIUM":
        return "PREMIUM", m.program_id
    if m.kind == "VOUCHER_PRINT":
        return "PRINTED_VOUCHERS", m.program_id
    if m.kind == "ORDER_CANCEL":
        return "REFUNDS", m.program_id
    return "ADMINISTRATIVE", m.program_id


def _sources(issued: list[_Moved], names: dict[tuple[str, int], str]) -> list[SourceLine]:
    grouped: dict[tuple[str, int], list[_Moved]] = defaultdict(list)
    for m in issued:
        grouped[_source_of(m)].append(m)
    lines = []
    for (source, ref), rows in sorted(grouped.items()):
        flow = _flow(rows, 1)
        lines.append(
            SourceLine(source, ref, names.get((source, ref), ""), flow.entries, flow.residents, flow.points)
        )
    return lines


async def _names(sql: Sql, partners: list[int], programs: list[int]) -> dict[tuple[str, int], str]:
    """Names of the partners and programs, by source kind."""
    names: dict[tuple[str, int], str] = {}
    if partners:
        for r in await sql.fetch(
            f"SELECT id, name FROM partners WHERE {sql.any_of('id', 1)}", sql.ids(partners)
        ):
            names[("PARTNER", int(r["id"]))] = str(r["name"])
    if programs:
        for r in await sql.fetch(
            f"SELECT id, name FROM programs WHERE {sql.any_of('id', 1)}", sql.ids(programs)
        ):
            for source in ("ADMINISTRATIVE", "PREMIUM", "PRINTED_VOUCHERS", "REFUNDS", "PROGRAM"):
                names[(source, int(r["id"]))] = str(r["name"])
    return names


async def _shops(sql: Sql, municipality_id: int, start: datetime, end: datetime) -> list[ShopLine]:
    """Points of the municipality's programs used at each shop (its own, and other municipalities'
    under an agreement), and how many payments or vouchers."""
    used = ", ".join(f"'{k}'" for k in sorted(USED))
    return await sql.fetch_as(
        ShopLine,
        "SELECT s.id AS shop_id, s.name, s.category, m.code AS municipality_code,"
        " COUNT(DISTINCT e.id) AS entries, -SUM(d.amount) AS points FROM journal_entries e"
        " JOIN postings d ON d.entry_id = e.id AND d.amount < 0 JOIN accounts a ON a.id = d.account_id"
        " LEFT JOIN vouchers v ON v.id = a.voucher_id"
        " JOIN programs g ON g.id = COALESCE(a.program_id, v.program_id)"
        " JOIN postings c ON c.entry_id = e.id AND c.amount > 0"
        " JOIN accounts sa ON sa.id = c.account_id AND sa.kind = 'SHOP'"
        " JOIN shops s ON s.id = sa.shop_id JOIN municipalities m ON m.id = s.municipality_id"
        f" WHERE e.kind IN ({used}) AND e.created_at >= $2 AND e.created_at < $3 AND g.municipality_id = $1"
        " AND a.kind IN ('RESIDENT_PROGRAM', 'VOUCHER')"
        " GROUP BY s.id, s.name, s.category, m.code ORDER BY s.id",
        municipality_id,
        start,
        end,
    )


@dataclass(frozen=True)
class _Gift:
    program_id: int
    entry_id: int
    resident_id: int | None
    points: int


async def _uses(
    sql: Sql, municipality_id: int, used: list[_Moved], moved: list[_Moved], start: datetime, end: datetime
) -> list[UseLine]:
    """The month's uses by kind and program (see the module's docstring)."""
    held = {
        int(r["id"])
        for r in await sql.fetch(
            "SELECT id FROM programs WHERE municipality_id = $1 AND mode = 'HELD'", municipality_id
        )
    }
    grouped: dict[tuple[str, int], list[_Moved]] = defaultdict(list)
    for m in used:
        use = "ONLINE" if m.kind == "ORDER" else "EVENT_SHOPS" if m.program_id in held else "SHOPS"
        grouped[(use, m.program_id)].append(m)
    for m in moved:
        if m.kind == "ORDER_CANCEL":  # a cancelled order gives its points back: ONLINE is net
            grouped[("ONLINE", m.program_id)].append(m)
    # the giver of a gift or donation is the resident whose account the entry took the points from
    gifts = await sql.fetch_as(
        _Gift,
        "SELECT pot.program_id, e.id AS entry_id, (SELECT MIN(src.resident_id) FROM postings q"
        " JOIN accounts src ON src.id = q.account_id WHERE q.entry_id = e.id AND q.amount < 0)"
        " AS resident_id,"
        " SUM(g.amount) AS points FROM postings g JOIN accounts pot ON pot.id = g.account_id"
        " JOIN journal_entries e ON e.id = g.entry_id JOIN programs p ON p.id = pot.program_id"
        f" WHERE pot.kind = 'EVENT_GIFTS' AND e.kind IN ({', '.join(repr(k) for k in GIVEN)})"
        " AND g.amount > 0"
        " AND p.municipality_id = $1 AND e.created_at >= $2 AND e.created_at < $3"
        " GROUP BY pot.program_id, e.id",
        municipality_id,
        start,
        end,
    )
    given: dict[int, list[_Gift]] = defaultdict(list)
    for g in gifts:
        given[g.program_id].append(g)
    names = await _names(sql, [], sorted({k[1] for k in grouped} | set(given)))
    lines = []
    for (use, program_id), rows in sorted(grouped.items()):
        flow = _flow([r for r in rows if r.kind != "ORDER_CANCEL"], -1)
        points = -sum(r.points for r in rows)
        if points or flow.entries:
            name = names.get(("PROGRAM", program_id), "")
            lines.append(UseLine(use, program_id, name, flow.entries, flow.residents, points))
    for program_id, listed in sorted(given.items()):
        lines.append(
            UseLine(
                "DONATIONS",
                program_id,
                names.get(("PROGRAM", program_id), ""),
                len(listed),
                len({g.resident_id for g in listed if g.resident_id is not None}),
                sum(g.points for g in listed),
            )
        )
    return lines


def _funders(held: list[_Held], expired: list[_Moved], names: dict[tuple[str, int], str]) -> list[FunderLine]:
    lapsed: dict[tuple[str, str], int] = defaultdict(int)
    for m in expired:
        lapsed[(m.funder_kind, m.funder_ref)] -= m.points
    keys = sorted({(h.funder_kind, h.funder_ref) for h in held} | set(lapsed))
    by_key = {(h.funder_kind, h.funder_ref): h for h in held}
    lines = []
    for kind, ref in keys:
        h = by_key.get((kind, ref))
        name = names.get(("PARTNER", int(ref)), "") if kind == "PARTNER" and ref.isdigit() else ref
        lines.append(
            FunderLine(
                kind,
                ref,
                name,
                h.outstanding if h else 0,
                lapsed[(kind, ref)],
                (h.lapsing_1, h.lapsing_2, h.lapsing_3) if h else (0, 0, 0),
            )
        )
    return [x for x in lines if x.outstanding or x.expired or any(x.lapsing)]
