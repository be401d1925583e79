"""``mykey serve`` as a person starts it: its --port reaches the voucher URLs, and X-Forwarded-For is
believed only from configured proxies (a rate limit cannot be dodged by naming another address)."""

import asyncio
import json
import os
import sys
from pathlib import Path

import httpx

from api.cli import proxy_options
from api.settings import Settings
from domain.cards.virtual import VirtualCard
from tests.servers import FAST, free_port

LOGIN = (
    'mutation($id: String!) { loginWithPassword(myKeyId: $id, password: "wrong123") { userErrors { code } } }'
)


async def _gql(client, query, token=None, headers=None, **variables):
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    answer = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=auth | (headers or {})
    )
    return answer.json()["data"]


async def test_serve_puts_its_port_in_voucher_urls_and_ignores_forwarded_addresses(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        **FAST,
        "MYKEY_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite://{tmp_path / 'db.sqlite3'}",
    }
    env.pop("MYKEY_PUBLIC_URL", None)
    env.pop("PORT", None)
    seed = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.cli", "demo", "seed", "--out", str(tmp_path / "demo.json"), env=env
    )
    assert await seed.wait() == 0
    demo = json.loads((tmp_path / "demo.json").read_text())
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(300):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            card = VirtualCard.load(Path(demo["residents"][1]["card"]))
            nonce = (await _gql(client, "mutation { cardChallenge { nonce } }"))["cardChallenge"]["nonce"]
            login = await _gql(
                client,
                "mutation($p: CardProofInput!) { loginWithCard(proof: $p) { token } }",
                p=card.prove(nonce),
            )
            program = next(p["id"] for p in demo["municipalities"][0]["programs"] if p["kind"] == "REGULAR")
            issued = await _gql(
                client,
                "mutation($p: ID!) { issueVoucher(programId: $p, faceValue: 10)"
                " { voucher { url } userErrors { code } } }",
                login["loginWithCard"]["token"],
                p=program,
            )
            assert issued["issueVoucher"]["voucher"]["url"].startswith(f"HTTP://127.0.0.1:{port}/V/")
            for n in range(60):
                forwarded = {"X-Forwarded-For": f"198.51.100.{n}"}
                await _gql(client, LOGIN, headers=forwarded, id=f"NOBODY{n:02d}")
            last = await _gql(client, LOGIN, headers={"X-Forwarded-For": "203.0.113.1"}, id="NOBODY99")
            assert last["loginWithPassword"]["userErrors"] == [{"code": "RATE_LIMITED"}]
    finally:
        server.terminate()
        await server.wait()


def test_forwarded_addresses_are_believed_only_from_named_proxies():
    assert proxy_options(Settings.from_env({})) == (False, None)
    named = Settings.from_env({"MYKEY_TRUSTED_PROXIES": "10.0.0.5, 10.0.0.6"})
    assert proxy_options(named) == (True, "10.0.0.5,10.0.0.6")
