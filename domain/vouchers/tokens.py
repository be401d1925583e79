"""Voucher serials and tokens.

The serial is 8 characters a person can read aloud (no 0/O/1/I). The token is the serial followed by
a 120-bit HMAC-SHA256 over serial, face value, program and expiry, all in upper-case base32, so the
QR code stays in alphanumeric mode. Changing any of those, or guessing, gives a token that does not
verify; the database then records the one redemption, so a copy is useless twice.

For a QR code that will not read (a crumpled print, a cracked screen) the voucher also carries a
**typed code** a shop can key in: the serial and a 4-character check code from the same key
(``7KQ4-M2XD-R8TN``, 12 characters of the serial's alphabet). The check code is a MAC of the token,
so a typed serial with a guessed check code names no voucher (1 in 1,048,576 per guess).
"""

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from domain.private_files import write_private

SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SERIAL_LENGTH = 8
MAC_BYTES = 15  # 120 bits, 24 base32 characters
TOKEN = re.compile(rf"([A-Z2-9]{{{SERIAL_LENGTH}}})([A-Z2-7]{{24}})")
CHECK_LENGTH = 4
TYPED = re.compile(rf"([{SERIAL_ALPHABET}]{{{SERIAL_LENGTH}}})([{SERIAL_ALPHABET}]{{{CHECK_LENGTH}}})")


def new_serial() -> str:
    return "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_LENGTH))


def spoken(serial: str) -> str:
    """The serial as printed and read aloud: 7KQ4-M2XD."""
    return f"{serial[:4]}-{serial[4:]}"


@dataclass(frozen=True)
class VoucherKey:
    secret: bytes

    @classmethod
    def load_or_create(cls, path: Path) -> "VoucherKey":
        if path.exists():
            return cls(bytes.fromhex(path.read_text().strip()))
        secret = secrets.token_bytes(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private(path, secret.hex().encode())
        return cls(secret)

    def _mac(self, serial: str, face_value: int, program_id: int, expires_at: datetime) -> str:
        message = f"{serial}|{face_value}|{program_id}|{int(expires_at.timestamp())}".encode()
        digest = hmac.new(self.secret, message, hashlib.sha256).digest()[:MAC_BYTES]
        return base64.b32encode(digest).decode()

    def token(self, serial: str, face_value: int, program_id: int, expires_at: datetime) -> str:
        return serial + self._mac(serial, face_value, program_id, expires_at)

    def check_code(self, token: str) -> str:
        """The 4 characters printed after the serial, derived from the whole token."""
        digest = hmac.new(self.secret, b"typed|" + token.encode(), hashlib.sha256).digest()
        number = int.from_bytes(digest[:8], "big")
        code = ""
        for _ in range(CHECK_LENGTH):
            number, index = divmod(number, len(SERIAL_ALPHABET))
            code += SERIAL_ALPHABET[index]
        return code

    def typed_code(self, token: str) -> str:
        """What a shop can type: 7KQ4-M2XD-R8TN."""
        return f"{spoken(token[:SERIAL_LENGTH])}-{self.check_code(token)}"

    def verifies(self, token: str, face_value: int, program_id: int, expires_at: datetime) -> bool:
        parsed = TOKEN.fullmatch(token)
        if parsed is None:
            return False
        expected = self._mac(parsed.group(1), face_value, program_id, expires_at)
        return hmac.compare_digest(parsed.group(2), expected)


def token_from_text(text: str) -> str | None:
    """The token in what a scanner read: the token itself, or the QR code's whole URL (any case)."""
    cleaned = text.strip().upper().rstrip("/")
    candidate = cleaned.rsplit("/", 1)[-1]
    return candidate if TOKEN.fullmatch(candidate) else None


def typed_from_text(text: str) -> tuple[str, str] | None:
    """(serial, check code) from what a person typed: any case, full-width or half-width, with or
    without hyphens and spaces."""
    cleaned = re.sub(r"[\s\-‐－ー―]", "", unicodedata.normalize("NFKC", text)).upper()
    parsed = TYPED.fullmatch(cleaned)
    return None if parsed is None else (parsed.group(1), parsed.group(2))
