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


def _view(row: dict[str, object]) -> MunicipalityView:
    return MunicipalityView(int(str(row["id"])), str(row["code"]), str(row["name"]), str(row["prefecture"]))


async def get_municipality_by_code(sql: Sql, code: str, field: str = "municipalityCode") -> MunicipalityView:
    validate_code(code, field)
    row = await sql.fetchrow("SELECT id, code, name, prefecture FROM municipalities WHERE code = $1", code)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "This municipality does not take part in MyKey Points.", field)
    return _view(row)


async def list_municipalities_by_id(sql: Sql, ids: list[int]) -> dict[int, MunicipalityView]:
    rows = await sql.fetch(
        "SELECT id, code, name, prefecture FROM municipalities WHERE " + sql.any_of("id", 1), sql.ids(ids)
    )
    return {int(row["id"]): _view(row) for row in rows}
