"""Webhooks: an exchange's final state reaches the partner's endpoint, signed (HMAC-SHA256 over the time
and body), retried after a failure, sent once; an exchange that did not happen sends nothing."""

import hashlib
import hmac
import http.server
import json
import threading
from datetime import timedelta

from api.webhooks import post
from domain.partners.webhooks import send_due
from domain.sql import reader
from tests.integration.graphql.points.test_exchanges_and_coupons import EXCHANGE, _order
from tests.servers import free_port


class Receiver:
    """The partner's endpoint: answers the statuses it is given, in turn, and keeps what it got."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.got: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0))
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _verified(secret: str, headers: dict[str, str], body: bytes) -> bool:
    fields = dict(part.split("=", 1) for part in headers["MyKey-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


async def test_a_signed_notice_is_retried_and_delivered_once(people, clock):
    receiver = Receiver([500, 200])
    try:
        await people.municipality()
        resident = await people.register()
        partner = await people.partner()
        client_id = await reader().fetchval("SELECT client_id FROM partners")
        secret = (
            await people.gql(
                "mutation($c: String!, $u: String!) { setPartnerWebhook(clientId: $c, url: $u)"
                " { webhookSecret userErrors { code field } } }",
                await people.operator(),
                c=client_id,
                u=f"http://127.0.0.1:{receiver.port}/mykey/hook",
            )
        )["setPartnerWebhook"]["webhookSecret"]
        await people.consent(resident)
        refused = await people.gql(EXCHANGE, partner, i=_order(resident, 0, "bad", "hook-bad-key"))
        assert refused["exchangePoints"]["userErrors"]  # no exchange: no notice
        done = await people.gql(EXCHANGE, partner, i=_order(resident, 800, "HOOK-1", "hook-key-1"))
        assert done["exchangePoints"]["userErrors"] == []
        first = await send_due(post, clock.now())
        assert (first.delivered, first.retrying) == (0, 1)
        assert (await send_due(post, clock.now())).retrying == 0  # not due again yet
        clock.advance(timedelta(minutes=1, seconds=1))
        second = await send_due(post, clock.now())
        assert second.delivered == 1
        assert (await send_due(post, clock.now() + timedelta(hours=1))).delivered == 0  # sent once
        assert len(receiver.got) == 2
        headers, body = receiver.got[-1]
        assert _verified(secret, headers, body) and not _verified("another secret", headers, body)
        notice = json.loads(body)
        assert notice["type"] == "exchange.completed" and notice["data"]["externalRef"] == "HOOK-1"
        assert notice["data"]["yen"] == 800 and headers["MyKey-Event"] == "exchange.completed"
    finally:
        receiver.close()
