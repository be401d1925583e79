"""Acceptance agreements (たすきがけ): another municipality's shops may accept a program.

The program's municipality makes the agreement (it is the one that pays for the points used there):
its admin, or the operator. The accepting municipality's admin then adds the program to its shops
(``set_shop_programs``). At each settlement the accepting municipality pays its own shops for
everything used there, and the two municipalities net what they owe each other into one transfer
per pair and period (``domain.settlement.actions``). Netting per period needs both municipalities
to close the same periods, so both must be on the same settlement schedule.
"""

from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from domain.audit.log import audit
from domain.auth.access import require_municipality
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import get_municipality_by_code
from domain.programs.queries import get_program
from domain.sql import Sql, broke_unique, transaction
from models.programs import ProgramKind


@dataclass(frozen=True)
class AgreementView:
    id: int
    program_id: int
    program_name: str
    owner_id: int  # the program's municipality (it pays)
    municipality_id: int  # whose shops may accept the program
    municipality_code: str
    municipality_name: str
    created_at: datetime


_SELECT = (
    "SELECT x.id, x.program_id, g.name AS program_name, g.municipality_id AS owner_id, x.municipality_id,"
    " m.code AS municipality_code, m.name AS municipality_name, x.created_at"
    " FROM acceptance_agreements x JOIN programs g ON g.id = x.program_id"
    " JOIN municipalities m ON m.id = x.municipality_id"
)


async def add_acceptance_agreement(
    actor: Actor | None, program_id: int, municipality_code: str, now: datetime
) -> AgreementView:
    """Let the shops of ``municipality_code`` accept the program (its municipality's admins, or
    the operator). Adding an agreement that exists returns it."""
    permit(actor, Permission.MUNICIPALITY_ADMIN)

    async def work(sql: Sql) -> AgreementView:
        program = await get_program(sql, program_id)
        who = require_municipality(actor, program.municipality_id)
        if program.kind is not ProgramKind.REGULAR:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                "Only a regular program is accepted across municipalities: a support event stays"
                " where it is held.",
                "programId",
            )
        accepting = await get_municipality_by_code(sql, municipality_code, "municipalityCode")
        if accepting.id == program.municipality_id:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                "The program's own shops accept it already: name another municipality.",
                "municipalityCode",
            )
        schedules = await sql.fetch(
            f"SELECT settlement_schedule FROM municipalities WHERE {sql.any_of('id', 1)}",
            sql.ids([accepting.id, program.municipality_id]),
        )
        if len({str(r["settlement_schedule"]) for r in schedules}) != 1:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                f"{accepting.name} settles on another schedule: the two municipalities must close the same"
                " periods to net what they owe each other.",
                "municipalityCode",
            )
        found = await sql.fetchrow_as(
            AgreementView,
            f"{_SELECT} WHERE x.program_id = $1 AND x.municipality_id = $2",
            program.id,
            accepting.id,
        )
        if found is not None:
            return found
        agreement_id = await sql.fetchval(
            "INSERT INTO acceptance_agreements (program_id, municipality_id, created_by, created_at)"
            " VALUES ($1, $2, $3, $4) RETURNING id",
            program.id,
            accepting.id,
            who.label,
            now,
        )
        await audit(
            sql, who, "agreement.add", f"{program.name} → {accepting.name}", program.municipality_id, now
        )
        made = await sql.fetchrow_as(AgreementView, f"{_SELECT} WHERE x.id = $1", agreement_id)
        assert made is not None
        return made

    try:
        return await transaction(work)
    except IntegrityError as exc:  # the same agreement made at the same moment: it exists now
        if not broke_unique(exc, "acceptance_agreements"):
            raise
        return await transaction(work)


async def agreed(sql: Sql, program_id: int, municipality_id: int) -> bool:
    """Whether shops of ``municipality_id`` may accept the program under an agreement."""
    found = await sql.fetchval(
        "SELECT COUNT(*) FROM acceptance_agreements WHERE program_id = $1 AND municipality_id = $2",
        program_id,
        municipality_id,
    )
    return int(found or 0) > 0


async def list_agreements(sql: Sql, municipality_id: int) -> list[AgreementView]:
    """The agreements a municipality made for its programs and those made for its shops."""
    return await sql.fetch_as(
        AgreementView,
        f"{_SELECT} WHERE g.municipality_id = $1 OR x.municipality_id = $1 ORDER BY x.id",
        municipality_id,
    )


@dataclass(frozen=True)
class AcceptedProgram:
    id: int
    name: str
    municipality_name: str


async def programs_agreed_for(sql: Sql, municipality_id: int) -> list[AcceptedProgram]:
    """Other municipalities' programs this municipality's shops may accept (their agreements)."""
    return await sql.fetch_as(
        AcceptedProgram,
        "SELECT p.id, p.name, m.name AS municipality_name FROM acceptance_agreements a"
        " JOIN programs p ON p.id = a.program_id JOIN municipalities m ON m.id = p.municipality_id"
        " WHERE a.municipality_id = $1 ORDER BY p.id",
        municipality_id,
    )
