"""Sign-in sessions: an opaque bearer token (or the same token in an HttpOnly cookie).

Only the token's SHA-256 is stored. Each session also has a CSRF token, which a cookie-borne
request must echo in ``X-CSRF-Token``. A session is refused once it expires or is revoked, and at
once when its resident is suspended or its staff member deactivated.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.auth.actor import Actor, Role
from domain.auth.tokens import digest, new_token
from domain.sql import Sql
from models.sessions import SubjectKind

RESIDENT_HOURS = 8
STAFF_HOURS = 12


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf: str
    expires_at: datetime
    card: bool  # began with the card: may move and spend points


async def open_session(
    sql: Sql,
    kind: SubjectKind,
    subject_id: int,
    now: datetime,
    card_id: int | None = None,
    hours: float | None = None,
) -> NewSession:
    token, token_hash = new_token("mks")
    csrf, csrf_hash = new_token("csrf", 24)
    default = RESIDENT_HOURS if kind is SubjectKind.RESIDENT else STAFF_HOURS
    expires_at = now + timedelta(hours=hours or default)
    await sql.execute(
        "INSERT INTO sessions (token_hash, csrf_hash, subject_kind, subject_id, card_id, created_at,"
        " expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        token_hash,
        csrf_hash,
        kind.value,
        subject_id,
        card_id,
        now,
        expires_at,
    )
    return NewSession(token, csrf, expires_at, card_id is not None)


@dataclass(frozen=True)
class SessionActor:
    actor: Actor
    csrf_hash: str


async def actor_for_session(sql: Sql, token: str, now: datetime) -> SessionActor | None:
    row = await sql.fetchrow(
        "SELECT id, subject_kind, subject_id, card_id, csrf_hash FROM sessions"
        " WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
        digest(token),
        now,
    )
    if row is None:
        return None
    if row["subject_kind"] == SubjectKind.RESIDENT:
        actor = await _resident(sql, row)
    else:
        actor = await _staff(sql, row)
    return None if actor is None else SessionActor(actor, row["csrf_hash"])


async def _resident(sql: Sql, session: dict[str, object]) -> Actor | None:
    resident = await sql.fetchrow(
        "SELECT id FROM residents WHERE id = $1 AND status = 'ACTIVE'", session["subject_id"]
    )
    if resident is None:
        return None
    return Actor(
        Role.RESIDENT, int(resident["id"]), session_id=_int(session["id"]), card_id=_opt(session["card_id"])
    )


async def _staff(sql: Sql, session: dict[str, object]) -> Actor | None:
    staff = await sql.fetchrow(
        "SELECT id, role, municipality_id, shop_id, department, partner_id FROM staff"
        " WHERE id = $1 AND active",
        session["subject_id"],
    )
    if staff is None:
        return None
    return Actor(
        Role(staff["role"]),
        int(staff["id"]),
        session_id=_int(session["id"]),
        municipality_id=_opt(staff["municipality_id"]),
        shop_id=_opt(staff["shop_id"]),
        department=staff["department"],
        partner_id=_opt(staff["partner_id"]),
    )


def _int(value: object) -> int:
    return int(str(value))


def _opt(value: object) -> int | None:
    return None if value is None else _int(value)


async def revoke_session(sql: Sql, session_id: int, now: datetime) -> None:
    await sql.execute(
        "UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", session_id, now
    )


async def revoke_subject_sessions(sql: Sql, kind: SubjectKind, subject_id: int, now: datetime) -> int:
    return await sql.execute(
        "UPDATE sessions SET revoked_at = $3 WHERE subject_kind = $1 AND subject_id = $2 AND revoked_at"
        " IS NULL",
        kind.value,
        subject_id,
        now,
    )


async def forget_expired_sessions(sql: Sql, now: datetime) -> int:
    return await sql.execute("DELETE FROM sessions WHERE expires_at < $1", now - timedelta(days=1))
