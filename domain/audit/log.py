"""The audit log: every change an officer, a terminal or the operator makes to a municipality's set-up
or money is recorded in the same transaction as the change (who, what, when). A municipality's admin
reads their own municipality's log; the operator reads any.

The subject names what changed (a shop, a program, a settlement period, a MyKey ID asked to be
suspended) — never a resident's personal data beyond the MyKey ID an officer already typed.
"""

from dataclasses import dataclass
from datetime import datetime

from domain.auth.access import require_municipality
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.municipalities.queries import get_municipality_by_code
from domain.sql import Sql

STAFF_LABELS = ("operator", "municipality_admin", "municipality_staff", "shop_staff", "partner_staff")


async def audit(
    sql: Sql,
    actor: Actor,
    action: str,
    subject: str,
    municipality_id: int | None,
    now: datetime,
    partner_id: int | None = None,
) -> None:
    """Record one change; call it inside the transaction that makes the change. A partner's own
    actions (by its server, its staff, or the operator on its behalf) carry ``partner_id``."""
    await sql.execute(
        "INSERT INTO audit_events (at, actor, municipality_id, action, subject, partner_id)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        now,
        actor.label,
        municipality_id,
        action,
        subject[:300],
        partner_id,
    )


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    actor: str  # the label
    who: str  # a member of staff's login, or the label (a terminal, a partner)
    action: str
    subject: str


@dataclass(frozen=True)
class _Row:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str


async def logins(sql: Sql, labels: set[str]) -> dict[str, str]:
    """The staff logins behind actor labels such as ``municipality_staff:7``."""
    ids = sorted({int(label.split(":")[1]) for label in labels if label.split(":")[0] in STAFF_LABELS})
    if not ids:
        return {}
    rows = await sql.fetch(
        f"SELECT id, role, login FROM staff WHERE {sql.any_of('id', 1)}",
        sql.ids(ids),
    )
    return {f"{str(r['role']).lower()}:{r['id']}": str(r["login"]) for r in rows}


async def list_audit(
    actor: Actor | None, sql: Sql, municipality_code: str, first: int = 200, before: int | None = None
) -> list[AuditView]:
    """The newest changes first; ``before`` pages on (an event id)."""
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    municipality = await get_municipality_by_code(sql, municipality_code)
    require_municipality(actor, municipality.id)
    return await _newest(sql, "municipality_id", municipality.id, first, before)


async def list_partner_audit(
    actor: Actor | None, sql: Sql, first: int = 200, before: int | None = None
) -> list[AuditView]:
    """A partner's own trail, newest first: what its server and its staff did (the partner)."""
    actor = permit(actor, Permission.PARTNER_BOOKS)
    return await _newest(sql, "partner_id", actor.partner, first, before)


async def _newest(
    sql: Sql, column: str, value: int | None, first: int, before: int | None
) -> list[AuditView]:
    """The events whose ``column`` (municipality_id or partner_id) is ``value``, newest first."""
    rows = await sql.fetch_as(
        _Row,
        f"SELECT id, at, actor, action, subject FROM audit_events WHERE {column} = $1 AND id < $2"
        " ORDER BY id DESC LIMIT $3",
        value,
        before if before is not None else 2**62,
        max(1, min(first, 500)),
    )
    who = await logins(sql, {r.actor for r in rows})
    return [AuditView(r.id, r.at, r.actor, who.get(r.actor, r.actor), r.action, r.subject) for r in rows]
