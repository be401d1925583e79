"""The portal as the API shows it: shops as places, and the figures a municipality published."""

from datetime import datetime

import strawberry

from domain.settlement.publishing import PublishedMonth
from domain.shops.listing import Place
from schema.errors import Payload
from schema.programs import PageInfo


@strawberry.type(description="A shop or facility that accepts points, as the portal shows it.")
class ShopListing:
    id: strawberry.ID
    name: str
    category: str
    municipality_code: str
    municipality_name: str
    prefecture: str
    program_ids: list[strawberry.ID]
    kana: str = strawberry.field(description="名称_カナ, in full-width katakana")
    postal_code: str
    address: str
    latitude: float | None = strawberry.field(description="WGS84 decimal degrees")
    longitude: float | None
    opening_hours: str = strawberry.field(description='As written; "Mo-Sa 10:00-19:00" where it can be read')
    description: str
    phone: str
    url: str
    scans_vouchers: bool = strawberry.field(description="Its staff scan QR vouchers")

    @classmethod
    def from_view(cls, p: Place) -> "ShopListing":
        return cls(
            id=strawberry.ID(str(p.id)),
            name=p.name,
            category=p.category,
            municipality_code=p.municipality_code,
            municipality_name=p.municipality_name,
            prefecture=p.prefecture,
            program_ids=[strawberry.ID(str(i)) for i in p.program_ids],
            kana=p.kana,
            postal_code=p.postal_code,
            address=p.address,
            latitude=p.latitude,
            longitude=p.longitude,
            opening_hours=p.opening_hours,
            description=p.description,
            phone=p.phone,
            url=p.url,
            scans_vouchers=p.scans_vouchers,
        )


@strawberry.type
class ShopEdge:
    cursor: str
    node: ShopListing


@strawberry.type
class ShopConnection:
    edges: list[ShopEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="How many shops match, all pages together")


@strawberry.input(description="Where and what a shop is; empty fields are cleared.")
class ShopPlaceInput:
    kana: str = ""
    postal_code: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    opening_hours: str = ""
    description: str = ""
    phone: str = ""
    url: str = ""
    scans_vouchers: bool = True


@strawberry.type
class SetShopPlacePayload(Payload):
    shop: ShopListing | None = None


@strawberry.type(description="A month's totals a municipality published (no personal data).")
class PublishedFigures:
    month: str
    issued_points: int
    used_points: int
    expired_points: int
    shops_used: int
    published_at: datetime = strawberry.field(description="The figures are as of this moment")

    @classmethod
    def from_view(cls, m: PublishedMonth) -> "PublishedFigures":
        return cls(
            month=m.month,
            issued_points=m.issued_points,
            used_points=m.used_points,
            expired_points=m.expired_points,
            shops_used=m.shops_used,
            published_at=m.published_at,
        )


@strawberry.type
class PublishMonthlyFiguresPayload(Payload):
    figures: PublishedFigures | None = None
