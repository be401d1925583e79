"""Reading municipalities."""

from dataclasses import dataclass

from domain.errors import DomainError, ErrorCode
from domain.municipalities.rules import validate_code
from domain.sql import Sql


@dataclass(frozen=True)
class MunicipalityView:
    id: int
    code: str
    name: str
    prefecture: str
    kana: str


_COLUMNS = "id, code, name, prefecture, kana"


def _view(row: dict[str, object]) -> MunicipalityView:
    return MunicipalityView(
        int(str(row["id"])), str(row["code"]), str(row["name"]), str(row["prefecture"]), str(row["kana"])
    )


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
    return {int(row["id"]): _view(row) for row in rows}


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
