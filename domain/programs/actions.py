"""Setting up programs, support events, premium campaigns, departments and shop acceptance.

A municipality admin works on their own municipality (the operator on any). A municipality has one
regular program; support events have a window (Japan days), an organiser and a purpose.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime

from tortoise.exceptions import IntegrityError

from domain.audit.log import audit
from domain.auth.access import require_municipality
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.dates import sane_day, sane_instant
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import get_municipality_by_code
from domain.programs.agreements import agreed
from domain.programs.queries import CampaignView, ProgramView, get_program
from domain.programs.rules import ProgramUse
from domain.shops.access import access_shop_by_id
from domain.sql import Sql, as_datetime, broke_unique, transaction
from models.programs import ProgramKind, SupportEventMode


@dataclass(frozen=True)
class ProgramInput:
    municipality_code: str
    kind: ProgramKind
    name: str
    validity_days: int
    uses: tuple[ProgramUse, ...]
    yen_per_point: int = 1
    starts_on: date | None = None
    ends_on: date | None = None
    organiser: str | None = None
    purpose: str | None = None
    mode: SupportEventMode | None = None  # support events: DONATION unless HELD is asked for

    def event_mode(self) -> SupportEventMode | None:
        if self.kind is ProgramKind.SUPPORT_EVENT:
            return self.mode or SupportEventMode.DONATION
        return None


def _invalid(message: str, field: str, reason: str | None = None) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field, reason)


def _check(form: ProgramInput, now: datetime) -> None:
    if not 1 <= len(form.name.strip()) <= 100:
        raise _invalid("Give the program a name of 1–100 characters.", "name", "program.name")
    if not 1 <= form.validity_days <= 3650:
        raise _invalid("Points stay valid for 1 to 3,650 days.", "validityDays")
    if not 1 <= form.yen_per_point <= 100:
        raise _invalid("A point is worth 1 to 100 yen.", "yenPerPoint")
    if not form.uses:
        raise _invalid("Choose at least one use.", "uses")
    if form.starts_on is not None:
        sane_day(form.starts_on, now, "startsOn")
    if form.ends_on is not None:
        sane_day(form.ends_on, now, "endsOn")
    if form.kind is ProgramKind.SUPPORT_EVENT:
        if form.starts_on is None or form.ends_on is None or form.starts_on > form.ends_on:
            raise _invalid("A support event has a first and a last day, in that order.", "endsOn")
        if not (form.organiser or "").strip():
            raise _invalid("A support event names its organiser.", "organiser")
    elif form.mode is not None:
        raise _invalid("Only a support event is held or a donation: leave the mode empty.", "mode")


async def add_program(actor: Actor | None, form: ProgramInput, now: datetime) -> ProgramView:
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    _check(form, now)

    async def work(sql: Sql) -> ProgramView:
        municipality = await get_municipality_by_code(sql, form.municipality_code)
        require_municipality(actor, municipality.id)
        program_id = await sql.fetchval(
            "INSERT INTO programs (municipality_id, kind, name, validity_days, yen_per_point, uses,"
            " starts_on,"
            " ends_on, organiser, purpose, mode, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            municipality.id,
            form.kind.value,
            form.name.strip(),
            form.validity_days,
            form.yen_per_point,
            " ".join(sorted({u.value for u in form.uses})),
            form.starts_on,
            form.ends_on,
            (form.organiser or "").strip() or None,
            (form.purpose or "").strip() or None,
            mode.value if (mode := form.event_mode()) else None,
            now,
        )
        await audit(sql, actor, "program.add", form.name.strip(), municipality.id, now)
        return await get_program(sql, int(program_id))

    try:
        return await transaction(work)
    except IntegrityError as exc:
        if not broke_unique(exc, "programs"):
            raise
        raise _invalid(
            "This municipality already has a regular program, or a program with this name.",
            "name",
            "program.name",
        ) from exc


async def update_program(
    actor: Actor | None, program_id: int, form: ProgramInput, now: datetime
) -> ProgramView:
    """Change a program's name, validity (for points issued from now on), uses, window, organiser and
    purpose. Its yen per point changes only while no points of it exist: settlement values the points
    already issued at the rate they were issued at. The kind, the mode of a support event (held or
    donation) and the municipality never change."""
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)

    async def work(sql: Sql) -> ProgramView:
        program = await get_program(sql, program_id)
        require_municipality(actor, program.municipality_id)
        _check(replace(form, kind=program.kind, mode=None), now)
        if form.mode is not None and form.mode is not program.mode:
            raise _invalid("An event's mode is set when it is added: add another event instead.", "mode")
        if form.yen_per_point != program.yen_per_point and await sql.fetchval(
            "SELECT 1 FROM accounts WHERE program_id = $1 LIMIT 1", program_id
        ):
            raise _invalid(
                "Points of this program exist: its yen per point can no longer change.", "yenPerPoint"
            )
        await sql.execute(
            "UPDATE programs SET name = $2, validity_days = $3, yen_per_point = $4, uses = $5,"
            " starts_on = $6, ends_on = $7, organiser = $8, purpose = $9 WHERE id = $1",
            program_id,
            form.name.strip(),
            form.validity_days,
            form.yen_per_point,
            " ".join(sorted({u.value for u in form.uses})),
            form.starts_on if program.kind is ProgramKind.SUPPORT_EVENT else None,
            form.ends_on if program.kind is ProgramKind.SUPPORT_EVENT else None,
            (form.organiser or "").strip() or None,
            (form.purpose or "").strip() or None,
        )
        await audit(sql, actor, "program.update", form.name.strip(), program.municipality_id, now)
        return await get_program(sql, program_id)

    try:
        return await transaction(work)
    except IntegrityError as exc:
        if not broke_unique(exc, "programs"):
            raise
        raise _invalid("Another program of this municipality has this name.", "name", "program.name") from exc


async def add_premium_campaign(
    actor: Actor | None,
    program_id: int,
    rate_percent: int,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
) -> CampaignView:
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    if not 1 <= rate_percent <= 100:
        raise _invalid("A premium is 1 to 100 %.", "ratePercent")
    starts_at = sane_instant(starts_at, now, "startsAt")
    ends_at = sane_instant(ends_at, now, "endsAt")
    if starts_at >= ends_at:
        raise _invalid("A campaign ends after it starts.", "endsAt")

    async def work(sql: Sql) -> CampaignView:
        program = await get_program(sql, program_id)
        require_municipality(actor, program.municipality_id)
        overlapping = await sql.fetchval(
            "SELECT 1 FROM premium_campaigns WHERE program_id = $1 AND starts_at < $3 AND ends_at > $2",
            program_id,
            starts_at,
            ends_at,
        )
        if overlapping:
            raise _invalid("Another campaign of this program runs in that window.", "startsAt")
        campaign_id = await sql.fetchval(
            "INSERT INTO premium_campaigns (program_id, rate_percent, starts_at, ends_at, created_at)"
            " VALUES ($1, $2, $3, $4, $5) RETURNING id",
            program_id,
            rate_percent,
            starts_at,
            ends_at,
            now,
        )
        subject = (
            f"{program.name}: +{rate_percent}% {starts_at:%Y-%m-%d %H:%M} – {ends_at:%Y-%m-%d %H:%M} UTC"
        )
        await audit(sql, actor, "campaign.add", subject, program.municipality_id, now)
        return CampaignView(int(campaign_id), program_id, rate_percent, starts_at, ends_at)

    return await transaction(work)


@dataclass(frozen=True)
class CampaignEnded:
    campaign: CampaignView
    deleted: bool  # it had not started: it is gone, as if never added


async def end_premium_campaign(actor: Actor | None, campaign_id: int, now: datetime) -> CampaignEnded:
    """End a running campaign now, or delete one that has not started. Its municipality's admin."""
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)

    async def work(sql: Sql) -> CampaignEnded:
        row = await sql.fetchrow(
            "SELECT c.id, c.program_id, c.rate_percent, c.starts_at, c.ends_at, p.municipality_id"
            " FROM premium_campaigns c JOIN programs p ON p.id = c.program_id"
            f" WHERE c.id = $1{sql.for_update}",
            campaign_id,
        )
        if row is None:
            raise DomainError(ErrorCode.NOT_FOUND, "No such premium campaign.", "campaignId")
        require_municipality(actor, int(row["municipality_id"]))
        starts_at, ends_at = as_datetime(row["starts_at"]), as_datetime(row["ends_at"])
        view = CampaignView(
            int(row["id"]), int(row["program_id"]), int(row["rate_percent"]), starts_at, ends_at
        )
        municipality_id = int(row["municipality_id"])
        subject = f"campaign {campaign_id} (+{view.rate_percent}%)"
        if starts_at > now:
            await sql.execute("DELETE FROM premium_campaigns WHERE id = $1", campaign_id)
            await audit(sql, actor, "campaign.delete", subject, municipality_id, now)
            return CampaignEnded(view, deleted=True)
        if ends_at <= now:
            raise _invalid("This campaign has already ended.", "campaignId")
        await sql.execute("UPDATE premium_campaigns SET ends_at = $2 WHERE id = $1", campaign_id, now)
        await audit(sql, actor, "campaign.end", subject, municipality_id, now)
        return CampaignEnded(replace(view, ends_at=now), deleted=False)

    return await transaction(work)


