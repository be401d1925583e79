"""Fetching a resident on someone's behalf: only the resident themself."""

from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.residents.queries import ResidentView, get_resident
from domain.sql import reader


async def access_resident_by_actor(actor: Actor | None) -> ResidentView:
    actor = permit(actor, Permission.RESIDENT)
    return await get_resident(reader(), actor.id)


def resident_id_of(actor: Actor | None) -> int:
    """Which resident is asking, before anything of theirs is read (``me { balances }`` needs
    no more than the id)."""
    return permit(actor, Permission.RESIDENT).id
