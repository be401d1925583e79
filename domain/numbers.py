"""Numbers that people and programs send as text: ASCII digits only.

``str.isdigit`` accepts every Unicode digit (``"２２"``, ``"٣"``, ``"²"``), and ``int`` reads most of
them, so ``"２２"`` once revoked terminal 22. The API takes ASCII digits; the grants CSV alone reads
full-width digits (common in Japanese spreadsheets) and says so (:func:`fold_full_width`).
"""

import re

_ASCII_INT = re.compile(r"-?[0-9]{1,18}")
_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ－",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-",
)


def ascii_int(text: str, signed: bool = False) -> int | None:
    """The integer ``text`` spells in ASCII digits (1 to 18 of them, a leading ``-`` if ``signed``),
    else None."""
    if not _ASCII_INT.fullmatch(text) or (text.startswith("-") and not signed):
        return None
    return int(text)


def fold_full_width(text: str) -> str:
    """Full-width digits, Latin letters and hyphen-minus as their ASCII forms (nothing else changes)."""
    return text.translate(_FULL_WIDTH)
