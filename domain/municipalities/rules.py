"""JIS X 0402 municipality codes: five digits and a check digit (e.g. 14130 → 141305, 川崎市)."""

import re

from domain.errors import DomainError, ErrorCode

_CODE = re.compile(r"[0-9]{6}")
WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(five: str) -> int:
    """11 minus the weighted sum modulo 11, last digit only (JIS X 0402)."""
    total = sum(int(d) * w for d, w in zip(five, WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def validate_code(code: str, field: str = "code") -> str:
    if not _CODE.fullmatch(code) or check_digit(code[:5]) != int(code[5]):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "A municipality code is 6 digits, the last one a JIS X 0402 check digit.",
            field,
        )
    return code
