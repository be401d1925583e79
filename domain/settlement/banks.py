"""Bank accounts a municipality pays into (its shops') or from (its own): checked against the
全銀協 bank and branch list (PyPI ``zengin-code``), the holder kept in the form the transfer file
needs (``domain.settlement.zengin.zengin_text``)."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from domain.errors import DomainError, ErrorCode
from domain.settlement.zengin import AccountType, zengin_text

ACCOUNT_TYPES = {"ORDINARY": AccountType.ORDINARY, "CURRENT": AccountType.CURRENT}  # 普通, 当座


@dataclass(frozen=True)
class BankAccount:
    """As entered (the holder in katakana, full- or half-width)."""

    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder: str


@dataclass(frozen=True)
class CheckedAccount:
    """As stored and written to the bank file: the holder in half-width kana."""

    bank_code: str
    branch_code: str
    account_type: str  # ORDINARY or CURRENT
    account_number: str  # 7 digits
    holder: str
    bank_name: str  # the bank's and branch's names in kana, for people checking a statement
    branch_name: str


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, f"bankAccount.{field}")


@cache
def _banks() -> object:
    from zengin_code import Bank  # loads the whole list (0.2 s): only when an account is checked

    return Bank


def check_bank_account(account: BankAccount) -> CheckedAccount:
    """The account, if the bank and branch exist and every field fits the transfer file."""
    digits = {name: unicodedata.normalize("NFKC", value).strip() for name, value in vars(account).items()}
    if not re.fullmatch(r"[0-9]{4}", digits["bank_code"]):
        raise _invalid("A bank code is 4 digits (みずほ銀行 is 0001).", "bankCode")
    if not re.fullmatch(r"[0-9]{3}", digits["branch_code"]):
        raise _invalid("A branch code is 3 digits.", "branchCode")
    if account.account_type not in ACCOUNT_TYPES:
        raise _invalid("The account type is ORDINARY (普通) or CURRENT (当座).", "accountType")
    if not re.fullmatch(r"[0-9]{7}", digits["account_number"]):
        raise _invalid(
            "An account number is 7 digits (add leading zeros if the bank book shows fewer).", "accountNumber"
        )
    bank = _banks().all.get(digits["bank_code"])  # type: ignore[attr-defined]
    if bank is None:
        raise _invalid(f"No bank has the code {digits['bank_code']} in the 全銀協 list.", "bankCode")
    branch = bank.branches.get(digits["branch_code"])
    if branch is None:
        raise _invalid(f"{bank.name} has no branch {digits['branch_code']}.", "branchCode")
    holder = zengin_text(account.holder, 30, "bankAccount.holderKana")
    return CheckedAccount(
        digits["bank_code"],
        digits["branch_code"],
        account.account_type,
        digits["account_number"],
        holder,
        _name(bank.kana),
        _name(branch.kana),
    )


def _name(kana: str) -> str:
    """A bank's or branch's kana in the file's form, or blank when it does not fit its 15 bytes (the
    file's name fields are optional; the codes are what count)."""
    try:
        return zengin_text(kana, 15, "bankName")
    except DomainError:
        return ""


def bank_names(bank_code: str, branch_code: str) -> tuple[str, str]:
    """The bank's and branch's names in the file's kana (blank where unknown or too long)."""
    bank = _banks().all.get(bank_code)  # type: ignore[attr-defined]
    if bank is None:
        return "", ""
    branch = bank.branches.get(branch_code)
    return _name(bank.kana), "" if branch is None else _name(branch.kana)
