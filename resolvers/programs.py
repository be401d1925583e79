"""Municipalities (public reads, onboarding catalogue) and their programs."""

from datetime import datetime

import strawberry

from domain.auth.permissions import Permission
from domain.errors import DomainError
from domain.municipalities.queries import get_municipality_by_code, list_catalogue, list_municipalities
from domain.numbers import ascii_int
from domain.points.queries import list_event_gifts
from domain.programs import actions, agreements
from domain.sql import reader
from models.programs import ProgramKind as DomainProgramKind
from resolvers.ids import int_id
from schema.context import Info
from schema.errors import attempt
from schema.permissions import Needs
from schema.points import SupportEventGift
from schema.programs import (
    AcceptanceAgreement,
    AddAcceptanceAgreementPayload,
    AddDepartmentPayload,
    AddPremiumCampaignPayload,
    AddProgramInput,
    AddProgramPayload,
    CatalogueMunicipality,
    EndPremiumCampaignPayload,
    Municipality,
    MunicipalityConnection,
    MunicipalityEdge,
    PageInfo,
    PremiumCampaign,
    Program,
    SetShopProgramsPayload,
    UpdateProgramInput,
    UpdateProgramPayload,
)


def _offset(after: str | None) -> int:
    return ascii_int(after or "") or 0


