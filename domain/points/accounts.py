"""Where points live: the owner of each kind of account (see domain.ledger.accounts)."""

import secrets
from datetime import datetime

from domain.ledger.accounts import AccountRef, Owner, get_account, open_account
from domain.municipalities.queries import MunicipalityView
from domain.sql import Sql
from models.ledger import AccountKind


def resident_program(resident_id: int, program_id: int) -> Owner:
    """A resident's points in one program."""
    return Owner(AccountKind.RESIDENT_PROGRAM, resident_id=resident_id, program_id=program_id)


def resident_reserved(resident_id: int) -> Owner:
    """A resident's reserved points (exchanged, not yet moved into a program)."""
    return Owner(AccountKind.RESIDENT_RESERVED, resident_id=resident_id)


def budget(municipality: MunicipalityView) -> Owner:
    """A municipality's budget: administrative points and premiums come from here."""
    return Owner(AccountKind.MUNICIPALITY, municipality_id=municipality.id, name=municipality.code)


def partner(partner_id: int) -> Owner:
    """A partner's account: exchanged points come from here (the partner owes their yen value)."""
    return Owner(AccountKind.PARTNER, partner_id=partner_id)


def voucher(voucher_id: int) -> Owner:
    """A voucher's value between issue and redemption."""
    return Owner(AccountKind.VOUCHER, voucher_id=voucher_id)


def event_gifts(program_id: int) -> Owner:
    """What residents gave to a support event."""
    return Owner(AccountKind.EVENT_GIFTS, program_id=program_id)


SHOP_SHARDS = 8


def shop(shop_id: int, shard: int) -> Owner:
    """One of a shop's ``SHOP_SHARDS`` accounts (what it has taken, owed to it at settlement).

    A busy shop is credited by many concurrent payments and redemptions; one balance row would make
    them queue on its lock. Spread over shards (picked at random), they rarely meet; the shop's
    total is the sum of its shards (:func:`shop_balance`).
    """
    return Owner(AccountKind.SHOP, shop_id=shop_id, shard=shard)


def any_shard() -> int:
    """The shard a payment or redemption credits: one at random."""
    return secrets.randbelow(SHOP_SHARDS)


async def open_shop(sql: Sql, shop_id: int, now: datetime, shard: int | None = None) -> AccountRef:
    owner = shop(shop_id, any_shard() if shard is None else shard)
    return await get_account(sql, owner) or await open_account(sql, owner, now)


async def shop_balance(sql: Sql, shop_id: int) -> int:
    return await sql.fetchint(
        "SELECT COALESCE(SUM(balance), 0) FROM accounts WHERE kind = 'SHOP' AND shop_id = $1", shop_id
    )


async def open_budget(sql: Sql, municipality: MunicipalityView, now: datetime) -> AccountRef:
    return await open_account(sql, budget(municipality), now)


async def open_partner(sql: Sql, partner_id: int, now: datetime) -> AccountRef:
    return await open_account(sql, partner(partner_id), now)


async def open_reserved(sql: Sql, resident_id: int, now: datetime) -> AccountRef:
    return await open_account(sql, resident_reserved(resident_id), now)


async def open_program(sql: Sql, resident_id: int, program_id: int, now: datetime) -> AccountRef:
    return await open_account(sql, resident_program(resident_id, program_id), now)


async def open_gifts(sql: Sql, program_id: int, now: datetime) -> AccountRef:
    return await open_account(sql, event_gifts(program_id), now)


async def open_voucher(sql: Sql, voucher_id: int, now: datetime) -> AccountRef:
    return await open_account(sql, voucher(voucher_id), now)
