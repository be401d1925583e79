"""全銀協 総合振込 (種別コード 21) transfer files, the way a municipality pays its shops.

A file is 120-byte records in cp932, CRLF after each (../shared/reference/settlement-widget-opendata.md §1):
header ``1`` → data ``2`` ×N → trailer ``8`` (count, total) → end ``9``. Numeric fields are
right-justified and zero-filled; character fields left-justified and space-filled, in half-width
kana, upper-case letters, digits and a few symbols. Nothing is ever truncated: a name that does not
fit, or cannot be written in the file's characters (kanji, ヷ), is refused with the field at fault.

:func:`read_transfer_file` reads a file back field by field and checks it (record lengths and
order, digits, characters, voicing marks, the trailer's count and total): the tests read every file
we write with it, and a municipality can check a file before uploading it to its bank.
"""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import jaconv

from domain.errors import DomainError, ErrorCode

RECORD = 120
NEWLINE = b"\r\n"
SMALL_TO_LARGE = str.maketrans("ァィゥェォャュョッヮヵヶ", "アイウエオヤユヨツワカケ")
# half-width kana ｱ (U+FF71) … ﾝ (U+FF9D) and the two marks: no ｦ, no small kana, no ｰ
PARTY_CHARACTERS = re.compile(r"[0-9A-Z \uff71-\uff9d\uff9e\uff9f().\-]*")
BANK_CHARACTERS = re.compile(r"[0-9A-Z \uff71-\uff9d\uff9e\uff9f\-]*")
TAKES_DAKUTEN = set("ｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾊﾋﾌﾍﾎｳ")
TAKES_HANDAKUTEN = set("ﾊﾋﾌﾍﾎ")


class AccountType(StrEnum):
    """預金種目 as the file codes it."""

    ORDINARY = "1"  # 普通
    CURRENT = "2"  # 当座
    SAVINGS = "4"  # 貯蓄 (payees only)
    OTHER = "9"  # その他


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field)


def _marks_follow_their_kana(text: str) -> bool:
    for i, ch in enumerate(text):
        before = text[i - 1] if i else ""
        if ch == "ﾞ" and before not in TAKES_DAKUTEN:
            return False
        if ch == "ﾟ" and before not in TAKES_HANDAKUTEN:
            return False
    return True


def zengin_text(text: str, length: int, field: str, allowed: re.Pattern[str] = PARTY_CHARACTERS) -> str:
    """``text`` in the file's characters (half-width kana, A–Z, digits, ``( ) - .``), at most
    ``length`` bytes: small kana become large (ャ→ﾔ), ー becomes ``-``, letters upper case. Kanji,
    characters the file cannot hold and names too long are refused, never cut."""
    normal = unicodedata.normalize("NFKC", text).strip()
    for marks, half in (("\u3099\u309b", "ﾞ"), ("\u309a\u309c", "ﾟ")):  # marks left uncomposed
        normal = normal.replace(marks[0], half).replace(marks[1], half)
    normal = jaconv.hira2kata(normal).translate(SMALL_TO_LARGE).replace("ー", "-").replace("−", "-")
    converted = jaconv.z2h(normal, kana=True, ascii=True, digit=True).upper()
    if not converted:
        raise _invalid("Write the name in katakana.", field)
    if not allowed.fullmatch(converted):
        bad = "".join(dict.fromkeys(ch for ch in converted if not allowed.fullmatch(ch)))
        raise _invalid(f"A bank file cannot hold {bad!r}: write the name in katakana.", field)
    if not _marks_follow_their_kana(converted):
        raise _invalid("A voicing mark (゛ or ゜) follows a kana that cannot take it.", field)
    size = len(converted.encode("cp932"))
    if size > length:
        raise _invalid(f"The name is {size} bytes in the bank file; at most {length} fit.", field)
    return converted


def _n(value: int | str, length: int) -> bytes:
    text = str(value)
    if not text.isdigit() or len(text) > length:
        raise ValueError(f"{value!r} does not fit a {length}-digit field")
    return text.zfill(length).encode("ascii")


