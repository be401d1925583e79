"""The outbox sender, against a real SMTP server (aiosmtpd) and as .eml files without SMTP."""

import email
import socket
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from domain.notifications.sender import FileTransport, SmtpTransport, send_pending
from domain.sql import reader
from tests.integration.identity.people import COMPLETE, PASSWORD

SENDER = "MyKey Points <no-reply@mykey-points.invalid>"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


async def _register_with_email(people):
    await people.municipality()
    begun = await people.gql(
        "mutation($p: CardProofInput!) { beginRegistration(proof: $p) { registrationToken } }",
        p=await people.proof(people.card(), "REGISTRATION"),
    )
    token = begun["beginRegistration"]["registrationToken"]
    candidate = (
        await people.gql(
            "mutation($t: String!) { generateMyKeyId(registrationToken: $t) { candidate } }", t=token
        )
    )["generateMyKeyId"]["candidate"]
    form = {
        "registrationToken": token,
        "myKeyId": candidate,
        "password": PASSWORD,
        "passwordConfirmation": PASSWORD,
        "email": "jiro@example.jp",
        "emailConfirmation": "jiro@example.jp",
        "notifications": {"myKeyIdChanged": True, "passwordChanged": True},
        "basicMunicipalityCode": "141305",
    }
    done = (await people.gql(COMPLETE, input=form))["completeRegistration"]
    return candidate, done["token"]


async def test_messages_reach_a_real_smtp_server_once(people, smtp, clock):
    inbox, url = smtp
    my_key_id, token = await _register_with_email(people)
    await people.gql(
        'mutation { changePassword(currentPassword: "abc123XYZ", password: "newpass99",'
        ' passwordConfirmation: "newpass99")'
        " { userErrors { code } } }",
        token,
    )
    assert await send_pending(SmtpTransport(url), SENDER, clock.now()) == 2
    subjects = sorted(m["Subject"] for m in inbox.messages)
    assert subjects[0].startswith("パスワードを変更しました")
    assert subjects[1].startswith(f"マイキーID {my_key_id} を登録しました")
    assert all(m["To"] == "jiro@example.jp" and m["From"] == SENDER for m in inbox.messages)
    assert await send_pending(SmtpTransport(url), SENDER, clock.now()) == 0  # nothing goes twice
    assert await reader().fetchval("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == 0


async def test_a_refusing_server_leaves_the_message_for_later(people, clock):
    await _register_with_email(people)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]  # nobody listens here once the probe closes
    assert await send_pending(SmtpTransport(f"smtp://127.0.0.1:{dead}"), SENDER, clock.now()) == 0
    row = await reader().fetchrow("SELECT attempts, last_error, sent_at FROM outbox")
    assert row["attempts"] == 1 and row["last_error"] and row["sent_at"] is None


async def test_without_smtp_messages_land_as_eml_files(people, clock, tmp_path):
    await _register_with_email(people)
    assert await send_pending(FileTransport(tmp_path / "outbox"), SENDER, clock.now()) == 1
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert message["To"] == "jiro@example.jp"
