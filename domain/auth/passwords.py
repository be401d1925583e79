"""Passwords: argon2id (RFC 9106), hashed and verified on a worker thread, never on the event loop."""

import asyncio
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


@dataclass(frozen=True)
class Argon2Cost:
    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4


_hasher = PasswordHasher(type=Type.ID)
_dummy: str | None = None  # made at the configured cost, on first use


def configure(cost: Argon2Cost) -> None:
    """Set the cost of new hashes (existing hashes keep theirs and still verify)."""
    global _hasher, _dummy
    _hasher = PasswordHasher(
        time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism, type=Type.ID
    )
    _dummy = None


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(stored: str | None, password: str) -> bool:
    """True if ``password`` matches; with no stored hash, spend the same time and answer False.

    The stand-in hash has the configured cost, like every real one: a cheaper one would let response
    times tell which MyKey IDs exist."""
    if stored is None:
        await asyncio.to_thread(_verify, await dummy_hash(), password)
        return False
    return await asyncio.to_thread(_verify, stored, password)


async def dummy_hash() -> str:
    global _dummy
    if _dummy is None:
        _dummy = await hash_password("not a password anyone has")
    return _dummy
