"""Staff accounts and their sign-in.

Who may create whom: the operator creates anyone; a municipality admin creates staff and shop staff
of their own municipality (and its shops). Staff sign in with a login and a password; failures are
rate-limited per login and per client address.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from domain.audit.log import audit
from domain.auth import ratelimit
from domain.auth.access import require_municipality
from domain.auth.actor import Actor, Role
from domain.auth.passwords import hash_password, verify_password
from domain.auth.permissions import Permission, permit
from domain.auth.sessions import NewSession, open_session, revoke_subject_sessions
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import get_municipality_by_code
from domain.programs.queries import department_exists
from domain.sql import Sql, as_record, broke_unique, reader, transaction
from models.sessions import SubjectKind
from models.staff import StaffRole

LOGIN = re.compile(r"[a-z0-9._@-]{3,80}")
STAFF_PASSWORD = re.compile(r"[^\x00-\x1f\x7f]{12,128}")


@dataclass(frozen=True)
class StaffView:
    id: int
    login: str
    role: StaffRole
    municipality_id: int | None
    shop_id: int | None
    department: str | None
    partner_id: int | None = None


@dataclass(frozen=True)
class StaffInput:
    login: str
    password: str
    role: StaffRole
    municipality_code: str | None = None
    shop_id: int | None = None
    department: str | None = None
    partner_client_id: str | None = None


def _view(row: dict[str, object]) -> StaffView:
    return as_record(StaffView, row)


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field)


async def _scope(
    sql: Sql, actor: Actor | None, form: StaffInput
) -> tuple[int | None, int | None, int | None]:
    """The (municipality, shop, partner) the new account belongs to, checked against who is asking."""
    if form.role is StaffRole.OPERATOR:
        permit(actor, Permission.OPERATOR)
        return None, None, None
    if form.role is StaffRole.PARTNER_STAFF:  # the operator signs partners up, and their staff
        permit(actor, Permission.OPERATOR)
        partner = await sql.fetchval(
            "SELECT id FROM partners WHERE client_id = $1", form.partner_client_id or ""
        )
        if partner is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No partner has this client id.", "partnerClientId")
        return None, None, int(partner)
    if form.role is StaffRole.SHOP_STAFF:
        if form.shop_id is None:
            raise _invalid("Shop staff belong to a shop.", "shopId")
        municipality = await sql.fetchval("SELECT municipality_id FROM shops WHERE id = $1", form.shop_id)
        if municipality is None:
            permit(actor, Permission.MUNICIPALITY_ADMIN)
            raise DomainError(ErrorCode.NOT_FOUND, "No such shop.", "shopId")
        require_municipality(actor, int(municipality))
        return int(municipality), form.shop_id, None
    if form.municipality_code is None:
        raise _invalid("Municipality staff belong to a municipality.", "municipalityCode")
    municipality = await get_municipality_by_code(sql, form.municipality_code)
    require_municipality(actor, municipality.id)
    if form.role is StaffRole.MUNICIPALITY_STAFF and not await department_exists(
        sql, municipality.id, (form.department or "").strip()
    ):
        raise _invalid("Municipality staff belong to one of its departments (原課).", "department")
    return municipality.id, None, None


async def add_staff(actor: Actor | None, form: StaffInput, now: datetime) -> StaffView:
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    if not LOGIN.fullmatch(form.login):
        raise _invalid("A login is 3–80 lower-case letters, digits or . _ @ -", "login")
    if not STAFF_PASSWORD.fullmatch(form.password):
        raise _invalid("A staff password is 12 to 128 characters (a passphrase is good).", "password")
    password_hash = await hash_password(form.password)

    async def work(sql: Sql) -> StaffView:
        municipality_id, shop_id, partner_id = await _scope(sql, actor, form)
        row = await sql.fetchrow(
            "INSERT INTO staff (login, password_hash, role, municipality_id, department, shop_id, active,"
            " created_at, partner_id)"
            " VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $8) RETURNING *",
            form.login,
            password_hash,
            form.role.value,
            municipality_id,
            (form.department or "").strip() or None if form.role is StaffRole.MUNICIPALITY_STAFF else None,
            shop_id,
            now,
            partner_id,
        )
        assert row is not None
        where = (
            f" ({form.department.strip()})"
            if form.role is StaffRole.MUNICIPALITY_STAFF and form.department
            else ""
        )
        await audit(
            sql,
            actor,
            "staff.add",
            f"{form.login} {form.role.value}{where}",
            municipality_id,
            now,
            partner_id,
        )
        return _view(row)

    try:
        return await transaction(work)
    except IntegrityError as exc:
        if not broke_unique(exc, "staff"):
            raise
        raise _invalid("This login is taken.", "login") from exc


async def log_in_staff(
    login: str, password: str, now: datetime, address: str
) -> tuple[StaffView, NewSession]:
    await ratelimit.hit(ratelimit.LOGIN_PER_ADDRESS, address, now)
    await ratelimit.ensure_below(reader(), ratelimit.LOGIN_PER_ID, f"staff:{login}", now)
    row = await reader().fetchrow("SELECT * FROM staff WHERE login = $1 AND active", login)
    if not await verify_password(None if row is None else str(row["password_hash"]), password) or row is None:
        await ratelimit.record_failure(ratelimit.LOGIN_PER_ID, f"staff:{login}", now)
        raise DomainError(ErrorCode.UNAUTHENTICATED, "The login or the password is wrong.", "password")
    staff = _view(row)
    session = await transaction(lambda sql: open_session(sql, SubjectKind.STAFF, staff.id, now))
    return staff, session


@dataclass(frozen=True)
class StaffListed:
    id: int
    login: str
    role: StaffRole
    department: str | None
    shop_name: str | None
    active: bool
    created_at: datetime


async def list_staff(actor: Actor | None, sql: Sql, municipality_code: str) -> list[StaffListed]:
    """A municipality's admins, department staff and its shops' staff (its admins, the operator)."""
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    municipality = await get_municipality_by_code(sql, municipality_code)
    require_municipality(actor, municipality.id)
    return await sql.fetch_as(
        StaffListed,
        "SELECT s.id, s.login, s.role, s.department, h.name AS shop_name, s.active, s.created_at"
        " FROM staff s LEFT JOIN shops h ON h.id = s.shop_id WHERE s.municipality_id = $1"
        " ORDER BY s.active DESC, s.role, s.department, s.login LIMIT 2000",
        municipality.id,
    )


async def deactivate_staff(actor: Actor | None, staff_id: int, now: datetime) -> StaffView:
    """Someone left: their account stops signing in and their sessions end now. An admin cannot
    stop their own account (another admin or the operator does)."""
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)

    async def work(sql: Sql) -> StaffView:
        row = await sql.fetchrow(
            f"SELECT id, login, role, municipality_id FROM staff WHERE id = $1{sql.for_update}", staff_id
        )
        if row is None or row["role"] == StaffRole.OPERATOR.value:
            raise DomainError(ErrorCode.NOT_FOUND, "No such member of staff.", "staffId")
        require_municipality(actor, int(row["municipality_id"]))
        if int(row["id"]) == actor.id and actor.role is Role.MUNICIPALITY_ADMIN:
            raise _invalid("You cannot stop your own account: ask another admin.", "staffId")
        await sql.execute("UPDATE staff SET active = FALSE WHERE id = $1", staff_id)
        await revoke_subject_sessions(sql, SubjectKind.STAFF, staff_id, now)
        await audit(sql, actor, "staff.deactivate", str(row["login"]), int(row["municipality_id"]), now)
        return await get_staff(sql, staff_id)

    return await transaction(work)


async def get_staff(sql: Sql, staff_id: int) -> StaffView:
    row = await sql.fetchrow("SELECT * FROM staff WHERE id = $1", staff_id)
    assert row is not None
    return _view(row)


async def ensure_operator(login: str, password: str, now: datetime) -> StaffView:
    """Create the operator account, or reset its password: for the command line only (whoever runs
    it already holds the database), so no actor is asked for."""
    if not LOGIN.fullmatch(login) or not STAFF_PASSWORD.fullmatch(password):
        raise _invalid("A login is 3–80 of a-z 0-9 . _ @ -; a password at least 12 characters.", "login")
    password_hash = await hash_password(password)

    async def work(sql: Sql) -> StaffView:
        row = await sql.fetchrow(
            "UPDATE staff SET password_hash = $2, active = TRUE WHERE login = $1 AND role = 'OPERATOR'"
            " RETURNING *",
            login,
            password_hash,
        )
        if row is None:
            row = await sql.fetchrow(
                "INSERT INTO staff (login, password_hash, role, active, created_at)"
                " VALUES ($1, $2, 'OPERATOR', TRUE, $3) RETURNING *",
                login,
                password_hash,
                now,
            )
        assert row is not None
        return _view(row)

    return await transaction(work)
