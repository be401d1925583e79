"""Counter terminals: registration, activation, connectivity test, revocation."""

import strawberry

from domain.auth.permissions import Permission
from domain.terminals import actions
from resolvers.ids import int_id
from schema.context import Info
from schema.errors import attempt
from schema.permissions import Needs
from schema.terminals import (
    ActivateTerminalPayload,
    PingTerminalPayload,
    RegisterTerminalInput,
    RegisterTerminalPayload,
    RevokeTerminalPayload,
    Terminal,
)


@strawberry.type
class TerminalMutation:
    @strawberry.mutation(
        description="Register a terminal; returns its one-time activation code. Admins.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def register_terminal(self, info: Info, input: RegisterTerminalInput) -> RegisterTerminalPayload:
        async def work() -> RegisterTerminalPayload:
            form = actions.TerminalInput(
                kind=input.kind,
                name=input.name,
                municipality_code=input.municipality_code,
                shop_id=int_id(input.shop_id),
                service_code=input.service_code,
                department=input.department,
            )
            done = await actions.register_terminal(info.context.actor, form, info.context.clock.now())
            return RegisterTerminalPayload(
                terminal=Terminal.from_view(done.terminal),
                activation_code=done.activation_code,
                activation_expires_at=done.activation_expires_at,
            )

        return await attempt(RegisterTerminalPayload, work())

    @strawberry.mutation(
        description="The device activates itself once with its code and gets its token. Anyone.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def activate_terminal(self, info: Info, activation_code: str) -> ActivateTerminalPayload:
        async def work() -> ActivateTerminalPayload:
            terminal, token = await actions.activate_terminal(
                activation_code, info.context.clock.now(), info.context.client_address
            )
            return ActivateTerminalPayload(terminal=Terminal.from_view(terminal), token=token)

        return await attempt(ActivateTerminalPayload, work())

    @strawberry.mutation(
        description="Connectivity test: the terminal as the platform sees it. Terminals.",
        extensions=[Needs(Permission.TERMINAL)],
    )
    async def ping_terminal(self, info: Info) -> PingTerminalPayload:
        async def work() -> PingTerminalPayload:
            now = info.context.clock.now()
            terminal = await actions.ping_terminal(info.context.actor, now)
            return PingTerminalPayload(terminal=Terminal.from_view(terminal), server_time=now)

        return await attempt(PingTerminalPayload, work())

    @strawberry.mutation(
        description="Revoke a terminal: its token stops at once. Its municipality's admin.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def revoke_terminal(self, info: Info, id: strawberry.ID) -> RevokeTerminalPayload:
        async def work() -> RevokeTerminalPayload:
            terminal = await actions.revoke_terminal(
                info.context.actor, int_id(id) or -1, info.context.clock.now()
            )
            return RevokeTerminalPayload(terminal=Terminal.from_view(terminal))

        return await attempt(RevokeTerminalPayload, work())