@strawberry.type
class ProgramQuery:
    @strawberry.field(
        description="Participating municipalities, by name, kana or code. Anyone.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def municipalities(
        self,
        info: Info,
        search: str = "",
        prefecture: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> MunicipalityConnection:
        start, size = _offset(after), max(1, min(first, 100))
        found = await list_municipalities(reader(), search, prefecture, size + 1, start)
        edges = [
            MunicipalityEdge(cursor=str(start + i + 1), node=Municipality.from_view(m))
            for i, m in enumerate(found[:size])
        ]
        end = edges[-1].cursor if edges else None
        return MunicipalityConnection(
            edges=edges, page_info=PageInfo(has_next_page=len(found) > size, end_cursor=end)
        )

    @strawberry.field(
        description="One participating municipality, with its programs. Anyone.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def municipality(self, info: Info, code: str) -> Municipality | None:
        try:
            return Municipality.from_view(await get_municipality_by_code(reader(), code, "code"))
        except DomainError:  # an unknown or malformed code simply has no municipality
            return None

    @strawberry.field(
        description="The JIS X 0402 list to onboard from. The operator.",
        extensions=[Needs(Permission.OPERATOR)],
    )
    async def municipality_catalogue(
        self, info: Info, search: str = "", prefecture: str | None = None, first: int = 50
    ) -> list[CatalogueMunicipality]:
        found = await list_catalogue(info.context.actor, search, prefecture, first)
        return [
            CatalogueMunicipality(
                code=e.code, name=e.name, prefecture=e.prefecture, kana=e.kana, participating=e.participating
            )
            for e in found
        ]

    @strawberry.field(
        description="Who gave how many points to a support event. Its municipality's staff.",
        extensions=[Needs(Permission.MUNICIPALITY_STAFF)],
    )
    async def support_event_gifts(self, info: Info, program_id: strawberry.ID) -> list[SupportEventGift]:
        gifts = await list_event_gifts(info.context.actor, int_id(program_id) or -1)
        return [SupportEventGift(my_key_id=g.my_key_id, points=g.points) for g in gifts]


def _program_input(
    input: AddProgramInput | UpdateProgramInput, municipality_code: str, kind: DomainProgramKind
) -> actions.ProgramInput:
    return actions.ProgramInput(
        municipality_code=municipality_code,
        kind=kind,
        name=input.name,
        validity_days=input.validity_days,
        uses=tuple(input.uses),
        yen_per_point=input.yen_per_point,
        starts_on=input.starts_on,
        ends_on=input.ends_on,
        organiser=input.organiser,
        purpose=input.purpose,
        mode=input.mode if isinstance(input, AddProgramInput) else None,
    )


@strawberry.type
class ProgramMutation:
    @strawberry.mutation(
        description="Add the regular program or a support event. Its municipality's admin.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def add_program(self, info: Info, input: AddProgramInput) -> AddProgramPayload:
        async def work() -> AddProgramPayload:
            form = _program_input(input, input.municipality_code, input.kind)
            program = await actions.add_program(info.context.actor, form, info.context.clock.now())
            return AddProgramPayload(program=Program.from_view(program))

        return await attempt(AddProgramPayload, work())

    @strawberry.mutation(
        description="Change a program's name, validity (for points issued from now on), uses, window,"
        " organiser and purpose. Its municipality's admin.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def update_program(
        self, info: Info, program_id: strawberry.ID, input: UpdateProgramInput
    ) -> UpdateProgramPayload:
        async def work() -> UpdateProgramPayload:
            form = _program_input(input, "", DomainProgramKind.REGULAR)  # it keeps its own kind
            program = await actions.update_program(
                info.context.actor, int_id(program_id) or -1, form, info.context.clock.now()
            )
            return UpdateProgramPayload(program=Program.from_view(program))

        return await attempt(UpdateProgramPayload, work())

    @strawberry.mutation(
        description="A premium campaign for a program (a rate and a window). Its admin.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def add_premium_campaign(
        self, info: Info, program_id: strawberry.ID, rate_percent: int, starts_at: datetime, ends_at: datetime
    ) -> AddPremiumCampaignPayload:
        async def work() -> AddPremiumCampaignPayload:
            campaign = await actions.add_premium_campaign(
                info.context.actor,
                int_id(program_id) or -1,
                rate_percent,
                starts_at,
                ends_at,
                info.context.clock.now(),
            )
            return AddPremiumCampaignPayload(campaign=PremiumCampaign.from_view(campaign))

        return await attempt(AddPremiumCampaignPayload, work())

    @strawberry.mutation(
        description="End a running premium campaign now, or delete one that has not started. Its admin.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def end_premium_campaign(self, info: Info, campaign_id: strawberry.ID) -> EndPremiumCampaignPayload:
        async def work() -> EndPremiumCampaignPayload:
            ended = await actions.end_premium_campaign(
                info.context.actor, int_id(campaign_id) or -1, info.context.clock.now()
            )
            return EndPremiumCampaignPayload(
                campaign=PremiumCampaign.from_view(ended.campaign), deleted=ended.deleted
            )

        return await attempt(EndPremiumCampaignPayload, work())

    @strawberry.mutation(
        description="Add a department (原課). Its municipality's admin.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def add_department(self, info: Info, municipality_code: str, name: str) -> AddDepartmentPayload:
        async def work() -> AddDepartmentPayload:
            added = await actions.add_department(
                info.context.actor, municipality_code, name, info.context.clock.now()
            )
            return AddDepartmentPayload(name=added)

        return await attempt(AddDepartmentPayload, work())

    @strawberry.mutation(
        description="The programs a shop accepts: its own municipality's, and others' under an acceptance"
        " agreement. Its admin.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def set_shop_programs(
        self, info: Info, shop_id: strawberry.ID, program_ids: list[strawberry.ID]
    ) -> SetShopProgramsPayload:
        async def work() -> SetShopProgramsPayload:
            ids = [int_id(p) or -1 for p in program_ids]
            done = await actions.set_shop_programs(
                info.context.actor, int_id(shop_id) or -1, ids, info.context.clock.now()
            )
            return SetShopProgramsPayload(program_ids=[strawberry.ID(str(i)) for i in done])

        return await attempt(SetShopProgramsPayload, work())

    @strawberry.mutation(
        description="Let the shops of another municipality accept this program (たすきがけ). The program's"
        " municipality admin (it pays for the points used there); both must settle on the same schedule."
        " Adding it again returns the same agreement.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def add_acceptance_agreement(
        self, info: Info, program_id: strawberry.ID, municipality_code: str
    ) -> AddAcceptanceAgreementPayload:
        async def work() -> AddAcceptanceAgreementPayload:
            made = await agreements.add_acceptance_agreement(
                info.context.actor, int_id(program_id) or -1, municipality_code, info.context.clock.now()
            )
            return AddAcceptanceAgreementPayload(agreement=AcceptanceAgreement.from_view(made))

        return await attempt(AddAcceptanceAgreementPayload, work())
