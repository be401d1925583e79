"""Who is calling: every request is made by one :class:`Actor`, or by nobody (``None``)."""

from dataclasses import dataclass
from enum import StrEnum

from models.terminals import TerminalKind


class Role(StrEnum):
    RESIDENT = "RESIDENT"
    OPERATOR = "OPERATOR"
    MUNICIPALITY_ADMIN = "MUNICIPALITY_ADMIN"
    MUNICIPALITY_STAFF = "MUNICIPALITY_STAFF"
    SHOP_STAFF = "SHOP_STAFF"
    PARTNER_STAFF = "PARTNER_STAFF"  # a partner company's staff, signed in to its console
    PARTNER = "PARTNER"  # a partner's server, with its client credentials
    TERMINAL = "TERMINAL"


STAFF_ROLES = frozenset(
    {Role.OPERATOR, Role.MUNICIPALITY_ADMIN, Role.MUNICIPALITY_STAFF, Role.SHOP_STAFF, Role.PARTNER_STAFF}
)


@dataclass(frozen=True)
class Actor:
    role: Role
    id: int  # the resident's, staff member's, partner's or terminal's id
    session_id: int | None = None
    card_id: int | None = None  # set when a resident's session began with the card
    municipality_id: int | None = None
    shop_id: int | None = None
    department: str | None = None
    terminal_kind: TerminalKind | None = None
    service_id: int | None = None
    partner_id: int | None = None  # a partner's staff: their partner
    scopes: frozenset[str] = frozenset()  # a partner token's OAuth scopes

    @property
    def card_verified(self) -> bool:
        return self.card_id is not None

    @property
    def label(self) -> str:
        """How journals and idempotency records name this actor."""
        return f"{self.role.lower()}:{self.id}"

    @property
    def partner(self) -> int | None:
        """The partner this actor acts for: a partner's server, or a member of its staff."""
        return self.id if self.role is Role.PARTNER else self.partner_id
