"""Reading shops."""

from dataclasses import dataclass

from domain.errors import DomainError, ErrorCode
from domain.sql import Sql


@dataclass(frozen=True)
class ShopView:
    id: int
    name: str
    category: str
    municipality_id: int


async def get_shop(sql: Sql, shop_id: int, field: str = "shopId") -> ShopView:
    shop = await sql.fetchrow_as(
        ShopView, "SELECT id, name, category, municipality_id FROM shops WHERE id = $1", shop_id
    )
    if shop is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such shop.", field)
    return shop


@dataclass(frozen=True)
class ShopAccountView:
    """Where a shop is paid (the holder in the bank file's half-width kana)."""

    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    account_holder: str


@dataclass(frozen=True)
class _ShopAccountRow:
    id: int
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    account_holder: str


async def list_shop_bank_accounts(sql: Sql, shop_ids: list[int]) -> dict[int, ShopAccountView]:
    """The bank account of each of these shops that has one, in one query."""
    rows = await sql.fetch_as(
        _ShopAccountRow,
        "SELECT id, bank_code, branch_code, account_type, account_number, account_holder FROM shops"
        f" WHERE {sql.any_of('id', 1)} AND bank_code IS NOT NULL",
        sql.ids(shop_ids),
    )
    return {
        r.id: ShopAccountView(r.bank_code, r.branch_code, r.account_type, r.account_number, r.account_holder)
        for r in rows
    }
