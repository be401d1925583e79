"""Spending points at a PAY terminal, and converting them into a shopping-street point.

The resident presents the card; the shop's terminal sends the proof and the amount. Points come from
the programs the shop accepts, earliest expiry first across those programs: the resident's accounts
are locked in primary-key order, the lots are read in (expiry, created, id) order across them, and
one entry takes from each account what that order assigns it. Idempotent per (terminal, key): a
retried payment returns the first receipt. A conversion is the same with a fee: 1/11 of the amount,
floored (the field trial's rule), goes to the platform's fee account; the rest to the street.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.cards.proof import CardProof, terminal_purpose, verify_card_proof
from domain.cards.trust import CardTrust
from domain.errors import DomainError, ErrorCode
from domain.events import Event, publish
from domain.ledger.accounts import AccountRef
from domain.ledger.errors import insufficient_points
from domain.ledger.idempotency import RequestFields, check_key, idempotent
from domain.ledger.journal import Leg, post_entry
from domain.points import accounts
from domain.residents.registration import card_owner
from domain.sql import Sql, reader

MAX_AMOUNT = 1_000_000
FEE_DIVISOR = 11  # the field trial's shopping-street conversion: 1/11 withheld, floored


def conversion_fee(amount: int) -> int:
    return amount // FEE_DIVISOR


async def _resident_for_card(sql: Sql, fingerprint: str) -> int:
    owner = await card_owner(sql, fingerprint)
    if owner is None or owner.unbound_at is not None:
        raise DomainError(ErrorCode.NOT_FOUND, "This card has no MyKey ID here.", "proof")
    if owner.status != "ACTIVE":
        raise DomainError(ErrorCode.FORBIDDEN, "This MyKey ID is suspended.", "proof")
    return owner.resident_id


async def _accepted_accounts(sql: Sql, resident_id: int, shop_id: int) -> list[AccountRef]:
    return await sql.fetch_as(
        AccountRef,
        "SELECT a.id, a.code, a.kind, a.tracks_lots, a.negative_allowed FROM shop_programs sp JOIN accounts a"
        " ON a.kind = 'RESIDENT_PROGRAM' AND a.resident_id = $1 AND a.program_id = sp.program_id"
        " WHERE sp.shop_id = $2 ORDER BY a.id",
        resident_id,
        shop_id,
    )


async def _plan(sql: Sql, sources: list[AccountRef], amount: int, now: datetime) -> dict[int, int]:
    """How much each account pays so that the earliest-expiring points go first, across accounts."""
    if not sources:
        raise DomainError(
            ErrorCode.NOT_ACCEPTED_HERE, "None of your points can be used at this shop.", "amount"
        )
    await sql.fetch(
        f"SELECT id FROM accounts WHERE {sql.any_of('id', 1)} ORDER BY id{sql.for_update}",
        sql.ids([a.id for a in sources]),
    )
    lots = await sql.fetch(
        f"SELECT account_id, remaining FROM lots WHERE {sql.any_of('account_id', 1)} AND remaining > 0"
        " AND expires_at > $2 ORDER BY expires_at, created_at, id",
        sql.ids([a.id for a in sources]),
        now,
    )
    plan: dict[int, int] = defaultdict(int)
    left = amount
    for lot in lots:
        take = min(left, int(lot["remaining"]))
        plan[int(lot["account_id"])] += take
        left -= take
        if left == 0:
            return dict(plan)
    raise insufficient_points(amount, "amount", available=amount - left)


@dataclass(frozen=True)
class Payment:
    """A payment (or conversion) at a shop: what the receipt prints."""

    id: int  # the journal entry
    amount: int  # the points used: what the shop (or street) is paid for at settlement
    fee: int  # a conversion's 1/11, kept by the street's scheme
    credited: int  # on a conversion, the street points the resident receives (amount less the fee)
    shop: str
    balance_after: int  # the resident's points still usable at this shop
    at: datetime


async def _pay(
    sql: Sql, actor: Actor, resident_id: int, amount: int, now: datetime, kind: str, key: str
) -> Payment:
    assert actor.shop_id is not None
    sources = await _accepted_accounts(sql, resident_id, actor.shop_id)
    plan = await _plan(sql, sources, amount, now)
    by_id = {a.id: a for a in sources}
    shop = await accounts.open_shop(sql, actor.shop_id, now)
    name = str(await sql.fetchval("SELECT name FROM shops WHERE id = $1", actor.shop_id))
    # a conversion's 1/11 is the street's own scheme's running cost: the street is paid the whole
    # amount at settlement, and gives the resident street points worth the rest (product.md §6)
    fee = conversion_fee(amount) if kind == "CONVERT" else 0
    legs = [Leg(by_id[a], shop, n) for a, n in sorted(plan.items())]
    memo = f"{name} で{'商店街ポイントへ交換' if kind == 'CONVERT' else 'お支払い'}"
    entry = await post_entry(
        sql, kind=kind, actor=actor.label, now=now, legs=legs, memo=memo, idempotency_key=key
    )
    left = await sql.fetchint(
        f"SELECT COALESCE(SUM(balance), 0) FROM accounts WHERE {sql.any_of('id', 1)}", sql.ids(list(by_id))
    )
    await publish(sql, Event(f"resident:{resident_id}", kind, {"points": -amount, "shop": name}))
    return Payment(entry.id, amount, fee, amount - fee, name, left, now)


async def _spend(
    actor: Actor | None, proof: CardProof, amount: int, key: str, trust: CardTrust, now: datetime, kind: str
) -> Payment:
    actor = permit(actor, Permission.TERMINAL_PAY)
    check_key(key)
    if isinstance(amount, bool) or not 1 <= amount <= MAX_AMOUNT:
        raise DomainError(ErrorCode.INVALID_INPUT, f"The amount is 1 to {MAX_AMOUNT:,} points.", "amount")
    card = await verify_card_proof(proof, trust, now, terminal_purpose(actor.id), moves_points=True)
    resident_id = await _resident_for_card(reader(), card.fingerprint)
    request: RequestFields = {"kind": kind, "amount": amount, "card": card.fingerprint}

    async def work(sql: Sql) -> Payment:
        return await _pay(sql, actor, resident_id, amount, now, kind, key)

    return await idempotent(actor=actor.label, key=key, request=request, now=now, work=work, answer=Payment)


async def spend_points(
    actor: Actor | None, proof: CardProof, amount: int, key: str, trust: CardTrust, now: datetime
) -> Payment:
    return await _spend(actor, proof, amount, key, trust, now, "SPEND")


async def convert_points(
    actor: Actor | None, proof: CardProof, amount: int, key: str, trust: CardTrust, now: datetime
) -> Payment:
    """Into the shopping-street point of the terminal's shop (a SHOPPING_STREET), less the 1/11 fee."""
    actor = permit(actor, Permission.TERMINAL_PAY)
    category = await reader().fetchval("SELECT category FROM shops WHERE id = $1", actor.shop_id)
    if category != "SHOPPING_STREET":
        raise DomainError(ErrorCode.NOT_ACCEPTED_HERE, "Only a shopping street converts points.", "amount")
    return await _spend(actor, proof, amount, key, trust, now, "CONVERT")
