"""Fetching a program on someone's behalf: a member of its municipality's staff (or of one of its
terminals), or the operator."""

from domain.auth.access import require_municipality
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.programs.queries import ProgramView, get_program
from domain.sql import Sql


async def access_program_by_id(
    actor: Actor | None, permission: Permission, sql: Sql, program_id: int, field: str = "programId"
) -> tuple[Actor, ProgramView]:
    """The program, if ``permission`` admits ``actor`` and the program is its municipality's."""
    actor = permit(actor, permission)
    program = await get_program(sql, program_id, field)
    require_municipality(actor, program.municipality_id)
    return actor, program
