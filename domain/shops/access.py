"""Fetching a shop on someone's behalf: its staff and PAY terminals act for their own shop; its
municipality's admins (and the operator) manage it."""

from domain.auth.access import require_municipality
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.shops.queries import ShopView, get_shop
from domain.sql import Sql


def access_shop_by_actor(actor: Actor | None, permission: Permission) -> tuple[Actor, int]:
    """``actor`` and the id of its shop, if ``permission`` admits it (a shop-bound permission)."""
    actor = permit(actor, permission)
    assert actor.shop_id is not None, "shop staff and PAY terminals are bound to a shop"
    return actor, actor.shop_id


async def access_shop_by_id(
    actor: Actor | None, permission: Permission, sql: Sql, shop_id: int, field: str = "shopId"
) -> tuple[Actor, ShopView]:
    """The shop, if ``permission`` admits ``actor`` and the shop is in its municipality."""
    actor = permit(actor, permission)
    shop = await get_shop(sql, shop_id, field)
    require_municipality(actor, shop.municipality_id)
    return actor, shop
