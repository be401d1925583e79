"""Secrets at rest: files made 0600 from the start; the stand-in password hash costs what real ones do."""

import stat

from domain.auth import passwords
from domain.private_files import write_private


def test_private_files_are_0600_even_when_they_existed_wider(tmp_path):
    fresh = tmp_path / "a" / "card.pem"
    write_private(fresh, b"-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    older = tmp_path / "old.eml"
    older.write_bytes(b"x")
    older.chmod(0o644)
    write_private(older, b"y")
    assert stat.S_IMODE(older.stat().st_mode) == 0o600 and older.read_bytes() == b"y"


async def test_the_stand_in_hash_for_unknown_ids_has_the_configured_cost():
    try:
        passwords.configure(passwords.Argon2Cost(time_cost=2, memory_kib=2048, parallelism=1))
        stand_in = await passwords.dummy_hash()
        assert "m=2048,t=2,p=1" in stand_in
        real = await passwords.hash_password("abc123XYZ")
        assert real.split("$")[3] == stand_in.split("$")[3]  # the same parameters
        assert await passwords.verify_password(None, "abc123XYZ") is False
    finally:
        passwords.configure(passwords.Argon2Cost(time_cost=1, memory_kib=1024))
