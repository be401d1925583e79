"""Voucher serials and tokens.

The serial is 8 characters a person can read aloud (no 0/O/1/I). The token is the serial followed by
a 120-bit HMAC-SHA256 over serial, face value, program and expiry, all in upper-case base32, so the
QR code stays in alphanumeric mode. Changing any of those, or guessing, gives a token that does not
verify; the database then records the one redemption, so a copy is useless twice.
"""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from domain.private_files import write_private

SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SERIAL_LENGTH = 8
MAC_BYTES = 15  # 120 bits, 24 base32 characters
TOKEN = re.compile(rf"([A-Z2-9]{{{SERIAL_LENGTH}}})([A-Z2-7]{{24}})")


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
