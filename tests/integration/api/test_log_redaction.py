"""Secrets stay out of the logs: voucher tokens, WebSocket CSRF tokens, inline passwords."""

import logging

from api import redaction

ACCESS_FORMAT = '%s - "%s %s HTTP/%s" %d'  # uvicorn.access: client, method, path?query, version, status


def _access_line(path: str) -> str:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        ACCESS_FORMAT,
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )
    assert redaction.RedactSecrets().filter(record)
    return record.getMessage()


def test_voucher_tokens_and_csrf_tokens_are_redacted_in_access_lines():
    line = _access_line("/v/K7QM2XWPA9JD4TRF6HNB3C5Y8E.png?size=4")
    assert "K7QM2XWPA9JD4TRF6HNB3C5Y8E" not in line and "/v/[redacted].png" not in line
    assert "/v/[redacted]" in line
    assert "ABCD" not in _access_line("/V/ABCDEFGHJKLMNPQR/print")
    ws = _access_line("/graphql?csrf=s3cr3t-csrf-value&x=1")
    assert "s3cr3t" not in ws and "csrf=[redacted]&x=1" in ws
    assert _access_line("/me?notice=moved").endswith('"GET /me?notice=moved HTTP/1.1" 200')


async def test_a_refused_document_is_not_logged_with_its_inline_password(api, caplog):
    caplog.set_level(logging.DEBUG)
    document = (
        'mutation { loginWithPassword(myKeyId: "ABCD1234", password: "hunter2secret") { nosuchfield } }'
    )
    answer = await api.post("/graphql", json={"query": document})
    assert answer.json()["errors"]
    broken = await api.post("/graphql", json={"query": 'mutation { x(password: "hunter2secret" '})
    assert broken.json()["errors"]
    assert "hunter2secret" not in caplog.text


async def test_the_app_installs_the_filter_on_uvicorns_loggers(api):
    assert any(isinstance(f, redaction.RedactSecrets) for f in logging.getLogger("uvicorn.access").filters)
