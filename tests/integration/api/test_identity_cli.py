"""`mykey ca …`, `mykey crl import`, the daily CRL refresh and `mykey demo seed`, as separate processes."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from domain.sql import reader
from tests.conftest import START

CHEAP_ARGON2 = {"MYKEY_ARGON2_MEMORY_KIB": "1024", "MYKEY_ARGON2_TIME_COST": "1"}


def _run(db, *args, **env_extra):
    env = {
        **os.environ,
        "DATABASE_URL": db.settings.database_url,
        "MYKEY_VAR_DIR": str(db.settings.var_dir),
        "MYKEY_LEDGER_KEY": str(db.settings.ledger_key_path),
        **CHEAP_ARGON2,
        **env_extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


async def test_the_card_authority_and_crl_import(db, tmp_path):
    ca = tmp_path / "ca"
    at = START.isoformat()
    assert _run(db, "ca", "init", str(ca), "--at", at).returncode == 0
    card = tmp_path / "card.pem"
    issued = _run(db, "ca", "issue-card", str(ca), "--out", str(card), "--at", at)
    assert issued.returncode == 0, issued.stderr
    pem = card.read_text()
    assert pem.startswith("-----BEGIN PRIVATE KEY-----") and "-----BEGIN CERTIFICATE-----" in pem
    assert _run(db, "ca", "revoke", str(ca), str(card), "--at", at).returncode == 0
    crl = tmp_path / "crl.pem"
    assert _run(db, "ca", "crl", str(ca), "--out", str(crl), "--at", at).returncode == 0
    trusted = {"MYKEY_TRUSTED_CA": str(ca / "ca.pem")}
    imported = _run(db, "crl", "import", str(crl), "--at", at, **trusted)
    assert imported.returncode == 0, imported.stderr
    assert "imported: 1 revoked certificates" in imported.stdout
    again = _run(db, "crl", "import", str(crl), "--at", at, **trusted)
    assert again.returncode == 1 and "already imported" in again.stderr
    untrusted = _run(
        db, "crl", "import", str(crl), "--at", at
    )  # trusted: the suite's CA, same name, other key
    assert untrusted.returncode == 1 and "signature does not verify" in untrusted.stderr
    assert await reader().fetchval("SELECT COUNT(*) FROM revoked_certificates") == 1


async def test_jobs_daily_refreshes_the_crl(db, tmp_path):
    crl = tmp_path / "published.pem"
    _run(db, "ca", "crl", str(db.settings.card_ca_dir), "--out", str(crl), "--at", START.isoformat())
    result = _run(db, "jobs", "daily", "--at", START.isoformat(), MYKEY_CRL_SOURCE=str(crl))
    assert result.returncode == 0, result.stderr
    assert "CRL: imported 0 revoked certificates" in result.stdout
    assert await reader().fetchval("SELECT COUNT(*) FROM revocation_lists") == 1
    missing = _run(
        db, "jobs", "daily", "--at", START.isoformat(), MYKEY_CRL_SOURCE=str(tmp_path / "none.pem")
    )
    assert missing.returncode == 0 and "nothing imported" in missing.stdout


async def test_demo_seed_writes_working_credentials(db, tmp_path, people, api):
    out = tmp_path / "demo.json"
    result = _run(db, "demo", "seed", "--out", str(out))
    assert result.returncode == 0, result.stderr
    demo = json.loads(out.read_text())
    assert [m["code"] for m in demo["municipalities"]] == ["141305", "131164"]
    assert {t["kind"] for t in demo["terminals"]} == {"LOOKUP", "PAY", "PRINT", "GRANT"}
    assert len(demo["partners"]) == 2 and len(demo["residents"]) == 3 and len(demo["unregisteredCards"]) == 2
    assert all(Path(r["card"]).is_absolute() and Path(r["card"]).exists() for r in demo["residents"])
    secrets = [out, *(Path(r["card"]) for r in demo["residents"]), *map(Path, demo["unregisteredCards"])]
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in secrets} == {"0o600"}  # keys and passwords
    assert {s["municipalityCode"] for s in demo["shops"]} == {"141305", "131164"}

    viewer = "{ viewer { role municipalityCode } }"
    assert (await people.gql(viewer, demo["operator"]["token"]))["viewer"]["role"] == "OPERATOR"
    admin = (await people.gql(viewer, demo["municipalities"][0]["adminToken"]))["viewer"]
    assert admin == {"role": "MUNICIPALITY_ADMIN", "municipalityCode": "141305"}
    ping = "mutation { pingTerminal { terminal { kind } userErrors { code } } }"
    for terminal in demo["terminals"]:
        assert (await people.gql(ping, terminal["token"]))["pingTerminal"]["terminal"]["kind"] == terminal[
            "kind"
        ]
    partner = demo["partners"][0]
    token = await api.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(partner["clientId"], partner["clientSecret"]),
    )
    assert token.status_code == 200
    first = demo["residents"][0]
    login = await people.gql(
        "mutation($id: String!, $pw: String!) { loginWithPassword(myKeyId: $id, password: $pw) {"
        " userErrors { code } } }",
        id=first["myKeyId"],
        pw=first["password"],
    )
    assert login["loginWithPassword"]["userErrors"] == []

    again = _run(db, "demo", "seed", "--out", str(out))  # a second run reuses what exists
    assert again.returncode == 0, again.stderr
    assert [r["myKeyId"] for r in json.loads(out.read_text())["residents"]] == [
        r["myKeyId"] for r in demo["residents"]
    ]
    assert await reader().fetchval("SELECT COUNT(*) FROM residents") == 3
