"""What a closed run gives a municipality to act on: the 総合振込 file that pays its shops."""

import csv
import io
from dataclasses import dataclass

from domain.auth.actor import Actor
from domain.auth.permissions import Permission
from domain.errors import DomainError, ErrorCode
from domain.settlement.banks import bank_names
from domain.settlement.queries import access_settlement_by_id, list_statements
from domain.settlement.zengin import AccountType, Payee, Payer, TransferFile, write_transfer_file
from domain.sql import reader

TYPES = {"ORDINARY": AccountType.ORDINARY, "CURRENT": AccountType.CURRENT}


@dataclass(frozen=True)
class _Payer:
    code: str
    requester: str | None
    bank_code: str | None
    branch_code: str | None
    account_type: str | None
    account_number: str | None
    account_holder: str | None


@dataclass(frozen=True)
class _Payee:
    customer_code: str  # 顧客コード1: the shop's id, or 8000 + another municipality's code
    name: str
    payable_yen: int
    bank_code: str | None
    branch_code: str | None
    account_type: str | None
    account_number: str | None
    account_holder: str | None


@dataclass(frozen=True)
class TransferExport:
    filename: str
    content: bytes  # cp932, CRLF after every 120-byte record
    transfers: int
    total_yen: int


async def transfer_file(actor: Actor | None, settlement_id: int) -> TransferExport:
    """The run's payments (to shops paid this run, and to another municipality this one owes on
    balance) as a 総合振込 file, on its payout day."""
    sql = reader()
    run = await access_settlement_by_id(actor, Permission.MUNICIPALITY_ADMIN, sql, settlement_id)
    payer = await sql.fetchrow_as(
        _Payer,
        "SELECT code, transfer_requester_code AS requester, bank_code, branch_code, account_type,"
        " account_number, account_holder FROM municipalities WHERE id = $1",
        run.municipality_id,
    )
    assert payer is not None
    if not payer.requester or not payer.bank_code or not payer.account_holder:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "Set the municipality's bank account and the 委託者コード its bank assigned first.",
            "transferRequesterCode",
        )
    payees = await sql.fetch_as(
        _Payee,
        "SELECT CAST(s.id AS TEXT) AS customer_code, s.name, t.payable_yen, s.bank_code, s.branch_code,"
        " s.account_type, s.account_number, s.account_holder FROM settlement_statements t"
        " JOIN shops s ON s.id = t.shop_id"
        " WHERE t.settlement_id = $1 AND t.kind = 'SHOP' AND t.payable_yen > 0 ORDER BY s.id",
        settlement_id,
    )
    peers = await sql.fetch_as(
        _Payee,
        "SELECT '8000' || m.code AS customer_code, m.name, t.payable_yen, m.bank_code, m.branch_code,"
        " m.account_type, m.account_number, m.account_holder FROM settlement_statements t"
        " JOIN municipalities m ON m.id = t.peer_id"
        " WHERE t.settlement_id = $1 AND t.kind = 'CLEARING' AND t.payable_yen > 0 ORDER BY m.code",
        settlement_id,
    )
    unpaid = [p.name for p in payees if p.bank_code is None]
    if unpaid:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"No bank account for {', '.join(unpaid)}: set each shop's account (setShopBankAccount) first.",
            "shops",
        )
    unpaid = [p.name for p in peers if p.bank_code is None or p.account_holder is None]
    if unpaid:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            f"No bank account for {', '.join(unpaid)}: the operator must record it before the clearing"
            " can be paid.",
            "municipalities",
        )
    payees += peers
    bank, branch = bank_names(payer.bank_code, payer.branch_code or "")
    transfers = TransferFile(
        Payer(
            payer.requester,
            payer.account_holder,
            run.payout_on,
            payer.bank_code,
            payer.branch_code or "",
            TYPES[payer.account_type or "ORDINARY"],
            payer.account_number or "",
            bank,
            branch,
        ),
        [_payee(p) for p in payees],
    )
    return TransferExport(
        f"zengin-{payer.code}-{run.period_end.isoformat()}.txt",
        write_transfer_file(transfers),
        len(transfers.payees),
        transfers.total,
    )


def _payee(p: _Payee) -> Payee:
    # a shop's account is all five columns or none (a CHECK), and none was refused above
    bank_code, branch_code = p.bank_code or "", p.branch_code or ""
    bank, branch = bank_names(bank_code, branch_code)
    return Payee(
        bank_code,
        branch_code,
        TYPES[p.account_type or "ORDINARY"],
        p.account_number or "",
        p.account_holder or "",
        p.payable_yen,
        p.customer_code,
        bank,
        branch,
    )


HEADER = (
    "種別",
    "相手先ID",
    "名称",
    "ポイント",
    "手数料(円)",
    "今期(円)",
    "繰越受入(円)",
    "支払・請求(円)",
    "次回繰越(円)",
)
KIND_NAMES = {
    "SHOP": "店舗への支払",
    "PARTNER": "パートナーへの請求",
    "CLEARING": "自治体間の清算",
    "EVENT": "支援イベント主催者への引渡し",
}


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection: = + - @, tab, CR)."""
    return "'" + cell if cell[:1] in {"=", "+", "-", "@", "\t", "\r"} else cell


@dataclass(frozen=True)
class StatementsExport:
    filename: str
    content: bytes  # UTF-8 with a BOM (Excel opens it as UTF-8), CRLF


async def statements_csv(actor: Actor | None, settlement_id: int) -> StatementsExport:
    """The run's statements, one row per shop and partner, for a spreadsheet."""
    sql = reader()
    run = await access_settlement_by_id(actor, Permission.MUNICIPALITY_ADMIN, sql, settlement_id)
    code = await sql.fetchval("SELECT code FROM municipalities WHERE id = $1", run.municipality_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for s in await list_statements(sql, [settlement_id]):
        writer.writerow(
            (
                KIND_NAMES[s.kind],
                s.counterparty_id,
                spreadsheet_safe(s.name),
                s.points,
                s.fee_yen,
                s.yen,
                s.carried_in_yen,
                s.payable_yen,
                s.carried_out_yen,
            )
        )
    return StatementsExport(
        f"statements-{code}-{run.period_end.isoformat()}.csv", out.getvalue().encode("utf-8-sig")
    )
