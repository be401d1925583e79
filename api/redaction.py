"""Secrets never reach the logs: voucher tokens in paths, CSRF tokens in query strings.

uvicorn's access log writes each request's path with its query string. A voucher's token *is* the
voucher (``/v/<token>``), and a WebSocket carries its CSRF token in the URL (a browser cannot give
a WebSocket headers): both are replaced before the line is written.
"""

import logging
import re

_VOUCHER = re.compile(r"(/[vV]/)[^/?\s\"]+")
_SECRET_PARAMS = re.compile(r"([?&](?:csrf|token|code|password|secret)=)[^&\s\"]*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _SECRET_PARAMS.sub(r"\1" + REDACTED, _VOUCHER.sub(r"\1" + REDACTED, text))


class RedactSecrets(logging.Filter):
    """Rewrites a record's arguments (uvicorn passes the path as one of them) and its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


_FILTER = RedactSecrets()


def install() -> None:
    """Attach the filter to uvicorn's loggers (once; building several apps in one process is fine)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
