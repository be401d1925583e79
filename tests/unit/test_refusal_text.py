"""A refusal reaches a page in its language, as precisely as the catalogue knows it: the failed rule,
else the field, else the code; its figures (a time, a balance) in local form; never the English."""

from domain.errors import DomainError, ErrorCode
from domain.residents.rules import validate_password
from web.i18n import Text

JA, EN = Text("ja"), Text("en")


def _refusal(password: str, confirmation: str) -> DomainError:
    try:
        validate_password(password, confirmation)
    except DomainError as error:
        return error
    raise AssertionError("accepted")


def test_each_password_mistake_says_what_to_fix():
    assert "全角" in JA.error(_refusal("ｐａｓｓ１２３", "ｐａｓｓ１２３"))
    assert "短すぎ" in JA.error(_refusal("abc1", "abc1"))
    assert "記号" in JA.error(_refusal("abc-123!", "abc-123!"))
    assert "一致しません" in JA.error(_refusal("abc12345", "abc12346"))
    assert "full-width" in EN.error(_refusal("ｐａｓｓ１２３", "ｐａｓｓ１２３"))


def test_figures_are_shown_in_local_form_and_unknown_reasons_fall_back():
    used = DomainError(
        ErrorCode.ALREADY_REDEEMED,
        "Already used on 2026-11-30T22:25:11+00:00 at ブレーメン通り 商店.",
        "token",
        "voucher.used",
        {"at": "2026-11-30T22:25:11+00:00", "shop": "ブレーメン通り 商店"},
    )
    assert JA.error(used) == "この券は 2026年12月1日（火） 07:25 に ブレーメン通り 商店 で利用済みです。"
    assert "2026-11-30T" not in EN.error(used) and "ALREADY_REDEEMED" not in EN.error(used)
    short = DomainError(
        ErrorCode.INSUFFICIENT_POINTS, "x", "amount", "points.available", {"available": "1200"}
    )
    assert JA.error(short) == "ポイントが足りません。今使えるのは 1,200 pt です。"
    vague = DomainError(ErrorCode.FORBIDDEN, "English words", "nothing", "no.such.reason")
    assert JA.error(vague) == JA("error.FORBIDDEN")
