"""Residents, their MyKey ID, registration (screen 16) and sign-in."""

from datetime import datetime

import strawberry

from domain.cursors import encode_cursor
from domain.residents.queries import ResidentView
from domain.residents.rules import Notifications
from schema.context import Info
from schema.errors import Payload
from schema.links import ServiceLink
from schema.points import Balance, Movement, MovementConnection, MovementEdge, Reserved, ReservedLot
from schema.programs import Municipality, PageInfo
from schema.vouchers import Voucher


@strawberry.type(description="Which e-mails the resident asked for.")
class NotificationSettings:
    points_granted: bool
    points_expired: bool
    password_changed: bool
    my_key_id_changed: bool


@strawberry.type(description="A resident, known only by their MyKey ID.")
class Resident:
    """Known by id alone until a field needs the resident's row: ``me { balances }`` reads the
    balances and nothing else."""

    id: strawberry.Private[int]
    known: strawberry.Private[ResidentView | None] = None

    async def _view(self, info: Info) -> ResidentView:
        if self.known is None:
            found = await info.context.resident_by_id.load(self.id)
            assert found is not None, self.id  # the caller's own session or token named them
            self.known = found
        return self.known

    @strawberry.field
    async def my_key_id(self, info: Info) -> str:
        return (await self._view(info)).my_key_id

    @strawberry.field
    async def email(self, info: Info) -> str | None:
        return (await self._view(info)).email

    @strawberry.field(description="ACTIVE, or SUSPENDED after a lost card until a new card is bound.")
    async def status(self, info: Info) -> str:
        return (await self._view(info)).status

    @strawberry.field
    async def notifications(self, info: Info) -> NotificationSettings:
        n = (await self._view(info)).notifications
        return NotificationSettings(
            points_granted=n.points_granted,
            points_expired=n.points_expired,
            password_changed=n.password_changed,
            my_key_id_changed=n.my_key_id_changed,
        )

    @strawberry.field(description="When the bound certificate expires.")
    async def card_valid_until(self, info: Info) -> datetime | None:
        return (await self._view(info)).card_valid_until

    @strawberry.field(description="The basic municipal point account (基本自治体ポイント口座).")
    async def basic_municipality(self, info: Info) -> Municipality | None:
        municipality_id = (await self._view(info)).basic_municipality_id
        if municipality_id is None:
            return None
        found = await info.context.municipality_by_id.load(municipality_id)
        return None if found is None else Municipality.from_view(found)

    @strawberry.field(description="Linked service IDs (library card, museum pass…).")
    async def service_links(self, info: Info) -> list[ServiceLink]:
        links = await info.context.links_by_resident.load(self.id)
        return [ServiceLink.from_view(link) for link in links]

    @strawberry.field(description="Points per program, with what expires first.")
    async def balances(self, info: Info) -> list[Balance]:
        found = await info.context.balances_by_resident.load(self.id)
        return [Balance.from_view(b) for b in found]

    @strawberry.field(description="Reserved points (留保ポイント) and when each lot moves on its own.")
    async def reserved(self, info: Info) -> Reserved:
        lots = await info.context.reserved_by_resident.load(self.id)
        return Reserved(
            points=sum(lot.points for lot in lots),
            lots=[ReservedLot(points=lot.points, auto_move_at=lot.auto_move_at) for lot in lots],
        )

    @strawberry.field(
        description="Every movement of the resident's points, newest first (at most 100 a page)."
    )
    async def history(self, info: Info, first: int = 20, after: str | None = None) -> MovementConnection:
        movements, more = await info.context.history_by_resident.load(
            (self.id, max(1, min(first, 100)), after)
        )
        edges = [
            MovementEdge(cursor=encode_cursor(m.entry_id), node=Movement.from_view(m)) for m in movements
        ]
        end = edges[-1].cursor if edges else None
        return MovementConnection(edges=edges, page_info=PageInfo(has_next_page=more, end_cursor=end))

    @strawberry.field(description="The resident's vouchers, newest first (at most 100).")
    async def vouchers(self, info: Info) -> list[Voucher]:
        found = await info.context.vouchers_by_resident.load(self.id)
        return [Voucher.from_view(v, info.context.voucher_key) for v in found]

    @classmethod
    def from_view(cls, view: ResidentView) -> "Resident":
        return cls(id=view.id, known=view)


@strawberry.input
class NotificationsInput:
    points_granted: bool = False
    points_expired: bool = False
    password_changed: bool = False
    my_key_id_changed: bool = False

    def to_domain(self) -> Notifications:
        return Notifications(
            self.points_granted, self.points_expired, self.password_changed, self.my_key_id_changed
        )


@strawberry.input
class CompleteRegistrationInput:
    registration_token: str
    my_key_id: str
    password: str
    password_confirmation: str
    email: str | None = None
    email_confirmation: str | None = None
    notifications: NotificationsInput = strawberry.field(default_factory=NotificationsInput)
    basic_municipality_code: str | None = None


@strawberry.input
class UpdateSettingsInput:
    email: str | None = None
    email_confirmation: str | None = None
    notifications: NotificationsInput = strawberry.field(default_factory=NotificationsInput)
    basic_municipality_code: str | None = None


@strawberry.type
class BeginRegistrationPayload(Payload):
    registration_token: str | None = None


@strawberry.type
class GenerateMyKeyIdPayload(Payload):
    candidate: str | None = None
    remaining: int | None = strawberry.field(default=None, description="Presses left (3 in all).")
    final: bool | None = strawberry.field(
        default=None, description="True on the 3rd: this ID will be registered."
    )


@strawberry.type
class CheckMyKeyIdPayload(Payload):
    available: bool | None = None
    remaining: int | None = strawberry.field(
        default=None, description="Failed checks left before one is generated."
    )
    candidate: str | None = strawberry.field(
        default=None,
        description="The candidate to register: yours if available, a generated one after 3 failures.",
    )


@strawberry.type(
    description="A signed-in session. With useCookie, the token is in an HttpOnly cookie instead."
)
class SessionPayload(Payload):
    token: str | None = strawberry.field(default=None, description="Send as `Authorization: Bearer <token>`.")
    csrf_token: str | None = strawberry.field(
        default=None, description="With a cookie session, send it back in the X-CSRF-Token header."
    )
    expires_at: datetime | None = None
    resident: Resident | None = None
    card_session: bool | None = strawberry.field(
        default=None,
        description="True when the session began with the card (needed to move or spend points).",
    )


@strawberry.type
class CompleteRegistrationPayload(SessionPayload):
    pass


@strawberry.type
class LoginWithCardPayload(SessionPayload):
    pass


@strawberry.type
class LoginWithPasswordPayload(SessionPayload):
    pass


@strawberry.type
class ResidentPayload(Payload):
    resident: Resident | None = None


@strawberry.type
class RebindCardPayload(ResidentPayload):
    pass


@strawberry.type
class SuspendMyKeyIdPayload(ResidentPayload):
    pass


@strawberry.type
class SuspendMyKeyIdOnRequestPayload(ResidentPayload):
    pass


@strawberry.type
class ChangePasswordPayload(ResidentPayload):
    pass


@strawberry.type
class UpdateSettingsPayload(ResidentPayload):
    pass


@strawberry.type
class LogOutPayload(Payload):
    ok: bool | None = None
