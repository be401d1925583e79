"""Random tokens handed out once and stored only as SHA-256 hashes."""

import hashlib
import hmac
import secrets


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str, nbytes: int = 32) -> tuple[str, str]:
    """A fresh ``prefix_…`` token and its hash (store the hash, show the token once)."""
    token = f"{prefix}_{secrets.token_urlsafe(nbytes)}"
    return token, digest(token)


def same(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(digest(token), stored_hash)
