"""Schemathesis fuzzes the GraphQL API of a live, seeded server, as each kind of caller.

Time-boxed (MYKEY_FUZZ_SECONDS per caller, 10 by default): the anonymous public, the operator, a
municipality admin and staff, a shop clerk, a PAY terminal, a partner and a resident signed in with
the card. Every answer must be a coded one: no HTTP 5xx, no INTERNAL (tests/fuzz/schemathesis_hooks.py).
"""

import asyncio
import os
import re
import sys
from pathlib import Path

import httpx
import pytest

from domain.cards.virtual import VirtualCard
from tests.servers import seeded_site

ROOT = Path(__file__).resolve().parents[2]
SECONDS = os.environ.get("MYKEY_FUZZ_SECONDS", "10")
pytestmark = pytest.mark.fuzz


async def _tokens(url: str, demo: dict) -> dict[str, str | None]:
    async with httpx.AsyncClient(base_url=url) as client:
        partner = demo["partners"][0]
        oauth = await client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(partner["clientId"], partner["clientSecret"]),
        )
        card = VirtualCard.load(Path(demo["residents"][0]["card"]))
        challenge = await client.post("/graphql", json={"query": "mutation { cardChallenge { nonce } }"})
        nonce = challenge.json()["data"]["cardChallenge"]["nonce"]
        login = await client.post(
            "/graphql",
            json={
                "query": "mutation($p: CardProofInput!) { loginWithCard(proof: $p) { token } }",
                "variables": {"p": card.prove(nonce)},
            },
        )
    return {
        "public": None,
        "operator": demo["operator"]["token"],
        "municipality admin": demo["municipalities"][0]["adminToken"],
        "municipality staff": demo["municipalities"][0]["staffToken"],
        "shop clerk": demo["shops"][0]["staffToken"],
        "PAY terminal": next(t["token"] for t in demo["terminals"] if t["kind"] == "PAY"),
        "partner": oauth.json()["access_token"],
        "resident (card)": login.json()["data"]["loginWithCard"]["token"],
    }


async def _fuzz(url: str, token: str | None) -> tuple[int, int, str]:
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{url}/graphql",
        "--checks", "no_server_failure", "--max-time", SECONDS, "--workers", "2",
        "--continue-on-failure", "--no-color", "--request-timeout", "20",
    ]  # fmt: skip
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.schemathesis_hooks", "PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output = (await process.communicate())[0].decode(errors="replace")
    found = re.search(r"(\d+) generated", output)
    return process.returncode or 0, int(found.group(1)) if found else 0, output


async def test_no_caller_gets_a_server_error(tmp_path):
    async with seeded_site(tmp_path / "fuzz-var") as site:
        tokens = await _tokens(site.url, site.demo)
        assert [who for who, token in tokens.items() if not token] == ["public"]
        tally = {}
        for who, token in tokens.items():
            code, requests, output = await _fuzz(site.url, token)
            assert code == 0, f"{who}: schemathesis found failures\n{output[-6000:]}"
            assert requests > 0, f"{who}: nothing was generated\n{output[-3000:]}"
            tally[who] = requests
    print(f"\nfuzzed GraphQL requests: {sum(tally.values()):,} ({tally}); server errors: 0")
