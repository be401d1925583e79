"""Sending the outbox: over SMTP (aiosmtplib, ``SMTP_URL``) or, without SMTP, as .eml files.

Several senders may run at once (one per server): each claims a batch for five minutes with
``FOR UPDATE SKIP LOCKED`` (PostgreSQL) before sending, so a message goes out once. A failure is
recorded and the message is retried later, at most 10 times.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from domain.private_files import write_private
from domain.sql import Sql, transaction

CLAIM = timedelta(minutes=5)
MAX_ATTEMPTS = 10


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpTransport:
    """``smtp://user:password@host:port`` (``smtps://`` for implicit TLS; STARTTLS when offered)."""

    url: str

    async def send(self, message: EmailMessage) -> None:
        parts = urlsplit(self.url)
        await aiosmtplib.send(
            message,
            hostname=parts.hostname or "localhost",
            port=parts.port or (465 if parts.scheme == "smtps" else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=parts.scheme == "smtps",
            start_tls=None,
            timeout=30,
        )


@dataclass(frozen=True)
class FileTransport:
    """Writes each message as an .eml file (no SMTP configured)."""

    directory: Path

    async def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").replace("@", "_").replace("/", "_")
        await asyncio.to_thread(write_private, self.directory / f"{name}.eml", bytes(message))


async def _claim(sql: Sql, now: datetime, limit: int) -> list[dict[str, object]]:
    skip = " FOR UPDATE SKIP LOCKED" if sql.postgres else ""
    return await sql.fetch(
        "UPDATE outbox SET claimed_until = $2, attempts = attempts + 1 WHERE id IN"
        " (SELECT id FROM outbox WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < $1)"
        f" AND attempts < {MAX_ATTEMPTS} ORDER BY id LIMIT $3{skip})"
        " RETURNING id, to_address, subject, body, created_at",
        now,
        now + CLAIM,
        limit,
    )


def _message(row: dict[str, object], sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = str(row["to_address"])
    message["Subject"] = str(row["subject"])
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row['id']}", domain="mykey-points.invalid")
    message.set_content(str(row["body"]))
    return message


async def _record(message_id: object, assignment: str, value: object) -> None:
    async def work(sql: Sql) -> None:
        await sql.execute(f"UPDATE outbox SET {assignment} WHERE id = $1", message_id, value)

    await transaction(work)


async def send_pending(transport: Transport, sender: str, now: datetime, limit: int = 100) -> int:
    """Send what is due, one claimed batch at a time; the number sent."""
    sent = 0
    while True:
        rows = await transaction(lambda sql: _claim(sql, now, limit))
        if not rows:
            return sent
        for row in rows:
            try:
                await transport.send(_message(row, sender))
            except (aiosmtplib.SMTPException, OSError) as exc:
                await _record(row["id"], "last_error = $2, claimed_until = NULL", str(exc)[:500])
                continue
            await _record(row["id"], "sent_at = $2", now)
            sent += 1
        if len(rows) < limit:
            return sent
