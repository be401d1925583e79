"""Partner companies: registered by the operator, given OAuth 2.0 client credentials once."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from domain.audit.log import audit
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.auth.tokens import digest
from domain.errors import DomainError, ErrorCode
from domain.sql import Sql, broke_unique, reader, transaction


@dataclass(frozen=True)
class PartnerView:
    id: int
    name: str
    client_id: str
    active: bool


@dataclass(frozen=True)
class PartnerCredentials:
    partner: PartnerView
    client_secret: str  # shown once


async def add_partner(
    actor: Actor | None, name: str, now: datetime, rate_points: int = 1, rate_yen: int = 1
) -> PartnerCredentials:
    """A partner and its exchange rate: ``rate_yen`` yen for every ``rate_points`` of its own points."""
    permit(actor, Permission.OPERATOR)
    if not (1 <= rate_points <= 1_000_000 and 1 <= rate_yen <= 1_000_000):
        raise DomainError(
            ErrorCode.INVALID_INPUT, "A rate is whole numbers from 1 to 1,000,000.", "ratePoints"
        )
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise DomainError(ErrorCode.INVALID_INPUT, "Give the partner a name of 1–100 characters.", "name")
    client_id = f"partner-{secrets.token_hex(8)}"
    client_secret = secrets.token_urlsafe(32)

    async def work(sql: Sql) -> PartnerCredentials:
        partner_id = await sql.fetchval(
            "INSERT INTO partners (name, client_id, client_secret_hash, active, created_at, rate_points,"
            " rate_yen)"
            " VALUES ($1, $2, $3, TRUE, $4, $5, $6) RETURNING id",
            name,
            client_id,
            digest(client_secret),
            now,
            rate_points,
            rate_yen,
        )
        # its service, where residents link their customer number with it (their consent)
        service_id = await sql.fetchval(
            "INSERT INTO services (code, name, created_at) VALUES ($1, $2, $3) RETURNING id",
            f"PT{partner_id}",
            name,
            now,
        )
        await sql.execute("UPDATE partners SET service_id = $2 WHERE id = $1", partner_id, service_id)
        return PartnerCredentials(PartnerView(int(partner_id), name, client_id, True), client_secret)

    try:
        return await transaction(work)
    except IntegrityError as exc:
        if not broke_unique(exc, "partners"):
            raise
        raise DomainError(ErrorCode.INVALID_INPUT, "A partner with this name exists.", "name") from exc


async def set_partner_active(actor: Actor | None, client_id: str, active: bool) -> PartnerView:
    """Deactivating a partner stops its access tokens at once (each request checks)."""
    permit(actor, Permission.OPERATOR)

    async def work(sql: Sql) -> PartnerView:
        changed = await sql.execute("UPDATE partners SET active = $2 WHERE client_id = $1", client_id, active)
        if changed == 0:
            raise DomainError(ErrorCode.NOT_FOUND, "No partner has this client id.", "clientId")
        found = await partner_by_client_id(sql, client_id)
        assert found is not None
        return found[0]

    return await transaction(work)


async def partner_by_client_id(sql: Sql, client_id: str) -> tuple[PartnerView, str] | None:
    """The partner and its secret's hash (for the token endpoint's client authentication)."""
    row = await sql.fetchrow(
        "SELECT id, name, client_id, client_secret_hash, active FROM partners WHERE client_id = $1", client_id
    )
    if row is None:
        return None
    view = PartnerView(int(row["id"]), str(row["name"]), str(row["client_id"]), bool(row["active"]))
    return view, str(row["client_secret_hash"])


async def get_partner(partner_id: int) -> PartnerView:
    row = await reader().fetchrow(
        "SELECT id, name, client_id, active FROM partners WHERE id = $1", partner_id
    )
    assert row is not None
    return PartnerView(int(row["id"]), str(row["name"]), str(row["client_id"]), bool(row["active"]))


async def own_partner(sql: Sql, actor: Actor, client_id: str) -> int:
    """The id of the partner with ``client_id``, which the operator may act on and a partner's staff
    only when it is their own (another partner's is as unknown as a missing one)."""
    found = await sql.fetchval("SELECT id FROM partners WHERE client_id = $1", client_id)
    if found is None or actor.partner not in (None, int(found)):
        raise DomainError(ErrorCode.NOT_FOUND, "No partner has this client id.", "clientId")
    return int(found)


MAX_OVERLAP_HOURS = 168


@dataclass(frozen=True)
class RotatedSecret:
    credentials: PartnerCredentials
    previous_valid_until: datetime | None  # None: the previous secret stopped at once


async def rotate_partner_secret(
    actor: Actor | None, client_id: str, now: datetime, overlap_hours: int = 0
) -> RotatedSecret:
    """A new client secret (shown once). The previous one keeps working for ``overlap_hours`` (0 to
    168), so the partner's servers can change over without an outage; 0 stops it at once. The
    operator, or the partner's own staff."""
    actor = permit(actor, Permission.PARTNER_KEYS)
    if isinstance(overlap_hours, bool) or not 0 <= overlap_hours <= MAX_OVERLAP_HOURS:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"The overlap is 0 to {MAX_OVERLAP_HOURS} hours.", "overlapHours"
        )
    client_secret = secrets.token_urlsafe(32)
    until = now + timedelta(hours=overlap_hours) if overlap_hours else None

    async def work(sql: Sql) -> RotatedSecret:
        partner_id = await own_partner(sql, actor, client_id)
        await sql.execute(
            "UPDATE partners SET previous_secret_hash = CASE WHEN $3 THEN client_secret_hash END,"
            " previous_secret_until = $4, client_secret_hash = $2 WHERE id = $1",
            partner_id,
            digest(client_secret),
            until is not None,
            until,
        )
        found = await partner_by_client_id(sql, client_id)
        assert found is not None
        await audit(sql, actor, "secret.rotate", f"overlap {overlap_hours} h", None, now, partner_id)
        return RotatedSecret(PartnerCredentials(found[0], client_secret), until)

    return await transaction(work)


async def previous_secret(sql: Sql, partner_id: int, now: datetime) -> str | None:
    """The hash of the secret before the last rotation, while its overlap lasts."""
    found = await sql.fetchval(
        "SELECT previous_secret_hash FROM partners WHERE id = $1 AND previous_secret_until > $2",
        partner_id,
        now,
    )
    return None if found is None else str(found)


@dataclass(frozen=True)
class PartnerKeys:
    """What a partner's staff see of its set-up (never a secret: those are shown once)."""

    name: str
    client_id: str
    redirect_uris: str | None  # space-separated
    webhook_url: str | None
    previous_secret_until: datetime | None


async def partner_keys(actor: Actor | None, sql: Sql) -> PartnerKeys:
    actor = permit(actor, Permission.PARTNER_STAFF)
    found = await sql.fetchrow_as(
        PartnerKeys,
        "SELECT name, client_id, redirect_uris, webhook_url, previous_secret_until FROM partners"
        " WHERE id = $1",
        actor.partner,
    )
    assert found is not None
    return found
