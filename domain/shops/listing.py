"""Where points can be used: shops as the portal, the widget, My Page and the open data list them.

Anyone may read these (a shop's bank account and staff are never part of them). A search is
filtered by municipality, prefecture, category, accepted program and words (see
``domain.shops.search``), newest-first never: shops come in their municipality's code order, then
in the order they were registered, so a page of results is stable.
"""

from dataclasses import dataclass, field
from datetime import datetime

from domain.errors import DomainError, ErrorCode
from domain.shops.search import like_patterns
from domain.sql import Sql, as_datetime, as_record

_COLUMNS = (
    "s.id, s.name, s.category, m.code AS municipality_code, m.name AS municipality_name, m.prefecture,"
    " s.kana, s.postal_code, s.address, s.latitude, s.longitude, s.opening_hours, s.description,"
    " s.phone, s.url, s.scans_vouchers"
)
_FROM = "FROM shops s JOIN municipalities m ON m.id = s.municipality_id"


@dataclass(frozen=True)
class _PlaceRow:
    id: int
    name: str
    category: str
    municipality_code: str
    municipality_name: str
    prefecture: str
    kana: str
    postal_code: str
    address: str
    latitude: float | None
    longitude: float | None
    opening_hours: str
    description: str
    phone: str
    url: str
    scans_vouchers: bool


@dataclass(frozen=True)
class Place(_PlaceRow):
    """A shop as a place people can go to, with the programs it accepts."""

    program_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PlaceSearch:
    """What a visitor asked for; empty means any."""

    municipality_code: str = ""
    prefecture: str = ""
    category: str = ""
    program_id: int = 0
    text: str = ""


@dataclass(frozen=True)
class PlacePage:
    places: list[Place]
    total: int  # how many match, all pages together
    words: list[str] = field(default_factory=list)


def _where(search: PlaceSearch) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []

    def add(clause: str, value: object) -> None:
        params.append(value)
        clauses.append(clause.replace("?", f"${len(params)}"))

    if search.municipality_code:
        add("m.code = ?", search.municipality_code)
    if search.prefecture:
        add("m.prefecture = ?", search.prefecture)
    if search.category:
        add("s.category = ?", search.category)
    if search.program_id:
        accepts = "EXISTS (SELECT 1 FROM shop_programs p WHERE p.shop_id = s.id AND p.program_id = ?)"
        add(accepts, search.program_id)
    for pattern in like_patterns(search.text):
        add("s.search_key LIKE ? ESCAPE '\\'", pattern)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


async def _with_programs(sql: Sql, rows: list[_PlaceRow]) -> list[Place]:
    ids = [r.id for r in rows]
    accepts = await sql.fetch(
        f"SELECT shop_id, program_id FROM shop_programs WHERE {sql.any_of('shop_id', 1)} ORDER BY program_id",
        sql.ids(ids),
    )
    programs: dict[int, list[int]] = {i: [] for i in ids}
    for row in accepts:
        programs[int(row["shop_id"])].append(int(row["program_id"]))
    return [Place(**r.__dict__, program_ids=tuple(programs[r.id])) for r in rows]


async def search_places(sql: Sql, search: PlaceSearch, first: int = 20, after: int = 0) -> PlacePage:
    """One page of the shops that match (``after`` of them skipped), and how many match in all (one
    scan: the count rides on each row)."""
    where, params = _where(search)
    n = len(params)
    rows = await sql.fetch(
        f"SELECT {_COLUMNS}, COUNT(*) OVER () AS total {_FROM}{where} ORDER BY m.code, s.id"
        f" LIMIT ${n + 1} OFFSET ${n + 2}",
        *params,
        first,
        after,
    )
    if rows:
        total = int(rows[0]["total"])
    else:  # past the last page (or nothing matches): count on its own
        total = await sql.fetchint(f"SELECT COUNT(*) {_FROM}{where}", *params) if after else 0
    places = [as_record(_PlaceRow, row) for row in rows]
    return PlacePage(await _with_programs(sql, places), total)


async def get_place(sql: Sql, shop_id: int) -> Place:
    rows = await sql.fetch_as(_PlaceRow, f"SELECT {_COLUMNS} {_FROM} WHERE s.id = $1", shop_id)
    if not rows:
        raise DomainError(ErrorCode.NOT_FOUND, "No such shop.", "shopId")
    return (await _with_programs(sql, rows))[0]


async def all_places(sql: Sql, municipality_code: str = "") -> list[Place]:
    """Every shop (of one municipality, if given) for the open data, in code and registration order."""
    where, params = _where(PlaceSearch(municipality_code=municipality_code))
    rows = await sql.fetch_as(_PlaceRow, f"SELECT {_COLUMNS} {_FROM}{where} ORDER BY m.code, s.id", *params)
    return await _with_programs(sql, rows)


async def places_changed_at(sql: Sql, municipality_code: str = "") -> datetime | None:
    """When the listed shops last changed (the open data's Last-Modified)."""
    where, params = _where(PlaceSearch(municipality_code=municipality_code))
    rows = await sql.fetch(f"SELECT MAX(s.updated_at) AS at {_FROM}{where}", *params)
    at = rows[0]["at"] if rows else None
    return None if at is None else as_datetime(at)


async def count_places_by_program(sql: Sql, program_ids: list[int]) -> dict[int, int]:
    """How many shops accept each program (My Page's "where can I use these points?")."""
    rows = await sql.fetch(
        f"SELECT program_id, COUNT(*) AS n FROM shop_programs WHERE {sql.any_of('program_id', 1)}"
        " GROUP BY program_id",
        sql.ids(program_ids),
    )
    counts = {p: 0 for p in program_ids}
    for row in rows:
        counts[int(row["program_id"])] = int(row["n"])
    return counts
