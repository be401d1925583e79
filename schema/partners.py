"""Partner companies and their OAuth 2.0 client credentials."""

import strawberry

from domain.partners.actions import PartnerView
from schema.errors import Payload


@strawberry.type(description="A partner company (応援ポイント会社).")
class Partner:
    name: str
    client_id: str
    active: bool

    @classmethod
    def from_view(cls, view: PartnerView) -> "Partner":
        return cls(name=view.name, client_id=view.client_id, active=view.active)


@strawberry.type
class AddPartnerPayload(Payload):
    partner: Partner | None = None
    client_secret: str | None = strawberry.field(
        default=None, description="Shown once; stored only as a hash."
    )


@strawberry.type
class SetPartnerActivePayload(Payload):
    partner: Partner | None = None
