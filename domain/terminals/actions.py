"""Counter terminals: registered by an admin, activated once by the device, then known by a token.

Registration returns a one-time activation code (shown once, valid 7 days). The device "downloads
and installs" itself by sending that code to ``activate_terminal``, which hands it its own bearer
token (``mkt_…``); the code can never be used again. ``ping_terminal`` is the connectivity test.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.audit.log import audit
from domain.auth import ratelimit
from domain.auth.access import require_municipality
from domain.auth.actor import Actor, Role
from domain.auth.permissions import Permission, permit
from domain.auth.tokens import digest, new_token
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import get_municipality_by_code
from domain.programs.queries import department_exists
from domain.sql import Sql, as_record, transaction
from models.terminals import TerminalKind, TerminalStatus

ACTIVATION_LIFETIME = timedelta(days=7)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class TerminalView:
    id: int
    kind: TerminalKind
    name: str
    status: TerminalStatus
    municipality_id: int
    shop_id: int | None
    service_id: int | None
    department: str | None
    last_seen_at: datetime | None


@dataclass(frozen=True)
class TerminalInput:
    kind: TerminalKind
    name: str
    municipality_code: str
    shop_id: int | None = None
    service_code: str | None = None
    department: str | None = None


@dataclass(frozen=True)
class Registered:
    terminal: TerminalView
    activation_code: str
    activation_expires_at: datetime


def _view(row: dict[str, object]) -> TerminalView:
    return as_record(TerminalView, row)


def _normalise(code: str) -> str:
    return code.upper().replace("-", "").replace(" ", "")


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field)


async def _targets(
    sql: Sql, form: TerminalInput, municipality_id: int, actor: Actor
) -> tuple[int | None, int | None]:
    shop_id = service_id = None
    if form.kind is TerminalKind.PAY:
        if form.shop_id is None:
            raise _invalid("A point-use terminal belongs to a shop.", "shopId")
        owner = await sql.fetchval("SELECT municipality_id FROM shops WHERE id = $1", form.shop_id)
        if owner is None or int(owner) != municipality_id:
            raise DomainError(ErrorCode.NOT_FOUND, "No such shop in this municipality.", "shopId")
        shop_id = form.shop_id
    if form.kind is TerminalKind.LOOKUP:
        service_id = await _lookup_service(sql, form.service_code or "", municipality_id, actor)
    department = (form.department or "").strip()
    if department and not await department_exists(sql, municipality_id, department):
        raise DomainError(ErrorCode.NOT_FOUND, "This municipality has no such department.", "department")
    return shop_id, None if service_id is None else int(service_id)


async def _lookup_service(sql: Sql, code: str, municipality_id: int, actor: Actor) -> int:
    """The service a LOOKUP terminal answers for: the municipality's own (another city's library is
    not found), or a provider's serving several municipalities, which only the operator binds."""
    row = await sql.fetchrow("SELECT id, municipality_id FROM services WHERE code = $1", code)
    owner = None if row is None else row["municipality_id"]
    if row is None or (owner is not None and int(str(owner)) != municipality_id):
        raise DomainError(
            ErrorCode.NOT_FOUND, "This municipality has no service with this code.", "serviceCode"
        )
    if owner is None and actor.role is not Role.OPERATOR:
        raise DomainError(
            ErrorCode.FORBIDDEN,
            "This service belongs to no single municipality: the operator binds its counter terminals.",
            "serviceCode",
        )
    return int(str(row["id"]))


async def register_terminal(actor: Actor | None, form: TerminalInput, now: datetime) -> Registered:
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    name = form.name.strip()
    if not 1 <= len(name) <= 100:
        raise _invalid("Give the terminal a name of 1–100 characters.", "name")
    code = "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(4))

    async def work(sql: Sql) -> Registered:
        municipality = await get_municipality_by_code(sql, form.municipality_code)
        require_municipality(actor, municipality.id)
        shop_id, service_id = await _targets(sql, form, municipality.id, actor)
        expires = now + ACTIVATION_LIFETIME
        row = await sql.fetchrow(
            "INSERT INTO terminals (kind, name, municipality_id, shop_id, service_id, department, status,"
            " activation_code_hash, activation_expires_at, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, 'REGISTERED', $7, $8, $9) RETURNING *",
            form.kind.value,
            name,
            municipality.id,
            shop_id,
            service_id,
            (form.department or "").strip() or None,
            digest(_normalise(code)),
            expires,
            now,
        )
        assert row is not None
        await audit(sql, actor, "terminal.register", f"{form.kind.value} {name}", municipality.id, now)
        return Registered(_view(row), code, expires)

    return await transaction(work)


async def activate_terminal(activation_code: str, now: datetime, address: str) -> tuple[TerminalView, str]:
    """Trade the one-time code for the device's own token. A code works once, before it expires."""
    await ratelimit.hit(ratelimit.ACTIVATION_PER_ADDRESS, address, now)
    token, token_hash = new_token("mkt")
    row = await transaction(
        lambda sql: sql.fetchrow(
            "UPDATE terminals SET status = 'ACTIVE', token_hash = $2, activated_at = $3, last_seen_at = $3"
            " WHERE activation_code_hash = $1 AND status = 'REGISTERED' AND activation_expires_at > $3"
            " RETURNING *",
            digest(_normalise(activation_code)),
            token_hash,
            now,
        )
    )
    if row is None:
        raise _invalid("This activation code is unknown, already used or expired.", "activationCode")
    return _view(row), token


async def ping_terminal(actor: Actor | None, now: datetime) -> TerminalView:
    actor = permit(actor, Permission.TERMINAL)
    row = await transaction(
        lambda sql: sql.fetchrow(
            "UPDATE terminals SET last_seen_at = $2 WHERE id = $1 RETURNING *", actor.id, now
        )
    )
    assert row is not None
    return _view(row)


async def revoke_terminal(actor: Actor | None, terminal_id: int, now: datetime) -> TerminalView:
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)

    async def work(sql: Sql) -> TerminalView:
        owner = await sql.fetchval("SELECT municipality_id FROM terminals WHERE id = $1", terminal_id)
        if owner is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No such terminal.", "id")
        require_municipality(actor, int(owner))
        row = await sql.fetchrow(
            "UPDATE terminals SET status = 'REVOKED', token_hash = NULL WHERE id = $1 RETURNING *",
            terminal_id,
        )
        assert row is not None
        await audit(sql, actor, "terminal.revoke", str(row["name"]), int(owner), now)
        return _view(row)

    return await transaction(work)


async def list_terminals(actor: Actor | None, sql: Sql, municipality_id: int) -> list[TerminalView]:
    """A municipality's terminals, newest first, with their last contact (its admins, the operator)."""
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    require_municipality(actor, municipality_id)
    rows = await sql.fetch(
        "SELECT * FROM terminals WHERE municipality_id = $1 ORDER BY id DESC LIMIT 500", municipality_id
    )
    return [_view(row) for row in rows]
