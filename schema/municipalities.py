"""Municipalities as the API shows them."""

import strawberry

from domain.municipalities.queries import MunicipalityView
from schema.errors import Payload


@strawberry.type(description="A participating municipality (自治体).")
class Municipality:
    code: str = strawberry.field(description="JIS X 0402 code with its check digit, e.g. 141305.")
    name: str
    prefecture: str

    @classmethod
    def from_view(cls, view: MunicipalityView) -> "Municipality":
        return cls(code=view.code, name=view.name, prefecture=view.prefecture)


@strawberry.type
class AddMunicipalityPayload(Payload):
    municipality: Municipality | None = None
