"""A voucher, reached by its token: the token is the capability (whoever holds the QR code may see
the voucher; shops redeem it). A token names a voucher only if its signature verifies for that
voucher's face value, program and expiry: an unknown or altered token is NOT_FOUND, either way."""

from dataclasses import dataclass

from domain.errors import DomainError, ErrorCode
from domain.sql import Sql
from domain.vouchers.queries import VoucherView, get_voucher_by_serial
from domain.vouchers.tokens import VoucherKey, token_from_text


def unknown_voucher() -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, "This is not a voucher we issued (unknown or altered).", "token")


def token_in(text: str) -> str:
    """The token in ``text`` (a token, or the QR code's text), or NOT_FOUND."""
    token = token_from_text(text)
    if token is None:
        raise unknown_voucher()
    return token


def named_by(key: VoucherKey, token: str, voucher: VoucherView | None) -> VoucherView:
    """``voucher``, if ``token`` is the one we issued for it; else NOT_FOUND."""
    if voucher is None or not key.verifies(token, voucher.face_value, voucher.program_id, voucher.expires_at):
        raise unknown_voucher()
    return voucher


@dataclass(frozen=True)
class VoucherByToken:
    token: str
    voucher: VoucherView


async def access_voucher_by_token(sql: Sql, key: VoucherKey, text: str) -> VoucherByToken:
    """The voucher ``text`` (a token or the QR text) names, or NOT_FOUND."""
    token = token_in(text)
    return VoucherByToken(token, named_by(key, token, await get_voucher_by_serial(sql, token[:8])))
