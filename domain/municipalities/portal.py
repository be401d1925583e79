"""What the public portal shows of the municipalities: who takes part (by prefecture), their
programs, the support events taking points today with how far they have come, and the premium
campaigns running now. Anyone may read it; nothing here names a resident.
"""

from dataclasses import dataclass
from datetime import datetime

from domain.clock import japan_date
from domain.municipalities.queries import (
    MunicipalityView,
    get_municipality_by_code,
    list_municipalities,
    list_municipalities_by_id,
)
from domain.online.donations import received as received_by_events
from domain.programs.queries import (
    CampaignView,
    ProgramView,
    list_active_campaigns,
    list_programs_by_id,
    list_programs_by_municipality,
)
from domain.settlement.publishing import PublishedMonth, list_published
from domain.shops.listing import PlacePage, PlaceSearch, search_places
from domain.sql import Sql
from models.programs import ProgramKind

MOST_MUNICIPALITIES = 2000  # Japan has 1,741 municipalities and 47 prefectures


@dataclass(frozen=True)
class EventOnShow:
    """A support event taking points today, and what it has received."""

    program: ProgramView
    municipality: MunicipalityView
    received_points: int
    gifts: int


@dataclass(frozen=True)
class CampaignOnShow:
    campaign: CampaignView
    program: ProgramView
    municipality: MunicipalityView


@dataclass(frozen=True)
class Overview:
    """The portal's front page."""

    municipalities: list[MunicipalityView]  # in code order: prefectures come in their JIS order
    events: list[EventOnShow]
    campaigns: list[CampaignOnShow]


@dataclass(frozen=True)
class MunicipalityPage:
    municipality: MunicipalityView
    programs: list[ProgramView]  # its regular programs and its support events, open or not
    events: list[EventOnShow]
    campaigns: list[CampaignOnShow]
    shops: PlacePage
    published: list[PublishedMonth]


async def _on_show(
    sql: Sql, towns: list[MunicipalityView], now: datetime
) -> tuple[dict[int, list[ProgramView]], list[EventOnShow], list[CampaignOnShow]]:
    by_town = {t.id: t for t in towns}
    programs = await list_programs_by_municipality(sql, list(by_town))
    today = japan_date(now)
    open_events = [
        p
        for listed in programs.values()
        for p in listed
        if p.kind is ProgramKind.SUPPORT_EVENT
        and p.starts_on is not None
        and p.ends_on is not None
        and p.starts_on <= today <= p.ends_on
    ]
    received = await received_by_events(sql, [p.id for p in open_events])
    events = [
        EventOnShow(p, by_town[p.municipality_id], *received.get(p.id, (0, 0)))
        for p in sorted(open_events, key=lambda p: (p.ends_on, p.id))
    ]
    by_id = {p.id: p for listed in programs.values() for p in listed}
    running = await list_active_campaigns(sql, list(by_id), now)
    campaigns = [
        CampaignOnShow(c, by_id[c.program_id], by_town[by_id[c.program_id].municipality_id])
        for c in sorted(running.values(), key=lambda c: (c.ends_at, c.id))
    ]
    return programs, events, campaigns


async def overview(sql: Sql, now: datetime) -> Overview:
    towns = await list_municipalities(sql, first=MOST_MUNICIPALITIES)
    _, events, campaigns = await _on_show(sql, towns, now)
    return Overview(towns, events, campaigns)


async def municipality_page(sql: Sql, code: str, now: datetime, shops: int = 20) -> MunicipalityPage:
    """One municipality's page (``NOT_FOUND`` for a code that does not take part)."""
    town = await get_municipality_by_code(sql, code)
    programs, events, campaigns = await _on_show(sql, [town], now)
    places = await search_places(sql, PlaceSearch(municipality_code=town.code), shops)
    published = await list_published(sql, town.id)
    return MunicipalityPage(town, programs[town.id], events, campaigns, places, published)


async def events_taking_points(sql: Sql, now: datetime, limit: int = 50) -> list[EventOnShow]:
    """The support events of every municipality taking points today (Japan days), closing first."""
    today = japan_date(now)
    ids = await sql.fetchints(
        "SELECT id FROM programs WHERE kind = 'SUPPORT_EVENT' AND starts_on <= $1 AND ends_on >= $1"
        " ORDER BY ends_on, id LIMIT $2",
        today,
        limit,
    )
    if not ids:
        return []
    programs = await list_programs_by_id(sql, ids)
    towns = await list_municipalities_by_id(sql, sorted({p.municipality_id for p in programs.values()}))
    received = await received_by_events(sql, ids)
    return [
        EventOnShow(programs[i], towns[programs[i].municipality_id], *received.get(i, (0, 0))) for i in ids
    ]