def _c(value: str, length: int) -> bytes:
    data = value.encode("cp932")
    if len(data) > length:
        raise ValueError(f"{value!r} does not fit a {length}-byte field")
    return data + b" " * (length - len(data))


@dataclass(frozen=True)
class Payer:
    """The municipality's side of the file (the header)."""

    requester_code: str  # 委託者コード: 10 digits the bank assigned
    name: str  # 委託者名, already in the file's characters
    transfer_date: date  # 振込指定日 (the file keeps MMDD)
    bank_code: str
    branch_code: str
    account_type: AccountType
    account_number: str
    bank_name: str = ""
    branch_name: str = ""


@dataclass(frozen=True)
class Payee:
    """One transfer (a data record)."""

    bank_code: str
    branch_code: str
    account_type: AccountType
    account_number: str
    name: str  # 受取人名, already in the file's characters
    amount: int  # yen
    customer_code: str = ""  # 顧客コード1: our statement number, up to 10 digits
    bank_name: str = ""
    branch_name: str = ""


@dataclass(frozen=True)
class TransferFile:
    payer: Payer
    payees: list[Payee]

    @property
    def total(self) -> int:
        return sum(p.amount for p in self.payees)


def _header(p: Payer) -> bytes:
    return b"".join(
        (
            b"1",
            b"21",
            b"0",
            _n(p.requester_code, 10),
            _c(p.name, 40),
            _n(p.transfer_date.strftime("%m%d"), 4),
            _n(p.bank_code, 4),
            _c(p.bank_name, 15),
            _n(p.branch_code, 3),
            _c(p.branch_name, 15),
            _n(p.account_type.value, 1),
            _n(p.account_number, 7),
            _c("", 17),
        )
    )


def _data(p: Payee) -> bytes:
    if not 1 <= p.amount <= 9_999_999_999:
        raise ValueError(f"a transfer of {p.amount} yen cannot be written")
    return b"".join(
        (
            b"2",
            _n(p.bank_code, 4),
            _c(p.bank_name, 15),
            _n(p.branch_code, 3),
            _c(p.branch_name, 15),
            _n(0, 4),  # 手形交換所番号: unused
            _n(p.account_type.value, 1),
            _n(p.account_number, 7),
            _c(p.name, 30),
            _n(p.amount, 10),
            b"0",  # 新規コード: その他
            _n(p.customer_code or 0, 10),
            _n(0, 10),
            b"7",  # 振込指定区分: telegraphic (テレ振込)
            b" ",  # 識別表示: no EDI information
            _c("", 7),
        )
    )


def write_transfer_file(transfers: TransferFile) -> bytes:
    """The file: one header, a data record per payee, the trailer (count, total) and the end record."""
    records = [_header(transfers.payer), *(_data(p) for p in transfers.payees)]
    records.append(b"8" + _n(len(transfers.payees), 6) + _n(transfers.total, 12) + _c("", 101))
    records.append(b"9" + _c("", 119))
    assert all(len(r) == RECORD for r in records)
    return b"".join(r + NEWLINE for r in records)


class FileError(DomainError):
    """A transfer file that breaks the format, with the record and byte at fault."""

    def __init__(self, record: int, position: int, message: str) -> None:
        super().__init__(ErrorCode.INVALID_INPUT, f"record {record}, byte {position}: {message}", "file")


def _records(data: bytes) -> Iterator[bytes]:
    if data.startswith(b"\xef\xbb\xbf"):
        raise FileError(1, 1, "a bank file has no byte-order mark")
    lines = data.split(NEWLINE)
    if lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if len(line) != RECORD:
            raise FileError(number, 1, f"{len(line)} bytes, not {RECORD}")
        yield line


