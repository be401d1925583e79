"""Registering shops (a municipality admin for their own municipality, or the operator)."""

from dataclasses import dataclass
from datetime import datetime

from domain.auth.access import require, require_municipality
from domain.auth.actor import Actor, Role
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import get_municipality_by_code
from domain.sql import Sql, transaction

CATEGORIES = frozenset(
    {"SHOP", "RESTAURANT", "MUSEUM", "LIBRARY", "SPORTS", "BUS", "TOURISM", "ONLINE", "OTHER"}
)


@dataclass(frozen=True)
class ShopView:
    id: int
    name: str
    category: str
    municipality_id: int


async def add_shop(
    actor: Actor | None, municipality_code: str, name: str, category: str, now: datetime
) -> ShopView:
    require(actor, Role.OPERATOR, Role.MUNICIPALITY_ADMIN)
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the shop a name of 1–100 characters.", "name")
    if category not in CATEGORIES:
        raise DomainError(ErrorCode.INVALID_INPUT, "Choose one of the categories.", "category")

    async def work(sql: Sql) -> ShopView:
        municipality = await get_municipality_by_code(sql, municipality_code)
        require_municipality(actor, municipality.id, Role.MUNICIPALITY_ADMIN)
        shop_id = await sql.fetchval(
            "INSERT INTO shops (municipality_id, name, category, created_at) VALUES ($1, $2, $3, $4)"
            " RETURNING id",
            municipality.id,
            name,
            category,
            now,
        )
        return ShopView(int(shop_id), name, category, municipality.id)

    return await transaction(work)


async def get_shop(sql: Sql, shop_id: int) -> ShopView | None:
    row = await sql.fetchrow("SELECT id, name, category, municipality_id FROM shops WHERE id = $1", shop_id)
    if row is None:
        return None
    return ShopView(int(row["id"]), str(row["name"]), str(row["category"]), int(row["municipality_id"]))
