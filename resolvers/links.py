"""Service IDs: linking, the counter lookup, the service catalogue."""

from datetime import date

import strawberry

from domain.auth.permissions import Permission
from domain.links import actions
from domain.sql import reader
from schema.cards import CardProofInput
from schema.context import Info
from schema.errors import attempt
from schema.links import (
    AddServicePayload,
    CounterLookupPayload,
    LinkServicePayload,
    Service,
    ServiceLink,
    UnlinkServicePayload,
)
from schema.permissions import Needs


@strawberry.type
class LinkQuery:
    @strawberry.field(
        description="Every service whose customer numbers can be linked. Anyone.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def services(self, info: Info) -> list[Service]:
        return [Service.from_view(s) for s in await actions.list_services(reader())]


@strawberry.type
class LinkMutation:
    @strawberry.mutation(
        description="Link (or re-confirm) your customer number at a service. Residents.",
        extensions=[Needs(Permission.RESIDENT)],
    )
    async def link_service(
        self, info: Info, service_code: str, customer_id: str, valid_until: date | None = None
    ) -> LinkServicePayload:
        async def work() -> LinkServicePayload:
            link = await actions.link_service(
                info.context.actor, service_code, customer_id, valid_until, info.context.clock.now()
            )
            return LinkServicePayload(link=ServiceLink.from_view(link))

        return await attempt(LinkServicePayload, work())

    @strawberry.mutation(
        description="Remove a linked customer number. Residents.", extensions=[Needs(Permission.RESIDENT)]
    )
    async def unlink_service(self, info: Info, service_code: str) -> UnlinkServicePayload:
        async def work() -> UnlinkServicePayload:
            await actions.unlink_service(info.context.actor, service_code)
            return UnlinkServicePayload(service_code=service_code)

        return await attempt(UnlinkServicePayload, work())

    @strawberry.mutation(
        description="Card at the counter → this terminal's service number. LOOKUP terminals.",
        extensions=[Needs(Permission.TERMINAL_LOOKUP)],
    )
    async def counter_lookup(self, info: Info, proof: CardProofInput) -> CounterLookupPayload:
        async def work() -> CounterLookupPayload:
            link = await actions.counter_lookup(
                info.context.actor, proof.to_domain(), info.context.card_trust, info.context.clock.now()
            )
            return CounterLookupPayload.from_view(link)

        return await attempt(CounterLookupPayload, work())

    @strawberry.mutation(
        description="Add a service (provider code and name), run for one municipality (its code) or, without"
        " one, by a provider serving several (the operator binds its counter terminals). The operator.",
        extensions=[Needs(Permission.OPERATOR)],
    )
    async def add_service(
        self, info: Info, code: str, name: str, municipality_code: str | None = None
    ) -> AddServicePayload:
        async def work() -> AddServicePayload:
            service = await actions.add_service(
                info.context.actor, code, name, info.context.clock.now(), municipality_code
            )
            return AddServicePayload(service=Service.from_view(service))

        return await attempt(AddServicePayload, work())
