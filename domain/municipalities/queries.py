"""Reading municipalities."""

from dataclasses import dataclass

from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.errors import DomainError, ErrorCode
from domain.municipalities.catalogue import search_catalogue
from domain.municipalities.rules import validate_code
from domain.sql import Sql, as_record, reader


@dataclass(frozen=True)
class MunicipalityView:
    id: int
    code: str
    name: str
    prefecture: str
    kana: str


_COLUMNS = "id, code, name, prefecture, kana"


def _view(row: dict[str, object]) -> MunicipalityView:
    return as_record(MunicipalityView, row)


async def get_municipality_by_code(sql: Sql, code: str, field: str = "municipalityCode") -> MunicipalityView:
    validate_code(code, field)
    row = await sql.fetchrow(f"SELECT {_COLUMNS} FROM municipalities WHERE code = $1", code)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "This municipality does not take part in MyKey Points.", field)
    return _view(row)


async def list_municipalities_by_id(sql: Sql, ids: list[int]) -> dict[int, MunicipalityView]:
    rows = await sql.fetch(
        f"SELECT {_COLUMNS} FROM municipalities WHERE " + sql.any_of("id", 1), sql.ids(ids)
    )
    views = [_view(row) for row in rows]
    return {v.id: v for v in views}


async def list_municipalities(
    sql: Sql, search: str = "", prefecture: str | None = None, first: int = 20, after: int = 0
) -> list[MunicipalityView]:
    """Participating municipalities in code order after the ``after``-th (offset paging, small table)."""
    pattern = f"%{search.strip()}%"
    rows = await sql.fetch(
        f"SELECT {_COLUMNS} FROM municipalities WHERE (name LIKE $1 OR kana LIKE $1 OR code LIKE $1)"
        " AND ($2 = '' OR prefecture = $2) ORDER BY code LIMIT $3 OFFSET $4",
        pattern,
        prefecture or "",
        first,
        after,
    )
    return [_view(row) for row in rows]


@dataclass(frozen=True)
class CatalogueMatch:
    """A municipality of the national list, and whether it already takes part."""

    code: str
    prefecture: str
    name: str
    kana: str
    participating: bool


async def list_catalogue(
    actor: Actor | None, search: str = "", prefecture: str | None = None, first: int = 50
) -> list[CatalogueMatch]:
    """The JIS X 0402 list to onboard from (the operator's), at most 200 a call."""
    permit(actor, Permission.OPERATOR)
    entries = search_catalogue(search, prefecture, max(1, min(first, 200)))
    sql = reader()
    joined = set(
        await sql.fetch_as(
            _Code,
            f"SELECT code FROM municipalities WHERE {sql.any_text('code', 1)}",
            sql.texts([e.code for e in entries]),
        )
    )
    return [CatalogueMatch(e.code, e.prefecture, e.name, e.kana, _Code(e.code) in joined) for e in entries]


@dataclass(frozen=True)
class _Code:
    code: str
