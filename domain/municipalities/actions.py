"""Onboarding a municipality (the operator's job)."""

from datetime import datetime

from tortoise.exceptions import IntegrityError

from domain.auth.access import require
from domain.auth.actor import Actor, Role
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import MunicipalityView, get_municipality_by_code
from domain.municipalities.rules import validate_code
from domain.sql import Sql, transaction


def _text(value: str, field: str, longest: int) -> str:
    value = value.strip()
    if not value or len(value) > longest:
        raise DomainError(ErrorCode.INVALID_INPUT, f"Give a {field} of 1 to {longest} characters.", field)
    return value


async def add_municipality(
    actor: Actor | None, code: str, name: str, prefecture: str, now: datetime
) -> MunicipalityView:
    require(actor, Role.OPERATOR)
    validate_code(code)
    name, prefecture = _text(name, "name", 60), _text(prefecture, "prefecture", 10)

    async def work(sql: Sql) -> MunicipalityView:
        try:
            await sql.execute(
                "INSERT INTO municipalities (code, name, prefecture, created_at) VALUES ($1, $2, $3, $4)",
                code,
                name,
                prefecture,
                now,
            )
        except IntegrityError as exc:
            raise DomainError(
                ErrorCode.INVALID_INPUT, "This municipality already takes part.", "code"
            ) from exc
        return await get_municipality_by_code(sql, code, "code")

    return await transaction(work)
