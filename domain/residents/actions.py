"""Signing in, and what a resident does with their MyKey ID afterwards.

Password sign-in is rate-limited per MyKey ID (failures) and per client address (attempts), and
answers the same for an unknown ID and a wrong password. A lost card is handled without the card:
``suspend_my_key_id`` needs only the password and ends every session at once; ``rebind_card``
(password + the new card) binds a renewed or replacement certificate and keeps the MyKey ID.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from domain.audit.log import audit
from domain.auth import ratelimit
from domain.auth.actor import Actor
from domain.auth.passwords import hash_password, verify_password
from domain.auth.permissions import Permission, permit
from domain.auth.sessions import NewSession, open_session, revoke_session, revoke_subject_sessions
from domain.cards.proof import CardProof, Purpose, verify_card_proof
from domain.cards.trust import CardTrust
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import get_municipality_by_code
from domain.notifications.outbox import enqueue
from domain.residents import notices
from domain.residents.queries import ResidentView, find_resident_by_my_key_id, get_resident
from domain.residents.registration import bind_card, card_owner
from domain.residents.rules import MY_KEY_ID, Notifications, invalid, validate_email, validate_password
from domain.sql import Sql, reader, transaction
from models.sessions import SubjectKind


@dataclass(frozen=True)
class SignedIn:
    resident: ResidentView
    session: NewSession


log = logging.getLogger("mykey.audit")
MAX_PASSWORD = 16
WRONG = "The MyKey ID or the password is wrong."


async def _check_password(
    my_key_id: str, password: str, now: datetime, address: str, for_suspension: bool = False
) -> int:
    """The resident's id if the password is right (suspended residents included); rate-limited.

    Failures lock the MyKey ID for sign-in; for a lost-card suspension they lock only the address
    that made them, so nobody who knows a MyKey ID can stop its owner suspending it."""
    await ratelimit.hit(ratelimit.LOGIN_PER_ADDRESS, address, now)
    key = my_key_id.upper()
    if not MY_KEY_ID.fullmatch(key) or len(password) > MAX_PASSWORD:
        # no such MyKey ID or password can exist: answered before the database (nothing to count)
        raise DomainError(ErrorCode.UNAUTHENTICATED, WRONG, "password", "login.wrong")
    limit, bucket = (
        (ratelimit.SUSPEND_PER_ID_ADDRESS, f"{key}:{address}")
        if for_suspension
        else (ratelimit.LOGIN_PER_ID, key)
    )
    await ratelimit.ensure_below(reader(), limit, bucket, now)
    row = await find_resident_by_my_key_id(reader(), key)
    stored = None if row is None else row.password_hash
    if not await verify_password(stored, password) or row is None:
        await ratelimit.record_failure(limit, bucket, now)
        raise DomainError(ErrorCode.UNAUTHENTICATED, WRONG, "password", "login.wrong")
    return row.id


def _suspended() -> DomainError:
    return DomainError(
        ErrorCode.FORBIDDEN, "This MyKey ID is suspended. Bind a new card to it to use it again.", "myKeyId"
    )


async def login_with_password(my_key_id: str, password: str, now: datetime, address: str) -> SignedIn:
    resident_id = await _check_password(my_key_id, password, now, address)

    async def work(sql: Sql) -> SignedIn:
        resident = await get_resident(sql, resident_id)
        if resident.status != "ACTIVE":
            raise _suspended()
        session = await open_session(sql, SubjectKind.RESIDENT, resident_id, now)
        return SignedIn(resident, session)

    return await transaction(work)


async def login_with_card(proof: CardProof, trust: CardTrust, now: datetime) -> SignedIn:
    card = await verify_card_proof(proof, trust, now, Purpose.SIGN_IN)

    async def work(sql: Sql) -> SignedIn:
        owner = await card_owner(sql, card.fingerprint)
        if owner is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                "This card has no MyKey ID yet: register first.",
                "proof",
                "card.unregistered",
            )
        if owner.unbound_at is not None:
            raise DomainError(ErrorCode.CARD_INVALID, "This card was replaced by a newer one.", "proof")
        if owner.status != "ACTIVE":
            raise _suspended()
        resident_id, card_id = owner.resident_id, owner.card_id
        session = await open_session(sql, SubjectKind.RESIDENT, resident_id, now, card_id=card_id)
        return SignedIn(await get_resident(sql, resident_id), session)

    return await transaction(work)


async def rebind_card(
    my_key_id: str, password: str, proof: CardProof, trust: CardTrust, now: datetime, address: str
) -> ResidentView:
    resident_id = await _check_password(my_key_id, password, now, address)
    card = await verify_card_proof(proof, trust, now, Purpose.REBIND)

    async def work(sql: Sql) -> ResidentView:
        owner = await card_owner(sql, card.fingerprint)
        if owner is not None:
            mine = owner.resident_id == resident_id
            raise invalid(
                "This card is already bound to " + ("your" if mine else "another") + " MyKey ID.", "proof"
            )
        await sql.execute(
            "UPDATE cards SET unbound_at = $2 WHERE resident_id = $1 AND unbound_at IS NULL", resident_id, now
        )
        await bind_card(sql, resident_id, card, now)
        await revoke_subject_sessions(sql, SubjectKind.RESIDENT, resident_id, now)
        await sql.execute(
            "UPDATE residents SET status = 'ACTIVE', suspended_at = NULL, suspended_by = NULL WHERE id = $1",
            resident_id,
        )
        resident = await get_resident(sql, resident_id)
        if resident.email and resident.notifications.my_key_id_changed:
            await enqueue(sql, [notices.card_rebound(resident.email, resident_id, card.fingerprint)], now)
        return resident

    return await transaction(work)


async def suspend_my_key_id(my_key_id: str, password: str, now: datetime, address: str) -> ResidentView:
    resident_id = await _check_password(my_key_id, password, now, address, for_suspension=True)
    return await transaction(lambda sql: _suspend(sql, resident_id, "resident", now))


async def suspend_on_request(actor: Actor | None, my_key_id: str, reason: str, now: datetime) -> ResidentView:
    """The operator, or a municipality's admin at its counter, suspends a MyKey ID at its resident's
    request (seed 002: 利用停止の申請の受付), e.g. a lost card reported by telephone; who did it and why
    is kept with the resident and in the audit log (the municipality's, when an admin did it)."""
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    reason = reason.strip()
    if not 1 <= len(reason) <= 200:
        raise invalid("Say why, in 1 to 200 characters (e.g. 'lost card, reported by telephone').", "reason")
    row = await find_resident_by_my_key_id(reader(), my_key_id.upper())
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No resident has this MyKey ID.", "myKeyId")
    resident_id = row.id

    async def work(sql: Sql) -> ResidentView:
        suspended = await _suspend(sql, resident_id, f"{actor.label}: {reason}", now)
        await audit(
            sql, actor, "resident.suspend", f"{suspended.my_key_id}: {reason}", actor.municipality_id, now
        )
        return suspended

    resident = await transaction(work)
    log.info("%s suspended MyKey ID %s: %s", actor.label, resident.my_key_id, reason)
    return resident


async def _suspend(sql: Sql, resident_id: int, by: str, now: datetime) -> ResidentView:
    suspended = await sql.execute(
        "UPDATE residents SET status = 'SUSPENDED', suspended_at = $2, suspended_by = $3 WHERE id = $1"
        " AND status = 'ACTIVE'",
        resident_id,
        now,
        by,
    )
    await revoke_subject_sessions(sql, SubjectKind.RESIDENT, resident_id, now)
    resident = await get_resident(sql, resident_id)
    if suspended and resident.email and resident.notifications.my_key_id_changed:
        await enqueue(sql, [notices.suspended(resident.email, resident_id, now.isoformat())], now)
    return resident


async def log_out(actor: Actor | None, now: datetime) -> None:
    actor = permit(actor, Permission.SIGNED_IN)
    if actor.session_id is not None:
        session_id = actor.session_id
        await transaction(lambda sql: revoke_session(sql, session_id, now))


async def change_password(
    actor: Actor | None, current: str, password: str, confirmation: str, now: datetime
) -> ResidentView:
    """A password session may do this (a light setting); every other session of the resident ends."""
    actor = permit(actor, Permission.RESIDENT)
    validate_password(password, confirmation)
    row = await reader().fetchrow("SELECT password_hash FROM residents WHERE id = $1", actor.id)
    if row is None or not await verify_password(str(row["password_hash"]), current):
        raise DomainError(
            ErrorCode.INVALID_INPUT, "The current password is wrong.", "currentPassword", "password.current"
        )
    new_hash = await hash_password(password)

    async def work(sql: Sql) -> ResidentView:
        await sql.execute("UPDATE residents SET password_hash = $2 WHERE id = $1", actor.id, new_hash)
        await sql.execute(
            "UPDATE sessions SET revoked_at = $3 WHERE subject_kind = 'RESIDENT' AND subject_id = $1"
            " AND id <> $2 AND revoked_at IS NULL",
            actor.id,
            actor.session_id or 0,
            now,
        )
        resident = await get_resident(sql, actor.id)
        if resident.email and resident.notifications.password_changed:
            await enqueue(sql, [notices.password_changed(resident.email, actor.id, now.isoformat())], now)
        return resident

    return await transaction(work)


@dataclass(frozen=True)
class SettingsInput:
    email: str | None
    email_confirmation: str | None
    notifications: Notifications
    basic_municipality_code: str | None


async def update_settings(actor: Actor | None, form: SettingsInput) -> ResidentView:
    """E-mail, notifications and the basic municipality. Moving to another municipality asks every
    linked service to re-confirm the resident (the seed's address-change flag)."""
    actor = permit(actor, Permission.RESIDENT)
    email = validate_email(form.email, form.email_confirmation, form.notifications)

    async def work(sql: Sql) -> ResidentView:
        municipality_id = None
        if form.basic_municipality_code:
            municipality_id = (
                await get_municipality_by_code(sql, form.basic_municipality_code, "basicMunicipalityCode")
            ).id
        before = await get_resident(sql, actor.id)
        n = form.notifications
        await sql.execute(
            "UPDATE residents SET email = $2, notify_points_granted = $3, notify_points_expired = $4,"
            " notify_password_changed = $5, notify_my_key_id_changed = $6, basic_municipality_id = $7"
            " WHERE id = $1",
            actor.id,
            email,
            n.points_granted,
            n.points_expired,
            n.password_changed,
            n.my_key_id_changed,
            municipality_id,
        )
        if before.basic_municipality_id is not None and before.basic_municipality_id != municipality_id:
            await sql.execute(
                "UPDATE service_links SET reconfirm_requested = TRUE WHERE resident_id = $1", actor.id
            )
        return await get_resident(sql, actor.id)

    return await transaction(work)
