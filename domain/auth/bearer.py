"""From a bearer token to an :class:`Actor`: a session (``mks_``), a terminal (``mkt_``) or a partner"
" (JWT)."""

from datetime import datetime

from domain.auth.access_tokens import AccessTokens
from domain.auth.actor import Actor, Role
from domain.auth.sessions import SessionActor, actor_for_session
from domain.auth.tokens import digest
from domain.sql import Sql
from models.terminals import TerminalKind


async def actor_for_terminal(sql: Sql, token: str) -> Actor | None:
    row = await sql.fetchrow(
        "SELECT t.id, t.kind, t.municipality_id, t.shop_id, t.service_id, t.department FROM terminals t"
        " WHERE t.token_hash = $1 AND t.status = 'ACTIVE'",
        digest(token),
    )
    if row is None:
        return None
    return Actor(
        Role.TERMINAL,
        int(row["id"]),
        municipality_id=int(row["municipality_id"]),
        shop_id=None if row["shop_id"] is None else int(row["shop_id"]),
        service_id=None if row["service_id"] is None else int(row["service_id"]),
        department=row["department"],
        terminal_kind=TerminalKind(row["kind"]),
    )


async def actor_for_partner(sql: Sql, tokens: AccessTokens, token: str, now: datetime) -> Actor | None:
    found = tokens.read(token, now)
    if found is None:
        return None
    client_id, scopes = found
    partner = await sql.fetchval("SELECT id FROM partners WHERE client_id = $1 AND active", client_id)
    return None if partner is None else Actor(Role.PARTNER, int(partner), scopes=scopes)


async def actor_for_bearer(
    sql: Sql, tokens: AccessTokens, token: str, now: datetime
) -> SessionActor | Actor | None:
    """The actor behind ``token``; sessions come back with their CSRF hash (cookies need it)."""
    if token.startswith("mks_"):
        return await actor_for_session(sql, token, now)
    if token.startswith("mkt_"):
        return await actor_for_terminal(sql, token)
    if token.count(".") == 2:
        return await actor_for_partner(sql, tokens, token, now)
    return None
