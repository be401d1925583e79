"""Who a municipality bills for a partner's points that reached it (請求先), kept on the partner.

A settlement's partner statements are what each partner owes; the billing details say where the
invoice goes: the addressee, an optional department, the postal address and an e-mail address, and
the partner's 適格請求書発行事業者 registration number (T and the 13-digit corporate number, whose
first digit is a check digit). The operator records them (it signs partners up); who set them and
when is kept beside them.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.emails import normalise_email
from domain.errors import DomainError, ErrorCode
from domain.sql import Sql, transaction

POSTAL_CODE = re.compile(r"[0-9]{3}-[0-9]{4}")
INVOICE_NUMBER = re.compile(r"T[0-9]{13}")


@dataclass(frozen=True)
class BillingInput:
    name: str
    postal_code: str
    address: str
    email: str
    department: str | None = None
    invoice_number: str | None = None


@dataclass(frozen=True)
class BillingView:
    partner_id: int
    name: str
    department: str | None
    postal_code: str
    address: str
    email: str
    invoice_number: str | None
    set_by: str
    set_at: datetime


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field)


def corporate_number_valid(digits: str) -> bool:
    """法人番号: the first of 13 digits is 9 − (Σ digit × (1 at odd, 2 at even positions from the
    right of the other 12)) mod 9."""
    body = digits[1:]
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(body)))
    return int(digits[0]) == 9 - total % 9


def _text(value: str, most: int, field: str, what: str) -> str:
    value = unicodedata.normalize("NFKC", value).strip()
    if not 1 <= len(value) <= most or not value.isprintable():
        raise _invalid(f"{what} is 1–{most} printable characters.", field)
    return value


def check_billing(form: BillingInput) -> BillingInput:
    """The details as stored (NFKC, trimmed), or INVALID_INPUT naming the field to fix."""
    postal = unicodedata.normalize("NFKC", form.postal_code).strip().replace("ー", "-")
    if re.fullmatch(r"[0-9]{7}", postal):
        postal = f"{postal[:3]}-{postal[3:]}"
    if not POSTAL_CODE.fullmatch(postal):
        raise _invalid("A postal code is 7 digits, like 210-8577.", "postalCode")
    invoice = None
    if form.invoice_number is not None and form.invoice_number.strip():
        invoice = unicodedata.normalize("NFKC", form.invoice_number).strip().upper()
        if not INVOICE_NUMBER.fullmatch(invoice):
            raise _invalid("A registration number is T and 13 digits, like T1234567890123.", "invoiceNumber")
        if not corporate_number_valid(invoice[1:]):
            raise _invalid(
                "This registration number's check digit is wrong: copy it again from the invoice.",
                "invoiceNumber",
            )
    department = None
    if form.department is not None and form.department.strip():
        department = _text(form.department, 100, "department", "A department")
    return BillingInput(
        name=_text(form.name, 100, "name", "The addressee"),
        postal_code=postal,
        address=_text(form.address, 200, "address", "The address"),
        email=normalise_email(form.email),
        department=department,
        invoice_number=invoice,
    )


_SELECT = (
    "SELECT id AS partner_id, billing_name AS name, billing_department AS department,"
    " billing_postal_code AS postal_code, billing_address AS address, billing_email AS email,"
    " invoice_number, billing_set_by AS set_by, billing_set_at AS set_at FROM partners"
)


async def set_partner_billing(
    actor: Actor | None, client_id: str, form: BillingInput, now: datetime
) -> BillingView:
    """Record where a partner's invoices go (the operator)."""
    actor = permit(actor, Permission.OPERATOR)
    checked = check_billing(form)

    async def work(sql: Sql) -> BillingView:
        changed = await sql.execute(
            "UPDATE partners SET billing_name = $2, billing_department = $3, billing_postal_code = $4,"
            " billing_address = $5, billing_email = $6, invoice_number = $7, billing_set_by = $8,"
            " billing_set_at = $9 WHERE client_id = $1",
            client_id,
            checked.name,
            checked.department,
            checked.postal_code,
            checked.address,
            checked.email,
            checked.invoice_number,
            actor.label,
            now,
        )
        if changed == 0:
            raise DomainError(ErrorCode.NOT_FOUND, "No partner has this client id.", "clientId")
        found = await sql.fetchrow_as(BillingView, f"{_SELECT} WHERE client_id = $1", client_id)
        assert found is not None
        return found

    return await transaction(work)


async def billing_of(sql: Sql, partner_ids: list[int]) -> dict[int, BillingView]:
    """The partners' billing details, those that have them."""
    found = await sql.fetch_as(
        BillingView,
        f"{_SELECT} WHERE {sql.any_of('id', 1)} AND billing_name IS NOT NULL",
        sql.ids(partner_ids),
    )
    return {b.partner_id: b for b in found}


@dataclass(frozen=True)
class PartnerBillingRow:
    """A partner and where its invoices go (the billing fields are None until recorded)."""

    client_id: str
    name: str
    active: bool
    billing_name: str | None
    billing_email: str | None
    invoice_number: str | None


async def list_partner_billing(actor: Actor | None, sql: Sql) -> list[PartnerBillingRow]:
    """Every partner with its billing details (the operator)."""
    permit(actor, Permission.OPERATOR)
    return await sql.fetch_as(
        PartnerBillingRow,
        "SELECT client_id, name, active, billing_name, billing_email, invoice_number FROM partners"
        " ORDER BY id",
    )
