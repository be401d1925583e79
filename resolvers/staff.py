"""Staff sign-in and accounts; ``viewer`` (who is calling)."""

import strawberry

from domain.audit.log import list_audit, logins
from domain.auth.actor import Role
from domain.auth.permissions import Permission
from domain.municipalities.queries import list_municipalities_by_id
from domain.points.grant_files import list_grant_batches
from domain.sql import reader
from domain.staff.actions import StaffInput, add_staff, deactivate_staff, list_staff, log_in_staff
from resolvers.ids import int_id
from resolvers.sessions import deliver
from schema.context import Info
from schema.errors import attempt
from schema.permissions import Needs
from schema.staff import (
    AddStaffInput,
    AddStaffPayload,
    AuditEvent,
    DeactivateStaffPayload,
    GrantBatch,
    LoginStaffPayload,
    Staff,
    StaffMember,
    Viewer,
)


@strawberry.type
class StaffQuery:
    @strawberry.field(
        description="Who is calling (null when nobody is signed in). Anyone.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def viewer(self, info: Info) -> Viewer | None:
        actor = info.context.actor
        if actor is None:
            return None
        code = None
        if actor.municipality_id is not None:
            found = await list_municipalities_by_id(reader(), [actor.municipality_id])
            code = found[actor.municipality_id].code
        return Viewer(
            role=actor.role,
            municipality_code=code,
            shop_id=None if actor.shop_id is None else strawberry.ID(str(actor.shop_id)),
            terminal_kind=actor.terminal_kind,
            card_session=actor.role is Role.RESIDENT and actor.card_verified,
        )

    @strawberry.field(
        description="A municipality's staff and its shops' staff. Its admins.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def staff_members(self, info: Info, municipality_code: str) -> list[StaffMember]:
        found = await list_staff(info.context.actor, reader(), municipality_code)
        return [
            StaffMember(
                id=strawberry.ID(str(m.id)),
                login=m.login,
                role=m.role,
                department=m.department,
                shop_name=m.shop_name,
                active=m.active,
                created_at=m.created_at,
            )
            for m in found
        ]

    @strawberry.field(
        description="A municipality's grants, newest first: a department's own for its staff, all for its"
        " admins and the operator.",
        extensions=[Needs(Permission.MUNICIPALITY_STAFF)],
    )
    async def grant_batches(self, info: Info, municipality_code: str, first: int = 50) -> list[GrantBatch]:
        found = await list_grant_batches(info.context.actor, reader(), municipality_code, first)
        who = await logins(reader(), {b.sent_by for b in found})
        return [
            GrantBatch(
                id=strawberry.ID(str(b.id)),
                program_id=strawberry.ID(str(b.program_id)),
                program_name=b.program_name,
                department=b.department,
                sent_by=who.get(b.sent_by, b.sent_by),
                reason=b.reason,
                file_name=b.file_name,
                rows=b.rows,
                points=b.points,
                created_at=b.created_at,
            )
            for b in found
        ]

    @strawberry.field(
        description="Who changed what in a municipality, newest first (``before``: an event id). Its admins.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def audit_log(
        self, info: Info, municipality_code: str, first: int = 100, before: strawberry.ID | None = None
    ) -> list[AuditEvent]:
        older = int_id(before) if before is not None else None
        found = await list_audit(info.context.actor, reader(), municipality_code, first, older)
        return [
            AuditEvent(id=strawberry.ID(str(e.id)), at=e.at, who=e.who, action=e.action, subject=e.subject)
            for e in found
        ]


@strawberry.type
class StaffMutation:
    @strawberry.mutation(
        description="Staff sign-in with login and password.", extensions=[Needs(Permission.PUBLIC)]
    )
    async def login_staff(
        self, info: Info, login: str, password: str, use_cookie: bool = False
    ) -> LoginStaffPayload:
        async def work() -> LoginStaffPayload:
            staff, session = await log_in_staff(
                login, password, info.context.clock.now(), info.context.client_address
            )
            return LoginStaffPayload(
                token=deliver(info, session, use_cookie),
                csrf_token=session.csrf,
                expires_at=session.expires_at,
                staff=Staff.from_view(staff),
            )

        return await attempt(LoginStaffPayload, work())

    @strawberry.mutation(
        description="Create a staff account. The operator, or a municipality admin for their own.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def add_staff(self, info: Info, input: AddStaffInput) -> AddStaffPayload:
        async def work() -> AddStaffPayload:
            form = StaffInput(
                login=input.login,
                password=input.password,
                role=input.role,
                municipality_code=input.municipality_code,
                shop_id=int_id(input.shop_id),
                department=input.department,
                partner_client_id=input.partner_client_id,
            )
            staff = await add_staff(info.context.actor, form, info.context.clock.now())
            return AddStaffPayload(staff=Staff.from_view(staff))

        return await attempt(AddStaffPayload, work())

    @strawberry.mutation(
        description="Stop a member of staff's account (someone left): sign-in stops and sessions end now."
        " Its municipality's admin.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def deactivate_staff(self, info: Info, staff_id: strawberry.ID) -> DeactivateStaffPayload:
        async def work() -> DeactivateStaffPayload:
            done = await deactivate_staff(
                info.context.actor, int_id(staff_id) or -1, info.context.clock.now()
            )
            return DeactivateStaffPayload(staff=Staff.from_view(done))

        return await attempt(DeactivateStaffPayload, work())
