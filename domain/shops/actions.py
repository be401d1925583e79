"""Registering shops (a municipality admin for their own municipality, or the operator)."""

from dataclasses import dataclass
from datetime import datetime

from domain.audit.log import audit
from domain.auth.access import require_municipality
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import get_municipality_by_code
from domain.settlement.banks import BankAccount, check_bank_account
from domain.shops.access import access_shop_by_id
from domain.shops.listing import PlaceSearch, search_places
from domain.shops.places import refresh_search_key
from domain.shops.queries import ShopAccountView, ShopView
from domain.sql import Sql, transaction

CATEGORIES = frozenset(
    {
        "SHOP",
        "RESTAURANT",
        "MUSEUM",
        "LIBRARY",
        "SPORTS",
        "BUS",
        "TOURISM",
        "ONLINE",
        "SHOPPING_STREET",
        "OTHER",
    }
)


async def add_shop(
    actor: Actor | None, municipality_code: str, name: str, category: str, now: datetime
) -> ShopView:
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the shop a name of 1–100 characters.", "name")
    if category not in CATEGORIES:
        raise DomainError(ErrorCode.INVALID_INPUT, "Choose one of the categories.", "category")

    async def work(sql: Sql) -> ShopView:
        municipality = await get_municipality_by_code(sql, municipality_code)
        require_municipality(actor, municipality.id)
        shop_id = await sql.fetchval(
            "INSERT INTO shops (municipality_id, name, category, created_at) VALUES ($1, $2, $3, $4)"
            " RETURNING id",
            municipality.id,
            name,
            category,
            now,
        )
        await refresh_search_key(sql, int(shop_id), now)
        await audit(sql, actor, "shop.add", f"{name} ({category})", municipality.id, now)
        return ShopView(int(shop_id), name, category, municipality.id)

    return await transaction(work)


async def get_shop(sql: Sql, shop_id: int) -> ShopView | None:
    row = await sql.fetchrow("SELECT id, name, category, municipality_id FROM shops WHERE id = $1", shop_id)
    if row is None:
        return None
    return ShopView(int(row["id"]), str(row["name"]), str(row["category"]), int(row["municipality_id"]))


@dataclass(frozen=True)
class ShopListing:
    id: int
    name: str
    category: str
    municipality_code: str
    program_ids: tuple[int, ...]


async def list_shops(
    sql: Sql,
    municipality_code: str | None = None,
    program_id: int | None = None,
    category: str | None = None,
    search: str = "",
    first: int = 20,
    after: int = 0,
) -> list[ShopListing]:
    """Shops by municipality, program, category and words (in any kana; offset paging)."""
    asked = PlaceSearch(municipality_code or "", "", category or "", program_id or 0, search)
    found = await search_places(sql, asked, first, after)
    return [ShopListing(p.id, p.name, p.category, p.municipality_code, p.program_ids) for p in found.places]


@dataclass(frozen=True)
class ShopPaidInto:
    shop: ShopView
    account: ShopAccountView


async def set_shop_bank_account(
    actor: Actor | None, shop_id: int, account: BankAccount, now: datetime
) -> ShopPaidInto:
    """Where the municipality pays the shop (its admins, or the operator): checked against the
    全銀協 list and kept in the transfer file's form, with who set it and when."""
    permit(actor, Permission.MUNICIPALITY_ADMIN)
    checked = check_bank_account(account)

    async def work(sql: Sql) -> ShopPaidInto:
        who, shop = await access_shop_by_id(actor, Permission.MUNICIPALITY_ADMIN, sql, shop_id)
        await sql.execute(
            "UPDATE shops SET bank_code = $2, branch_code = $3, account_type = $4, account_number = $5,"
            " account_holder = $6, account_set_by = $7, account_set_at = $8 WHERE id = $1",
            shop.id,
            checked.bank_code,
            checked.branch_code,
            checked.account_type,
            checked.account_number,
            checked.holder,
            who.label,
            now,
        )
        paid_into = ShopAccountView(
            checked.bank_code,
            checked.branch_code,
            checked.account_type,
            checked.account_number,
            checked.holder,
        )
        await audit(
            sql,
            who,
            "shop.bank",
            f"{shop.name}: {checked.bank_code}-{checked.branch_code}",
            shop.municipality_id,
            now,
        )
        return ShopPaidInto(shop, paid_into)

    return await transaction(work)
