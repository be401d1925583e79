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


# one round trip for every signed-in request: the session and its subject, still allowed in
SESSION_ACTOR = (
    "SELECT s.id, s.subject_kind, s.card_id, s.csrf_hash, r.id AS resident_id, st.id AS staff_id, st.role,"
    " st.municipality_id, st.shop_id, st.department, st.partner_id FROM sessions s"
    " LEFT JOIN residents r ON s.subject_kind = 'RESIDENT' AND r.id = s.subject_id AND r.status = 'ACTIVE'"
    " LEFT JOIN staff st ON s.subject_kind = 'STAFF' AND st.id = s.subject_id AND st.active"
    " WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2"
)


async def actor_for_session(sql: Sql, token: str, now: datetime) -> SessionActor | None:
    """The session's actor; None once it expired or was revoked, or its resident is suspended or its
    staff member deactivated."""
    row = await sql.fetchrow(SESSION_ACTOR, digest(token), now)
    if row is None:
        return None
    if row["subject_kind"] == SubjectKind.RESIDENT and row["resident_id"] is not None:
        actor = Actor(
            Role.RESIDENT, _int(row["resident_id"]), session_id=_int(row["id"]), card_id=_opt(row["card_id"])
        )
    elif row["subject_kind"] == SubjectKind.STAFF and row["staff_id"] is not None:
        actor = Actor(
            Role(row["role"]),
            _int(row["staff_id"]),
            session_id=_int(row["id"]),
            municipality_id=_opt(row["municipality_id"]),
            shop_id=_opt(row["shop_id"]),
            department=row["department"],
            partner_id=_opt(row["partner_id"]),
        )
    else:
        return None
    return SessionActor(actor, str(row["csrf_hash"]))


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
