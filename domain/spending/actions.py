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
from domain.ledger.idempotency import RequestFields, check_key, idempotent, replayed
from domain.ledger.journal import Leg, post_entry
from domain.ledger.rules import request_hash
from domain.points import accounts
from domain.residents.registration import card_owner
from domain.sql import Sql, autocommit, raised, reader

MAX_AMOUNT = 1_000_000
FEE_DIVISOR = 11  # the field trial's shopping-street conversion: 1/11 withheld, floored


def conversion_fee(amount: int) -> int:
    return amount // FEE_DIVISOR


def _no_my_key_id() -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, "This card has no MyKey ID here.", "proof")


def _suspended() -> DomainError:
    return DomainError(ErrorCode.FORBIDDEN, "This MyKey ID is suspended.", "proof")


def _not_accepted() -> DomainError:
    return DomainError(ErrorCode.NOT_ACCEPTED_HERE, "None of your points can be used at this shop.", "amount")


async def _resident_for_card(sql: Sql, fingerprint: str) -> int:
    owner = await card_owner(sql, fingerprint)
    if owner is None or owner.unbound_at is not None:
        raise _no_my_key_id()
    if owner.status != "ACTIVE":
        raise _suspended()
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
        raise _not_accepted()
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


@dataclass(frozen=True)
class _Request:
    """What a terminal asked for: what identifies it beside its idempotency key, and what follows."""

    kind: str  # SPEND or CONVERT
    amount: int
    key: str
    card: str  # the verified card's fingerprint

    def fields(self) -> RequestFields:
        return {"kind": self.kind, "amount": self.amount, "card": self.card}

    @property
    def fee(self) -> int:
        """A conversion's 1/11 is the street's own scheme's running cost: the street is paid the whole
        amount at settlement, and gives the resident street points worth the rest (product.md §6)."""
        return conversion_fee(self.amount) if self.kind == "CONVERT" else 0

    @property
    def memo_tail(self) -> str:
        """The entry's memo after the shop's name and "で"."""
        return "商店街ポイントへ交換" if self.kind == "CONVERT" else "お支払い"

    def event(self, resident_id: int, shop: str) -> Event:
        return Event(f"resident:{resident_id}", self.kind, {"points": -self.amount, "shop": shop})


async def _pay(sql: Sql, actor: Actor, resident_id: int, request: _Request, now: datetime) -> Payment:
    assert actor.shop_id is not None
    sources = await _accepted_accounts(sql, resident_id, actor.shop_id)
    plan = await _plan(sql, sources, request.amount, now)
    by_id = {a.id: a for a in sources}
    shop = await accounts.open_shop(sql, actor.shop_id, now)
    name = str(await sql.fetchval("SELECT name FROM shops WHERE id = $1", actor.shop_id))
    legs = [Leg(by_id[a], shop, n) for a, n in sorted(plan.items())]
    entry = await post_entry(
        sql,
        kind=request.kind,
        actor=actor.label,
        now=now,
        legs=legs,
        memo=f"{name} で{request.memo_tail}",
        idempotency_key=request.key,
    )
    left = await sql.fetchint(
        f"SELECT COALESCE(SUM(balance), 0) FROM accounts WHERE {sql.any_of('id', 1)}", sql.ids(list(by_id))
    )
    await publish(sql, request.event(resident_id, name))
    fee = request.fee
    return Payment(entry.id, request.amount, fee, request.amount - fee, name, left, now)


PAY_IN_SERVER = "SELECT * FROM mk_spend(" + ", ".join(f"${i}" for i in range(1, 13)) + ")"
# what mk_spend raises (migration 0019), and the refusal each one is
REFUSALS = {"MKP04": _no_my_key_id, "MKP05": _suspended, "MKP02": _not_accepted}
SHORT_SQLSTATE = "MKP03"  # its DETAIL is the points usable here


def _refusal(exc: Exception, amount: int) -> DomainError | None:
    for sqlstate, refusal in REFUSALS.items():
        if raised(exc, sqlstate) is not None:
            return refusal()
    usable = raised(exc, SHORT_SQLSTATE)
    return None if usable is None else insufficient_points(amount, "amount", available=int(usable))


async def _pay_in_server(sql: Sql, actor: Actor, request: _Request, now: datetime) -> Payment:
    """On PostgreSQL: the card's resident, the claim, the plan, the entry and the stored receipt in
    one call of ``mk_spend`` (migration 0019); a replay compares the request here, as ``idempotent``
    does."""
    assert actor.shop_id is not None
    shard = accounts.any_shard()
    digest = request_hash(request.fields())

    async def call() -> dict[str, object]:
        try:
            row = await sql.fetchrow(
                PAY_IN_SERVER,
                actor.label,
                request.key,
                digest,
                request.card,
                actor.shop_id,
                shard,
                request.amount,
                request.fee,
                request.kind,
                request.memo_tail,
                now,
                now.isoformat(),
            )
        except Exception as exc:
            refused = _refusal(exc, request.amount)
            if refused is None:
                raise
            raise refused from None
        assert row is not None
        return row

    row = await call()
    if row["outcome"] == "NO_SHOP_ACCOUNT":
        await accounts.open_shop(sql, actor.shop_id, now, shard)
        row = await call()
    if row["outcome"] == "REPLAY":
        return replayed(digest, _text(row["stored_hash"]), _text(row["answer"]), Payment)
    payment = replayed(digest, None, str(row["answer"]), Payment)
    await publish(sql, request.event(int(str(row["resident"])), payment.shop))
    return payment


def _text(value: object) -> str | None:
    return None if value is None else str(value)


async def _spend(
    actor: Actor | None, proof: CardProof, amount: int, key: str, trust: CardTrust, now: datetime, kind: str
) -> Payment:
    actor = permit(actor, Permission.TERMINAL_PAY)
    check_key(key)
    if isinstance(amount, bool) or not 1 <= amount <= MAX_AMOUNT:
        raise DomainError(ErrorCode.INVALID_INPUT, f"The amount is 1 to {MAX_AMOUNT:,} points.", "amount")
    card = await verify_card_proof(proof, trust, now, terminal_purpose(actor.id), moves_points=True)
    request = _Request(kind, amount, key, card.fingerprint)
    if reader().postgres:  # one statement (mk_spend) writes: it needs no BEGIN/COMMIT round trips
        return await autocommit(lambda sql: _pay_in_server(sql, actor, request, now))
    resident_id = await _resident_for_card(reader(), card.fingerprint)

    async def work(sql: Sql) -> Payment:
        return await _pay(sql, actor, resident_id, request, now)

    return await idempotent(
        actor=actor.label, key=key, request=request.fields(), now=now, work=work, answer=Payment
    )


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