async def add_department(actor: Actor | None, municipality_code: str, name: str, now: datetime) -> str:
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)
    name = name.strip()
    if not 1 <= len(name) <= 60:
        raise _invalid("Give the department a name of 1–60 characters.", "name", "department.name")

    async def work(sql: Sql) -> str:
        municipality = await get_municipality_by_code(sql, municipality_code)
        require_municipality(actor, municipality.id)
        await sql.execute(
            "INSERT INTO departments (municipality_id, name, created_at) VALUES ($1, $2, $3)",
            municipality.id,
            name,
            now,
        )
        await audit(sql, actor, "department.add", name, municipality.id, now)
        return name

    try:
        return await transaction(work)
    except IntegrityError as exc:
        if not broke_unique(exc, "departments"):
            raise
        raise _invalid("This department exists.", "name", "department.name") from exc


async def set_shop_programs(
    actor: Actor | None, shop_id: int, program_ids: list[int], now: datetime
) -> list[int]:
    """Which programs a shop accepts: its own municipality's, and another municipality's program
    under an acceptance agreement (たすきがけ)."""
    actor = permit(actor, Permission.MUNICIPALITY_ADMIN)

    async def work(sql: Sql) -> list[int]:
        _, shop = await access_shop_by_id(actor, Permission.MUNICIPALITY_ADMIN, sql, shop_id)
        for program_id in set(program_ids):
            program = await get_program(sql, program_id, "programIds")
            if program.municipality_id != shop.municipality_id and not await agreed(
                sql, program.id, shop.municipality_id
            ):
                raise DomainError(
                    ErrorCode.NOT_ACCEPTED_HERE,
                    f"「{program.name}」 is another municipality's: its municipality must first agree that"
                    " your shops accept it (addAcceptanceAgreement).",
                    "programIds",
                )
        await sql.execute("DELETE FROM shop_programs WHERE shop_id = $1", shop_id)
        for program_id in sorted(set(program_ids)):
            await sql.execute(
                "INSERT INTO shop_programs (shop_id, program_id) VALUES ($1, $2)", shop_id, program_id
            )
        await sql.execute("UPDATE shops SET updated_at = $2 WHERE id = $1", shop_id, now)  # the open data
        accepted = ", ".join(str(p) for p in sorted(set(program_ids))) or "-"
        await audit(sql, actor, "shop.programs", f"{shop.name}: {accepted}", shop.municipality_id, now)
        return sorted(set(program_ids))

    return await transaction(work)
