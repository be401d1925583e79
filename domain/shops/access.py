"""The shop a caller acts for: its staff's, or its PAY terminal's."""

from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit


def access_shop_by_actor(actor: Actor | None, permission: Permission) -> tuple[Actor, int]:
    """``actor`` and the id of its shop, if ``permission`` admits it (a shop-bound permission)."""
    actor = permit(actor, permission)
    assert actor.shop_id is not None, "shop staff and PAY terminals are bound to a shop"
    return actor, actor.shop_id
