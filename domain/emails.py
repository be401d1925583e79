"""E-mail addresses, checked by ``email-validator`` (RFC 5322/6531 syntax, no network look-ups).

A hand-written pattern once took ``a<script>@x.example``; the library refuses such addresses and
returns the normalised form (the domain in lower case and IDNA-safe) that we store.
"""

from email_validator import EmailNotValidError, validate_email

from domain.errors import DomainError, ErrorCode


def normalise_email(value: str, field: str = "email") -> str:
    """The address as we store it, or INVALID_INPUT saying what is wrong with it."""
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise DomainError(
            ErrorCode.INVALID_INPUT, f"This is not an e-mail address: {exc}", field, "email.format"
        ) from exc
    return str(checked.normalized)
