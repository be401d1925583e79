"""The 総合振込 file: names in the file's kana, records byte by byte, and the reader's checks."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from domain.errors import DomainError, ErrorCode
from domain.settlement.zengin import (
    AccountType,
    FileError,
    Payee,
    Payer,
    TransferFile,
    read_transfer_file,
    write_transfer_file,
    zengin_text,
)

GOLDEN = Path(__file__).with_name("golden") / "transfer_two_shops.txt"


@pytest.mark.parametrize(
    ("written", "in_the_file"),
    [
        ("キャノン", "ｷﾔﾉﾝ"),  # small kana become large
        ("ヨーコ", "ﾖ-ｺ"),  # the long vowel becomes a hyphen
        ("やまだ　たろう", "ﾔﾏﾀﾞ ﾀﾛｳ"),  # hiragana, a full-width space
        ("ｶﾞｽﾄﾞｳ", "ｶﾞｽﾄﾞｳ"),  # already half-width
        ("カ）ブレカ．", "ｶ)ﾌﾞﾚｶ."),  # full-width brackets and dot
        ("ａｂｃ商店".replace("商店", "ｼﾖｳﾃﾝ"), "ABCｼﾖｳﾃﾝ"),  # full-width letters, upper-cased
        ("パン", "ﾊﾟﾝ"),
    ],
)
def test_names_are_written_in_the_files_characters(written, in_the_file):
    assert zengin_text(written, 30, "holderKana") == in_the_file


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("山田商店", "cannot hold"),  # kanji has no single reading
        ("ヷイン", "cannot hold"),  # ヷ has no half-width form
        ("ｱﾞｲ", "voicing mark"),  # ア takes no ゛
        ("ア" * 31, "31 bytes"),  # never cut
        ("ガ" * 16, "32 bytes"),  # ｶﾞ is two bytes
        ("   ", "katakana"),
        ("ヲ", "cannot hold"),  # ｦ only by a bank's own switch
    ],
)
def test_what_the_file_cannot_hold_is_refused_not_cut(written, why):
    with pytest.raises(DomainError) as refused:
        zengin_text(written, 30, "holderKana")
    assert refused.value.code is ErrorCode.INVALID_INPUT
    assert refused.value.field == "holderKana"
    assert why in refused.value.message


def _two_shops() -> TransferFile:
    payer = Payer(
        "0000012345",
        "ｶﾜｻｷｼ",
        date(2026, 12, 25),
        "0001",
        "001",
        AccountType.ORDINARY,
        "1234567",
        "ﾐｽﾞﾎ",
        "ﾄｳｷﾖｳ",
    )
    return TransferFile(
        payer,
        [
            Payee("0005", "123", AccountType.ORDINARY, "0000042", "ｶ)ﾔﾏﾀﾞｼﾖｳﾃﾝ", 12_300, "17"),
            Payee("0009", "456", AccountType.CURRENT, "7654321", "ﾓﾄｽﾐﾌﾞﾚｶ(ﾄﾞ", 9_999_999_999, "18"),
        ],
    )


def _by_hand() -> bytes:
    """The same file spelled out from the field table (reference §1.2), position by position."""
    header = (
        "1"
        + "21"
        + "0"
        + "0000012345"
        + "ｶﾜｻｷｼ".ljust(40)
        + "1225"
        + "0001"
        + "ﾐｽﾞﾎ".ljust(15)
        + "001"
        + "ﾄｳｷﾖｳ".ljust(15)
        + "1"
        + "1234567"
        + " " * 17
    )
    first = (
        "2"
        + "0005"
        + " " * 15
        + "123"
        + " " * 15
        + "0000"
        + "1"
        + "0000042"
        + "ｶ)ﾔﾏﾀﾞｼﾖｳﾃﾝ".ljust(30)
        + "0000012300"
        + "0"
        + "0000000017"
        + "0000000000"
        + "7"
        + " "
        + " " * 7
    )
    second = (
        "2"
        + "0009"
        + " " * 15
        + "456"
        + " " * 15
        + "0000"
        + "2"
        + "7654321"
        + "ﾓﾄｽﾐﾌﾞﾚｶ(ﾄﾞ".ljust(30)
        + "9999999999"
        + "0"
        + "0000000018"
        + "0000000000"
        + "7"
        + " "
        + " " * 7
    )
    trailer = "8" + "000002" + str(12_300 + 9_999_999_999).zfill(12) + " " * 101
    end = "9" + " " * 119
    return b"".join(r.encode("cp932") + b"\r\n" for r in (header, first, second, trailer, end))


def test_the_file_is_the_field_table_byte_by_byte_and_the_golden_file():
    written = write_transfer_file(_two_shops())
    assert written == _by_hand()
    assert written == GOLDEN.read_bytes()
    assert [len(r) for r in written.split(b"\r\n")[:-1]] == [120] * 5
    assert written.endswith(b"\r\n") and b"\x1a" not in written


def test_the_reader_gives_back_what_was_written():
    assert read_transfer_file(GOLDEN.read_bytes(), 2026) == _two_shops()


def _broken(record: int, at: int, new: bytes) -> bytes:
    records = GOLDEN.read_bytes().split(b"\r\n")
    line = records[record - 1]
    records[record - 1] = line[: at - 1] + new + line[at - 1 + len(new) :]
    return b"\r\n".join(records)


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (_broken(4, 8, b"000000000001"), "record 4, byte 8: the trailer totals 1 yen"),
        (_broken(4, 2, b"000003"), "record 4, byte 2: the trailer counts 3"),
        (_broken(2, 81, b"00000A2300"), "record 2, byte 81"),
        (_broken(2, 51, "ｬ".encode("cp932")), "record 2, byte 51"),  # small kana
        (_broken(1, 2, b"11"), "record 1, byte 2"),  # not 総合振込
        (_broken(3, 1, b"3"), "record 3, byte 1"),
        (b"\xef\xbb\xbf" + GOLDEN.read_bytes(), "byte-order mark"),
        (GOLDEN.read_bytes()[:-122], "record 4, byte 1: the file ends with an end record"),
        (GOLDEN.read_bytes().replace(b"\r\n", b"\r\n", 1)[:120] + b"\r\n", "a header, a trailer"),
        (GOLDEN.read_bytes()[:119] + GOLDEN.read_bytes()[120:], "119 bytes"),
    ],
)
def test_the_reader_names_the_record_and_byte_at_fault(data, where):
    with pytest.raises(FileError) as refused:
        read_transfer_file(data, 2026)
    assert where in refused.value.message


def test_nothing_is_written_that_would_not_fit():
    with pytest.raises(ValueError, match="a transfer of 0 yen"):
        write_transfer_file(replace(_two_shops(), payees=[replace(_two_shops().payees[0], amount=0)]))
    with pytest.raises(ValueError, match="7-digit"):
        write_transfer_file(
            replace(_two_shops(), payees=[replace(_two_shops().payees[0], account_number="12345678")])
        )
