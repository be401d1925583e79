"""Staff sign-in and accounts; ``viewer`` (who is calling)."""

import strawberry

from domain.auth.actor import Role
from domain.auth.permissions import Permission
from domain.municipalities.queries import list_municipalities_by_id
from domain.sql import reader
from domain.staff.actions import StaffInput, add_staff, log_in_staff
from resolvers.ids import int_id
from resolvers.sessions import deliver
from schema.context import Info
from schema.errors import attempt
from schema.permissions import Needs
from schema.staff import AddStaffInput, AddStaffPayload, LoginStaffPayload, Staff, Viewer


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
            )
            staff = await add_staff(info.context.actor, form, info.context.clock.now())
            return AddStaffPayload(staff=Staff.from_view(staff))

        return await attempt(AddStaffPayload, work())
