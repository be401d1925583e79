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
from domain.sql import Sql, transaction

ACCOUNT_TYPES = frozenset({"ORDINARY", "CURRENT"})  # 普通, 当座
HOLDER = re.compile(r"[ｦ-ﾟ0-9A-Z ()./-]{1,30}")  # 全銀 half-width kana, digits, capitals
PHONE = re.compile(r"[0-9-]{10,13}")


@dataclass(frozen=True)
class BankAccount:
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder: str


@dataclass(frozen=True)
class MunicipalityInput:
    code: str
    contact_email: str
    contact_phone: str
    bank: BankAccount


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field)


def _check_bank(bank: BankAccount) -> None:
    if not re.fullmatch(r"[0-9]{4}", bank.bank_code):
        raise _invalid("A bank code is 4 digits.", "bankAccount.bankCode")
    if not re.fullmatch(r"[0-9]{3}", bank.branch_code):
        raise _invalid("A branch code is 3 digits.", "bankAccount.branchCode")
    if bank.account_type not in ACCOUNT_TYPES:
        raise _invalid("The account type is ORDINARY or CURRENT.", "bankAccount.accountType")
    if not re.fullmatch(r"[0-9]{7}", bank.account_number):
        raise _invalid("An account number is 7 digits.", "bankAccount.accountNumber")
    if not HOLDER.fullmatch(bank.holder):
        raise _invalid("The holder is written in half-width kana (as the bank has it).", "bankAccount.holder")


async def add_municipality(actor: Actor | None, form: MunicipalityInput, now: datetime) -> MunicipalityView:
    permit(actor, Permission.OPERATOR)
    validate_code(form.code)
    entry = catalogue_entry(form.code)
    if entry is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No municipality has this code (JIS X 0402).", "code")
    contact_email = normalise_email(form.contact_email, "contactEmail")
    if not PHONE.fullmatch(form.contact_phone.strip()):
        raise _invalid("Give a contact phone number (digits and hyphens).", "contactPhone")
    _check_bank(form.bank)

    async def work(sql: Sql) -> MunicipalityView:
        try:
            await sql.execute(
                "INSERT INTO municipalities (code, name, prefecture, kana, contact_email, contact_phone,"
                " bank_code,"
                " branch_code, account_type, account_number, account_holder, created_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                form.code,
                entry.name,
                entry.prefecture,
                entry.kana,
                contact_email,
                form.contact_phone.strip(),
                form.bank.bank_code,
                form.bank.branch_code,
                form.bank.account_type,
                form.bank.account_number,
                form.bank.holder,
                now,
            )
        except IntegrityError as exc:
            raise _invalid("This municipality already takes part.", "code") from exc
        return await get_municipality_by_code(sql, form.code, "code")

    return await transaction(work)
