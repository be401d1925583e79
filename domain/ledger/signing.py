"""The key that signs ledger checkpoints (Ed25519).

A checkpoint's signature proves it was made by the platform: someone who can write to the database
but does not hold this key cannot rewrite history and re-seal it. Verifying needs only the public key.
"""

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


class LedgerKey:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        raw = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.key_id = hashlib.sha256(raw).hexdigest()[:16]

    @classmethod
    def load_or_create(cls, path: Path) -> "LedgerKey":
        """Read the PEM key at ``path``, creating it (mode 0600) on first use."""
        if path.exists():
            loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise ValueError(f"{path} does not hold an Ed25519 key")
            return cls(loaded)
        key = Ed25519PrivateKey.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        return cls(key)

    def sign(self, message: str) -> str:
        return base64.b64encode(self._private.sign(message.encode())).decode()

    def verify(self, message: str, signature: str) -> bool:
        try:
            self._private.public_key().verify(base64.b64decode(signature), message.encode())
        except (InvalidSignature, ValueError):
            return False
        return True
