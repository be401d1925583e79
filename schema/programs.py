"""Programs, support events, premium campaigns; a municipality's public face."""

from datetime import date, datetime

import strawberry

from domain.municipalities.queries import MunicipalityView
from domain.programs.agreements import AgreementView
from domain.programs.queries import CampaignView, ProgramView
from domain.programs.rules import ProgramUse as DomainProgramUse
from models.programs import ProgramKind as DomainProgramKind
from models.programs import SupportEventMode as DomainSupportEventMode
from schema.context import Info
from schema.errors import Payload

ProgramKind = strawberry.enum(DomainProgramKind, name="ProgramKind")
ProgramUse = strawberry.enum(DomainProgramUse, name="ProgramUse")
SupportEventMode = strawberry.enum(
    DomainSupportEventMode,
    name="SupportEventMode",
    description="HELD: residents keep the points, spendable where the event allows, until they expire."
    " DONATION: the points are given to the organiser at the event's close.",
)


@strawberry.type(description="A premium campaign: points entering the program earn this much more (floored).")
class PremiumCampaign:
    id: strawberry.ID
    rate_percent: int
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def from_view(cls, view: CampaignView) -> "PremiumCampaign":
        return cls(
            id=strawberry.ID(str(view.id)),
            rate_percent=view.rate_percent,
            starts_at=view.starts_at,
            ends_at=view.ends_at,
        )


@strawberry.type(description="A municipality's point program: its regular program or a support event.")
class Program:
    id: strawberry.ID
    municipality_id: strawberry.Private[int]
    kind: DomainProgramKind
    name: str
    validity_days: int = strawberry.field(description="Granted or moved points stay valid this many days.")
    yen_per_point: int
    uses: list[DomainProgramUse]
    starts_on: date | None
    ends_on: date | None
    organiser: str | None
    purpose: str | None
    mode: DomainSupportEventMode | None = strawberry.field(
        default=None, description="A support event's: HELD or DONATION (null for a regular program)."
    )

    @strawberry.field(description="The municipality that runs it.")
    async def municipality(self, info: Info) -> "Municipality":
        found = await info.context.municipality_by_id.load(self.municipality_id)
        assert found is not None
        return Municipality.from_view(found)

    @strawberry.field(description="The premium campaign running now, if any.")
    async def premium(self, info: Info) -> PremiumCampaign | None:
        found = await info.context.campaign_by_program.load(int(self.id))
        return None if found is None else PremiumCampaign.from_view(found)

    @classmethod
    def from_view(cls, view: ProgramView) -> "Program":
        return cls(
            id=strawberry.ID(str(view.id)),
            municipality_id=view.municipality_id,
            kind=view.kind,
            name=view.name,
            validity_days=view.validity_days,
            yen_per_point=view.yen_per_point,
            uses=list(view.uses),
            starts_on=view.starts_on,
            ends_on=view.ends_on,
            organiser=view.organiser,
            purpose=view.purpose,
            mode=view.mode,
        )


@strawberry.type(description="A participating municipality (自治体).")
class Municipality:
    id: strawberry.Private[int]
    code: str = strawberry.field(description="JIS X 0402 code with its check digit, e.g. 141305.")
    name: str
    prefecture: str
    kana: str

    @strawberry.field(description="Its regular program and support events.")
    async def programs(self, info: Info) -> list[Program]:
        return [Program.from_view(p) for p in await info.context.programs_by_municipality.load(self.id)]

    @classmethod
    def from_view(cls, view: MunicipalityView) -> "Municipality":
        return cls(id=view.id, code=view.code, name=view.name, prefecture=view.prefecture, kana=view.kana)


@strawberry.type(description="A local government from the JIS X 0402 list (onboarding picks from these).")
class CatalogueMunicipality:
    code: str
    name: str
    prefecture: str
    kana: str
    participating: bool


@strawberry.input
class BankAccountInput:
    bank_code: str
    branch_code: str
    account_type: str = strawberry.field(description="ORDINARY (普通) or CURRENT (当座)")
    account_number: str
    holder_kana: str = strawberry.field(
        description="The account holder in katakana (full- or half-width), kept in the bank file's form"
    )


@strawberry.input
class AddMunicipalityInput:
    code: str
    contact_email: str
    contact_phone: str
    bank_account: BankAccountInput
    transfer_requester_code: str | None = strawberry.field(
        default=None, description="委託者コード: the 10 digits the bank assigned for transfer files"
    )
    settlement_schedule: str = strawberry.field(
        default="MONTHLY",
        description="MONTHLY (末締め翌15日払い) or TWICE_MONTHLY (also 15日締め末払い)",
    )


@strawberry.input
class AddProgramInput:
    municipality_code: str
    kind: DomainProgramKind
    name: str
    validity_days: int
    uses: list[DomainProgramUse]
    yen_per_point: int = 1
    starts_on: date | None = None
    ends_on: date | None = None
    organiser: str | None = None
    purpose: str | None = None
    mode: DomainSupportEventMode | None = strawberry.field(
        default=None, description="A support event's: HELD or DONATION (the default). Never changes."
    )


@strawberry.input(description="What may change of a program: not its kind nor its municipality.")
class UpdateProgramInput:
    name: str
    validity_days: int
    uses: list[DomainProgramUse]
    yen_per_point: int = strawberry.field(
        default=1, description="Changes only while no points of the program exist."
    )
    starts_on: date | None = None
    ends_on: date | None = None
    organiser: str | None = None
    purpose: str | None = None


@strawberry.type
class UpdateProgramPayload(Payload):
    program: Program | None = None


@strawberry.type
class AddMunicipalityPayload(Payload):
    municipality: Municipality | None = None


@strawberry.type
class AddProgramPayload(Payload):
    program: Program | None = None


@strawberry.type
class AddPremiumCampaignPayload(Payload):
    campaign: PremiumCampaign | None = None


@strawberry.type
class EndPremiumCampaignPayload(Payload):
    campaign: PremiumCampaign | None = None
    deleted: bool | None = strawberry.field(
        default=None, description="True when the campaign had not started and was removed."
    )


@strawberry.type
class AddDepartmentPayload(Payload):
    name: str | None = None


@strawberry.type
class SetShopProgramsPayload(Payload):
    program_ids: list[strawberry.ID] | None = None


@strawberry.type(
    description="たすきがけ: shops of another municipality may accept a program; its municipality pays for"
    " the points used there, netted between the two at each settlement."
)
class AcceptanceAgreement:
    id: strawberry.ID
    program_id: strawberry.Private[int]
    municipality_id: strawberry.Private[int]
    created_at: datetime

    @strawberry.field(description="The program accepted.")
    async def program(self, info: Info) -> "Program":
        found = await info.context.program_by_id.load(self.program_id)
        assert found is not None  # an agreement's program is a foreign key
        return Program.from_view(found)

    @strawberry.field(description="The municipality whose shops may accept it.")
    async def municipality(self, info: Info) -> Municipality:
        found = await info.context.municipality_by_id.load(self.municipality_id)
        assert found is not None
        return Municipality.from_view(found)

    @classmethod
    def from_view(cls, v: AgreementView) -> "AcceptanceAgreement":
        return cls(
            id=strawberry.ID(str(v.id)),
            program_id=v.program_id,
            municipality_id=v.municipality_id,
            created_at=v.created_at,
        )


@strawberry.type
class AddAcceptanceAgreementPayload(Payload):
    agreement: AcceptanceAgreement | None = None


@strawberry.type
class MunicipalityEdge:
    cursor: str
    node: Municipality


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class MunicipalityConnection:
    edges: list[MunicipalityEdge]
    page_info: PageInfo
