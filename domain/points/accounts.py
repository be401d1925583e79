"""Where points live, named by stable account codes (see domain.ledger.accounts)."""

import secrets
from datetime import datetime

from domain.ledger.accounts import AccountRef, get_account, open_account
from domain.sql import Sql
from models.ledger import AccountKind


def resident_program(resident_id: int, program_id: int) -> str:
    return f"resident:{resident_id}:program:{program_id}"


def resident_reserved(resident_id: int) -> str:
    return f"resident:{resident_id}:reserved"


def budget(municipality_code: str) -> str:
    """A municipality's budget: administrative points and premiums come from here."""
    return f"municipality:{municipality_code}"


def partner(partner_id: int) -> str:
    """A partner's account: exchanged points come from here (the partner owes their yen value)."""
    return f"partner:{partner_id}"


SHOP_SHARDS = 8


def shop(shop_id: int, shard: int) -> str:
    """One of a shop's ``SHOP_SHARDS`` accounts (what it has taken, owed to it at settlement).

    A busy shop is credited by many concurrent payments and redemptions; one balance row would make
    them queue on its lock. Spread over shards (picked at random), they rarely meet; the shop's
    total is the sum of its shards (:func:`shop_balance`).
    """
    return f"shop:{shop_id}:{shard}"


async def open_shop(sql: Sql, shop_id: int, now: datetime) -> AccountRef:
    code = shop(shop_id, secrets.randbelow(SHOP_SHARDS))
    return await get_account(sql, code) or await open_account(sql, code, AccountKind.SHOP, now)


async def shop_balance(sql: Sql, shop_id: int) -> int:
    total = await sql.fetchval(
        "SELECT COALESCE(SUM(balance), 0) FROM accounts WHERE code LIKE $1 AND kind = 'SHOP'",
        f"shop:{shop_id}:%",
    )
    return int(total)


def event_gifts(program_id: int) -> str:
    """What residents gave to a support event."""
    return f"program:{program_id}:gifts"


async def open_budget(sql: Sql, municipality_code: str, now: datetime) -> AccountRef:
    return await open_account(sql, budget(municipality_code), AccountKind.MUNICIPALITY, now)


async def open_partner(sql: Sql, partner_id: int, now: datetime) -> AccountRef:
    return await open_account(sql, partner(partner_id), AccountKind.PARTNER, now)


async def open_reserved(sql: Sql, resident_id: int, now: datetime) -> AccountRef:
    return await open_account(sql, resident_reserved(resident_id), AccountKind.RESIDENT_RESERVED, now)


async def open_program(sql: Sql, resident_id: int, program_id: int, now: datetime) -> AccountRef:
    return await open_account(
        sql, resident_program(resident_id, program_id), AccountKind.RESIDENT_PROGRAM, now
    )


async def open_gifts(sql: Sql, program_id: int, now: datetime) -> AccountRef:
    return await open_account(sql, event_gifts(program_id), AccountKind.RESIDENT_PROGRAM, now)