class _Fields:
    """Reads one record's fields in order, checking each as it goes."""

    def __init__(self, record: bytes, number: int) -> None:
        self.record, self.number, self.at = record, number, 0

    def n(self, length: int) -> str:
        raw = self.record[self.at : self.at + length]
        if not raw.isdigit():
            raise FileError(self.number, self.at + 1, f"{raw!r} is not {length} digits")
        self.at += length
        return raw.decode("ascii")

    def c(self, length: int, allowed: re.Pattern[str] = PARTY_CHARACTERS) -> str:
        raw = self.record[self.at : self.at + length]
        try:
            text = raw.decode("cp932")
        except UnicodeDecodeError:
            raise FileError(self.number, self.at + 1, "not single-byte JIS X 0201") from None
        if len(text) != length or not allowed.fullmatch(text) or not _marks_follow_their_kana(text):
            raise FileError(self.number, self.at + 1, f"{text!r} holds characters a bank file cannot")
        if text[:1] == " " and text.strip():
            raise FileError(self.number, self.at + 1, "a character field is left-justified")
        self.at += length
        return text.rstrip()

    def exactly(self, value: bytes) -> None:
        raw = self.record[self.at : self.at + len(value)]
        if raw != value:
            raise FileError(self.number, self.at + 1, f"{raw!r} where {value!r} belongs")
        self.at += len(value)


def _transfer_date(mmdd: str, year: int, number: int) -> date:
    try:
        return date(year, int(mmdd[:2]), int(mmdd[2:]))
    except ValueError:
        raise FileError(number, 55, f"{mmdd} is not a date") from None


def read_transfer_file(data: bytes, year: int) -> TransferFile:
    """``data`` read back and checked field by field (``year``: the file's MMDD has none)."""
    records = list(_records(data))
    if len(records) < 3:
        raise FileError(len(records) or 1, 1, "a file holds a header, a trailer and an end record")
    head = _Fields(records[0], 1)
    head.exactly(b"1")
    head.exactly(b"21")
    head.exactly(b"0")
    requester, name = head.n(10), head.c(40)
    when = _transfer_date(head.n(4), year, 1)
    bank, bank_name, branch, branch_name = (
        head.n(4),
        head.c(15, BANK_CHARACTERS),
        head.n(3),
        head.c(15, BANK_CHARACTERS),
    )
    payer = Payer(
        requester, name, when, bank, branch, AccountType(head.n(1)), head.n(7), bank_name, branch_name
    )
    head.c(17)
    payees = []
    for number, record in enumerate(records[1:-2], start=2):
        row = _Fields(record, number)
        row.exactly(b"2")
        bank, bank_name, branch, branch_name = (
            row.n(4),
            row.c(15, BANK_CHARACTERS),
            row.n(3),
            row.c(15, BANK_CHARACTERS),
        )
        row.n(4)
        kind = row.n(1)
        if kind not in {t.value for t in AccountType}:
            raise FileError(number, 43, f"{kind} is not an account type")
        account, payee, amount = row.n(7), row.c(30), int(row.n(10))
        if amount < 1:
            raise FileError(number, 81, "a transfer of 0 yen")
        row.n(1)
        customer = row.n(10)
        row.n(10)
        row.n(1)
        row.c(1)
        row.c(7)
        payees.append(
            Payee(
                bank,
                branch,
                AccountType(kind),
                account,
                payee,
                amount,
                customer.lstrip("0"),
                bank_name,
                branch_name,
            )
        )
    if records[-1][:1] != b"9":
        raise FileError(len(records), 1, "the file ends with an end record (9)")
    trailer = _Fields(records[-2], len(records) - 1)
    trailer.exactly(b"8")
    count, total = int(trailer.n(6)), int(trailer.n(12))
    trailer.c(101)
    found = TransferFile(payer, payees)
    if count != len(payees):
        raise FileError(
            len(records) - 1, 2, f"the trailer counts {count} transfers; the file has {len(payees)}"
        )
    if total != found.total:
        raise FileError(
            len(records) - 1, 8, f"the trailer totals {total} yen; the transfers add up to {found.total}"
        )
    end = _Fields(records[-1], len(records))
    end.exactly(b"9")
    end.c(119)
    return found
