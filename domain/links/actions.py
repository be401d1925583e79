"""Service IDs: the link table (resident × service → customer number) and the counter lookup.

``counter_lookup`` answers a LOOKUP terminal with the customer number for *that terminal's*
service and nothing else. What it keeps of the visit is one count per service and Japan day: no
resident, no card, no time of day.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tortoise.exceptions import IntegrityError

from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.cards.proof import CardProof, terminal_purpose, verify_card_proof
from domain.cards.trust import CardTrust
from domain.clock import japan_date
from domain.dates import sane_day
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import get_municipality_by_code
from domain.sql import Sql, as_datetime, broke_unique, transaction

SERVICE_CODE = re.compile(r"[A-Z0-9]{1,16}")
CUSTOMER_ID = re.compile(r"[A-Za-z0-9-]{1,40}")
RECONFIRM_EVERY = timedelta(days=365)  # the seed's yearly registration check


@dataclass(frozen=True)
class ServiceView:
    id: int
    code: str
    name: str
    municipality_id: int | None = None  # whose it is; None: a provider serving many municipalities


@dataclass(frozen=True)
class LinkView:
    service_code: str
    service_name: str
    customer_id: str
    valid_until: date | None
    needs_reconfirmation: bool


def _service_code(code: str) -> str:
    if not SERVICE_CODE.fullmatch(code):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "A service code is 1–16 capital letters or digits (e.g. A1).",
            "serviceCode",
        )
    return code


async def _service(sql: Sql, code: str) -> ServiceView:
    row = await sql.fetchrow(
        "SELECT id, code, name, municipality_id FROM services WHERE code = $1", _service_code(code)
    )
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No service has this code.", "serviceCode")
    return _service_view(row)


def _service_view(row: dict[str, object]) -> ServiceView:
    owner = row["municipality_id"]
    return ServiceView(
        int(str(row["id"])), str(row["code"]), str(row["name"]), None if owner is None else int(str(owner))
    )


def _link(row: dict[str, object], now: datetime) -> LinkView:
    valid_until = row["valid_until"]
    if valid_until is not None and not isinstance(valid_until, date):
        valid_until = date.fromisoformat(str(valid_until))
    due = as_datetime(row["confirmed_at"]) + RECONFIRM_EVERY <= now
    expired = valid_until is not None and valid_until < japan_date(now)
    return LinkView(
        service_code=str(row["code"]),
        service_name=str(row["name"]),
        customer_id=str(row["customer_id"]),
        valid_until=valid_until,
        needs_reconfirmation=bool(row["reconfirm_requested"]) or due or expired,
    )


_LINKS = (
    "SELECT s.code, s.name, l.customer_id, l.valid_until, l.confirmed_at, l.reconfirm_requested"
    " FROM service_links l JOIN services s ON s.id = l.service_id"
)


async def list_links(sql: Sql, resident_id: int, now: datetime) -> list[LinkView]:
    rows = await sql.fetch(_LINKS + " WHERE l.resident_id = $1 ORDER BY s.code", resident_id)
    return [_link(row, now) for row in rows]


async def link_service(
    actor: Actor | None, service_code: str, customer_id: str, valid_until: date | None, now: datetime
) -> LinkView:
    """Link (or re-confirm) a customer number. Re-linking the same service replaces the number."""
    actor = permit(actor, Permission.RESIDENT)
    if not CUSTOMER_ID.fullmatch(customer_id):
        raise DomainError(
            ErrorCode.INVALID_INPUT, "A customer number is 1–40 letters, digits or hyphens.", "customerId"
        )
    if valid_until is not None:
        sane_day(valid_until, now, "validUntil")
    if valid_until is not None and valid_until < japan_date(now):
        raise DomainError(ErrorCode.INVALID_INPUT, "This membership has already expired.", "validUntil")

    async def work(sql: Sql) -> LinkView:
        service = await _service(sql, service_code)
        await sql.execute(
            "DELETE FROM service_links WHERE resident_id = $1 AND service_id = $2", actor.id, service.id
        )
        await sql.execute(
            "INSERT INTO service_links (resident_id, service_id, customer_id, valid_until, confirmed_at,"
            " reconfirm_requested, created_at) VALUES ($1, $2, $3, $4, $5, FALSE, $5)",
            actor.id,
            service.id,
            customer_id,
            valid_until,
            now,
        )
        row = await sql.fetchrow(
            _LINKS + " WHERE l.resident_id = $1 AND l.service_id = $2", actor.id, service.id
        )
        assert row is not None
        return _link(row, now)

    try:
        return await transaction(work)
    except IntegrityError as exc:
        if not broke_unique(exc, "service_links"):
            raise
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "This customer number is already linked to another MyKey ID.",
            "customerId",
        ) from exc


async def unlink_service(actor: Actor | None, service_code: str) -> None:
    actor = permit(actor, Permission.RESIDENT)

    async def work(sql: Sql) -> None:
        service = await _service(sql, service_code)
        removed = await sql.execute(
            "DELETE FROM service_links WHERE resident_id = $1 AND service_id = $2", actor.id, service.id
        )
        if removed == 0:
            raise DomainError(
                ErrorCode.NOT_FOUND, "You have no number linked for this service.", "serviceCode"
            )

    await transaction(work)


async def counter_lookup(actor: Actor | None, proof: CardProof, trust: CardTrust, now: datetime) -> LinkView:
    actor = permit(actor, Permission.TERMINAL_LOOKUP)
    card = await verify_card_proof(proof, trust, now, terminal_purpose(actor.id))

    async def work(sql: Sql) -> LinkView:
        row = await sql.fetchrow(
            _LINKS + " JOIN cards c ON c.resident_id = l.resident_id AND c.unbound_at IS NULL"
            " JOIN residents r ON r.id = l.resident_id AND r.status = 'ACTIVE'"
            " WHERE c.fingerprint = $1 AND l.service_id = $2",
            card.fingerprint,
            actor.service_id,
        )
        if row is None:
            raise DomainError(ErrorCode.NOT_FOUND, "This card has no number for this service.", "proof")
        await sql.execute(
            "INSERT INTO service_lookup_counts (service_id, day, lookups) VALUES ($1, $2, 1)"
            " ON CONFLICT (service_id, day) DO UPDATE SET lookups = service_lookup_counts.lookups + 1",
            actor.service_id,
            japan_date(now),
        )
        return _link(row, now)

    return await transaction(work)


async def add_service(
    actor: Actor | None, code: str, name: str, now: datetime, municipality_code: str | None = None
) -> ServiceView:
    """A service, run for one municipality (its library, its museum) or, with no municipality, by a
    provider serving several (then only the operator binds its counter terminals)."""
    permit(actor, Permission.OPERATOR)
    _service_code(code)
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the service a name of 1–100 characters.", "name")

    async def work(sql: Sql) -> ServiceView:
        owner = None
        if municipality_code is not None:
            owner = (await get_municipality_by_code(sql, municipality_code, "municipalityCode")).id
        await sql.execute(
            "INSERT INTO services (code, name, municipality_id, created_at) VALUES ($1, $2, $3, $4)",
            code,
            name,
            owner,
            now,
        )
        return await _service(sql, code)

    try:
        return await transaction(work)
    except IntegrityError as exc:
        if not broke_unique(exc, "services"):
            raise
        raise DomainError(ErrorCode.INVALID_INPUT, "A service with this code exists.", "code") from exc


async def list_services(sql: Sql) -> list[ServiceView]:
    rows = await sql.fetch("SELECT id, code, name, municipality_id FROM services ORDER BY code")
    return [_service_view(r) for r in rows]


async def count_lookups(sql: Sql, service_id: int, day: date) -> int:
    found = await sql.fetchval(
        "SELECT lookups FROM service_lookup_counts WHERE service_id = $1 AND day = $2", service_id, day
    )
    return int(found or 0)
