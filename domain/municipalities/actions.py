"""Onboarding a municipality (the operator's job), picked from the JIS X 0402 catalogue."""

import re
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.emails import normalise_email
from domain.errors import DomainError, ErrorCode
from domain.municipalities.catalogue import catalogue_entry
from domain.municipalities.queries import MunicipalityView, get_municipality_by_code
from domain.municipalities.rules import validate_code
from domain.settlement.banks import BankAccount, check_bank_account
from domain.sql import Sql, broke_unique, transaction

PHONE = re.compile(r"[0-9-]{10,13}")


@dataclass(frozen=True)
class MunicipalityInput:
    code: str
    contact_email: str
    contact_phone: str
    bank: BankAccount
    requester_code: str | None = None  # 委託者コード: what the bank assigned for transfer files
    schedule: str = "MONTHLY"  # or TWICE_MONTHLY (domain.settlement.actions.Schedule)


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field)


async def add_municipality(actor: Actor | None, form: MunicipalityInput, now: datetime) -> MunicipalityView:
    permit(actor, Permission.OPERATOR)
    validate_code(form.code)
    entry = catalogue_entry(form.code)
    if entry is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No municipality has this code (JIS X 0402).", "code")
    contact_email = normalise_email(form.contact_email, "contactEmail")
    if not PHONE.fullmatch(form.contact_phone.strip()):
        raise _invalid("Give a contact phone number (digits and hyphens).", "contactPhone")
    bank = check_bank_account(form.bank)
    if form.schedule not in {"MONTHLY", "TWICE_MONTHLY"}:
        raise _invalid("Settle MONTHLY or TWICE_MONTHLY.", "settlementSchedule")
    requester = (form.requester_code or "").strip() or None
    if requester is not None and not re.fullmatch(r"[0-9]{10}", requester):
        raise _invalid("The 委託者コード your bank assigned is 10 digits.", "transferRequesterCode")

    async def work(sql: Sql) -> MunicipalityView:
        try:
            await sql.execute(
                "INSERT INTO municipalities (code, name, prefecture, kana, contact_email, contact_phone,"
                " bank_code,"
                " branch_code, account_type, account_number, account_holder, created_at,"
                " transfer_requester_code, settlement_schedule)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                form.code,
                entry.name,
                entry.prefecture,
                entry.kana,
                contact_email,
                form.contact_phone.strip(),
                bank.bank_code,
                bank.branch_code,
                bank.account_type,
                bank.account_number,
                bank.holder,
                now,
                requester,
                form.schedule,
            )
        except IntegrityError as exc:
            if not broke_unique(exc, "municipalities"):
                raise
            raise _invalid("This municipality already takes part.", "code") from exc
        return await get_municipality_by_code(sql, form.code, "code")

    return await transaction(work)
