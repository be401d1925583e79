"""Service IDs and counter lookups."""

from datetime import date

import strawberry

from domain.links.actions import LinkView, ServiceView
from schema.errors import Payload


@strawberry.type(description="A library, museum, sports facility… whose customer numbers residents link.")
class Service:
    code: str = strawberry.field(description="The provider code, e.g. A1.")
    name: str

    @classmethod
    def from_view(cls, view: ServiceView) -> "Service":
        return cls(code=view.code, name=view.name)


@strawberry.type(description="The customer number a resident holds at one service.")
class ServiceLink:
    service_code: str
    service_name: str
    customer_id: str
    valid_until: date | None = strawberry.field(description="The membership's own expiry, if it has one.")
    needs_reconfirmation: bool = strawberry.field(
        description="True when the yearly check is due, the membership expired, or the resident moved."
    )

    @classmethod
    def from_view(cls, view: LinkView) -> "ServiceLink":
        return cls(
            service_code=view.service_code,
            service_name=view.service_name,
            customer_id=view.customer_id,
            valid_until=view.valid_until,
            needs_reconfirmation=view.needs_reconfirmation,
        )


@strawberry.type
class LinkServicePayload(Payload):
    link: ServiceLink | None = None


@strawberry.type
class UnlinkServicePayload(Payload):
    service_code: str | None = None


@strawberry.type(description="What a lookup terminal gets: this terminal's service number, nothing else.")
class CounterLookupPayload(Payload):
    service_code: str | None = None
    customer_id: str | None = None
    valid_until: date | None = None
    needs_reconfirmation: bool | None = None

    @classmethod
    def from_view(cls, view: LinkView) -> "CounterLookupPayload":
        return cls(
            service_code=view.service_code,
            customer_id=view.customer_id,
            valid_until=view.valid_until,
            needs_reconfirmation=view.needs_reconfirmation,
        )


@strawberry.type
class AddServicePayload(Payload):
    service: Service | None = None
