"""A voucher, reached by its token: the token is the capability (whoever holds the QR code may see
the voucher; shops redeem it). A token names a voucher only if its signature verifies for that
voucher's face value, program and expiry: an unknown or altered token is NOT_FOUND, either way."""

import hmac
from dataclasses import dataclass

from domain.errors import DomainError, ErrorCode
from domain.sql import Sql
from domain.vouchers.queries import VoucherView, get_voucher_by_serial
from domain.vouchers.tokens import VoucherKey, token_from_text, typed_from_text


def unknown_voucher() -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, "This is not a voucher we issued (unknown or altered).", "token")


@dataclass(frozen=True)
class VoucherText:
    """What a shop scanned or typed: a token (the QR code), or a serial with its check code."""

    serial: str
    token: str | None = None
    check: str | None = None

    def names(self, key: VoucherKey, voucher: VoucherView | None) -> tuple[str, VoucherView]:
        """The voucher's token and the voucher, if this text is ours for it; else NOT_FOUND."""
        if voucher is None:
            raise unknown_voucher()
        token = self.token or key.token(
            voucher.serial, voucher.face_value, voucher.program_id, voucher.expires_at
        )
        if self.token is not None:
            return token, named_by(key, token, voucher)
        if not hmac.compare_digest(key.check_code(token), self.check or ""):
            raise unknown_voucher()
        return token, voucher


def voucher_text(text: str) -> VoucherText:
    """The token in ``text`` (a token, or the QR code's text), or its typed code; else NOT_FOUND."""
    token = token_from_text(text)
    if token is not None:
        return VoucherText(token[:8], token=token)
    typed = typed_from_text(text)
    if typed is None:
        raise unknown_voucher()
    return VoucherText(typed[0], check=typed[1])


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
    """The voucher ``text`` (a token, the QR text, or the typed code) names, or NOT_FOUND."""
    named = voucher_text(text)
    token, voucher = named.names(key, await get_voucher_by_serial(sql, named.serial))
    return VoucherByToken(token, voucher)
