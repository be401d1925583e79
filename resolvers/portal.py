"""The portal's operations: where points can be used (anyone), a shop's place and the published
figures (its municipality's admins)."""

import strawberry

from domain.auth.permissions import Permission
from domain.municipalities.queries import get_municipality_by_code
from domain.numbers import ascii_int
from domain.settlement.publishing import list_published, publish_monthly_figures
from domain.shops.listing import PlaceSearch, get_place, search_places
from domain.shops.places import ShopPlace, set_shop_place
from domain.sql import reader
from resolvers.ids import int_id
from schema.context import Info
from schema.errors import attempt
from schema.permissions import Needs
from schema.portal import (
    PublishedFigures,
    PublishMonthlyFiguresPayload,
    SetShopPlacePayload,
    ShopConnection,
    ShopEdge,
    ShopListing,
    ShopPlaceInput,
)
from schema.programs import PageInfo


@strawberry.type
class PortalQuery:
    @strawberry.field(
        description="Where points can be used: shops by municipality, prefecture, program, category and"
        " words (hiragana, katakana, half-width kana and kanji find the same). Anyone.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def shops(
        self,
        info: Info,
        municipality_code: str | None = None,
        program_id: strawberry.ID | None = None,
        category: str | None = None,
        search: str = "",
        prefecture: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ShopConnection:
        start = ascii_int(after or "") or 0
        size = max(1, min(first, 100))
        asked = PlaceSearch(
            municipality_code or "", prefecture or "", category or "", int_id(program_id) or 0, search
        )
        found = await search_places(reader(), asked, size, start)
        edges = [
            ShopEdge(cursor=str(start + i + 1), node=ShopListing.from_view(p))
            for i, p in enumerate(found.places)
        ]
        end = edges[-1].cursor if edges else None
        more = start + len(edges) < found.total
        return ShopConnection(
            edges=edges, page_info=PageInfo(has_next_page=more, end_cursor=end), total_count=found.total
        )

    @strawberry.field(
        description="The months' totals a municipality chose to publish, newest first. Anyone.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def published_figures(self, info: Info, municipality_code: str) -> list[PublishedFigures]:
        sql = reader()
        town = await get_municipality_by_code(sql, municipality_code)
        return [PublishedFigures.from_view(m) for m in await list_published(sql, town.id)]


@strawberry.type
class PortalMutation:
    @strawberry.mutation(
        description="Where and what a shop is, as the portal and the open data show it. Its"
        " municipality's admin, or the operator.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def set_shop_place(
        self, info: Info, shop_id: strawberry.ID, input: ShopPlaceInput
    ) -> SetShopPlacePayload:
        async def work() -> SetShopPlacePayload:
            place = ShopPlace(
                kana=input.kana,
                postal_code=input.postal_code,
                address=input.address,
                latitude=input.latitude,
                longitude=input.longitude,
                opening_hours=input.opening_hours,
                description=input.description,
                phone=input.phone,
                url=input.url,
                scans_vouchers=input.scans_vouchers,
            )
            shop = int_id(shop_id) or -1
            await set_shop_place(info.context.actor, shop, place, info.context.clock.now())
            return SetShopPlacePayload(shop=ShopListing.from_view(await get_place(reader(), shop)))

        return await attempt(SetShopPlacePayload, work())

    @strawberry.mutation(
        description="Publish a month's totals (issued, used, expired, shops) on the municipality's portal"
        " page; publishing again refreshes them. Its admins, or the operator.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def publish_monthly_figures(
        self, info: Info, municipality_code: str, month: str
    ) -> PublishMonthlyFiguresPayload:
        async def work() -> PublishMonthlyFiguresPayload:
            done = await publish_monthly_figures(
                info.context.actor, municipality_code, month, info.context.clock.now()
            )
            return PublishMonthlyFiguresPayload(figures=PublishedFigures.from_view(done))

        return await attempt(PublishMonthlyFiguresPayload, work())
