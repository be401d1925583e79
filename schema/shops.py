"""Shops as the API shows them."""

import strawberry

from domain.shops.actions import ShopView
from schema.errors import Payload


@strawberry.type(description="A shop or facility that accepts points.")
class Shop:
    id: strawberry.ID
    name: str
    category: str

    @classmethod
    def from_view(cls, view: ShopView) -> "Shop":
        return cls(id=strawberry.ID(str(view.id)), name=view.name, category=view.category)


@strawberry.type
class AddShopPayload(Payload):
    shop: Shop | None = None
