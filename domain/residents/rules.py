"""The rules of screen 16 (seed 001): MyKey IDs, passwords, e-mail, notification choices."""

import re
import secrets
import unicodedata
from dataclasses import dataclass

from domain.emails import normalise_email
from domain.errors import DomainError, ErrorCode

MY_KEY_ID = re.compile(r"[A-Z0-9]{8}")
PASSWORD = re.compile(r"[A-Za-z0-9]{6,16}")
# generated IDs avoid characters an elderly resident could misread (0/O, 1/I); typed IDs may use all 36
GENERATED_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_GENERATIONS = 3  # the 3rd generated value is the one registered
MAX_FAILED_CHECKS = 3  # after the 3rd taken candidate, one is generated for the resident


def invalid(message: str, field: str, reason: str | None = None) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field, reason)


def generate_candidate() -> str:
    return "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(8))


def validate_my_key_id(value: str, field: str = "myKeyId") -> str:
    if not MY_KEY_ID.fullmatch(value):
        raise invalid(
            "A MyKey ID is exactly 8 characters: capital letters A–Z and digits 0–9.", field, "myKeyId.format"
        )
    return value


def validate_password(password: str, confirmation: str, field: str = "password") -> str:
    if not PASSWORD.fullmatch(password):
        wide = unicodedata.normalize("NFKC", password) != password
        reason = (
            "password.fullwidth" if wide else "password.short" if len(password) < 6 else "password.format"
        )
        raise invalid("A password is 6 to 16 half-width letters and digits.", field, reason)
    if confirmation != password:
        raise invalid("The two passwords are not the same.", "passwordConfirmation", "password.mismatch")
    return password


@dataclass(frozen=True)
class Notifications:
    points_granted: bool = False
    points_expired: bool = False
    password_changed: bool = False
    my_key_id_changed: bool = False

    @property
    def any(self) -> bool:
        return self.points_granted or self.points_expired or self.password_changed or self.my_key_id_changed


def validate_email(email: str | None, confirmation: str | None, notifications: Notifications) -> str | None:
    email = (email or "").strip() or None
    if email is None:
        if (confirmation or "").strip():
            raise invalid("Type the e-mail address in both boxes.", "email", "email.both")
        if notifications.any:
            raise invalid("E-mail notifications need an e-mail address.", "email", "email.needed")
        return None
    if (confirmation or "").strip() != email:
        raise invalid("The two e-mail addresses are not the same.", "emailConfirmation", "email.mismatch")
    return normalise_email(email)
