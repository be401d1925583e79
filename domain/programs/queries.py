"""Reading programs, their campaigns and departments."""

from dataclasses import dataclass
from datetime import date, datetime

from domain.errors import DomainError, ErrorCode
from domain.programs.rules import ProgramUse
from domain.sql import Sql, as_record
from models.programs import ProgramKind, SupportEventMode


@dataclass(frozen=True)
class ProgramView:
    id: int
    municipality_id: int
    kind: ProgramKind
    name: str
    validity_days: int
    yen_per_point: int
    uses: tuple[ProgramUse, ...]
    starts_on: date | None
    ends_on: date | None
    organiser: str | None
    purpose: str | None
    mode: SupportEventMode | None = None  # support events: HELD or DONATION

    @property
    def held(self) -> bool:
        """A support event whose points the resident keeps (spendable where the event allows)."""
        return self.mode is SupportEventMode.HELD

    @property
    def takes_donations(self) -> bool:
        return self.kind is ProgramKind.SUPPORT_EVENT and self.mode is not SupportEventMode.HELD


@dataclass(frozen=True)
class CampaignView:
    id: int
    program_id: int
    rate_percent: int
    starts_at: datetime
    ends_at: datetime


_COLUMNS = (
    "id, municipality_id, kind, name, validity_days, yen_per_point, uses, starts_on, ends_on,"
    " organiser, purpose, mode"
)


@dataclass(frozen=True)
class _ProgramRow:
    """A programs row; its uses are stored space-separated."""

    id: int
    municipality_id: int
    kind: ProgramKind
    name: str
    validity_days: int
    yen_per_point: int
    uses: str
    starts_on: date | None
    ends_on: date | None
    organiser: str | None
    purpose: str | None
    mode: str | None


def _view(row: dict[str, object]) -> ProgramView:
    r = as_record(_ProgramRow, row)
    uses = tuple(ProgramUse(u) for u in r.uses.split())
    return ProgramView(
        r.id,
        r.municipality_id,
        r.kind,
        r.name,
        r.validity_days,
        r.yen_per_point,
        uses,
        r.starts_on,
        r.ends_on,
        r.organiser,
        r.purpose,
        SupportEventMode(r.mode) if r.mode else None,
    )


async def get_program(sql: Sql, program_id: int, field: str = "programId") -> ProgramView:
    row = await sql.fetchrow(f"SELECT {_COLUMNS} FROM programs WHERE id = $1", program_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such program.", field)
    return _view(row)


async def list_programs_by_municipality(sql: Sql, ids: list[int]) -> dict[int, list[ProgramView]]:
    rows = await sql.fetch(
        f"SELECT {_COLUMNS} FROM programs WHERE {sql.any_of('municipality_id', 1)} ORDER BY kind, id",
        sql.ids(ids),
    )
    found: dict[int, list[ProgramView]] = {i: [] for i in ids}
    for row in rows:
        view = _view(row)
        found[view.municipality_id].append(view)
    return found


async def list_programs_by_id(sql: Sql, ids: list[int]) -> dict[int, ProgramView]:
    rows = await sql.fetch(f"SELECT {_COLUMNS} FROM programs WHERE {sql.any_of('id', 1)}", sql.ids(ids))
    views = [_view(row) for row in rows]
    return {v.id: v for v in views}


async def regular_program(sql: Sql, municipality_id: int) -> ProgramView | None:
    row = await sql.fetchrow(
        f"SELECT {_COLUMNS} FROM programs WHERE municipality_id = $1 AND kind = 'REGULAR'", municipality_id
    )
    return None if row is None else _view(row)


def _campaign(row: dict[str, object]) -> CampaignView:
    return as_record(CampaignView, row)


async def active_campaign(sql: Sql, program_id: int, now: datetime) -> CampaignView | None:
    found = await list_active_campaigns(sql, [program_id], now)
    return found.get(program_id)


async def list_active_campaigns(sql: Sql, program_ids: list[int], now: datetime) -> dict[int, CampaignView]:
    """The campaign running at ``now`` for each program that has one (campaigns never overlap)."""
    rows = await sql.fetch(
        "SELECT id, program_id, rate_percent, starts_at, ends_at FROM premium_campaigns"
        f" WHERE {sql.any_of('program_id', 1)} AND starts_at <= $2 AND ends_at > $2",
        sql.ids(program_ids),
        now,
    )
    campaigns = [_campaign(row) for row in rows]
    return {c.program_id: c for c in campaigns}


async def list_campaigns(sql: Sql, program_ids: list[int], first: int = 100) -> list[CampaignView]:
    """The programs' campaigns, past, running and to come, newest first."""
    rows = await sql.fetch(
        "SELECT id, program_id, rate_percent, starts_at, ends_at FROM premium_campaigns"
        f" WHERE {sql.any_of('program_id', 1)} ORDER BY starts_at DESC, id DESC LIMIT $2",
        sql.ids(program_ids),
        first,
    )
    return [_campaign(row) for row in rows]


async def department_exists(sql: Sql, municipality_id: int, name: str) -> bool:
    found = await sql.fetchval(
        "SELECT 1 FROM departments WHERE municipality_id = $1 AND name = $2", municipality_id, name
    )
    return found is not None


async def list_departments(sql: Sql, municipality_id: int) -> list[str]:
    rows = await sql.fetch(
        "SELECT name FROM departments WHERE municipality_id = $1 ORDER BY name", municipality_id
    )
    return [str(r["name"]) for r in rows]


async def list_open_events(sql: Sql, municipality_id: int, today: date) -> list[ProgramView]:
    """A municipality's support events taking points today (Japan days)."""
    programs = (await list_programs_by_municipality(sql, [municipality_id]))[municipality_id]
    return [
        p
        for p in programs
        if p.kind is ProgramKind.SUPPORT_EVENT
        and p.starts_on is not None
        and p.ends_on is not None
        and p.starts_on <= today <= p.ends_on
    ]
