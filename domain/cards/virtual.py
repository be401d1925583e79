"""Virtual cards: what a card reader does with a real card, done with a PEM file.

``prove(card, nonce)`` returns the ``CardProofInput`` a client sends: the certificate (base64 DER)
and an RSASSA-PKCS1-v1_5 / SHA-256 signature over the UTF-8 bytes of the nonce.
"""

import base64
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


@dataclass(frozen=True)
class VirtualCard:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @classmethod
    def from_pem(cls, pem: bytes) -> "VirtualCard":
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("a virtual card holds an RSA private key")
        return cls(key, x509.load_pem_x509_certificate(pem[pem.index(b"-----BEGIN CERTIFICATE-----") :]))

    @classmethod
    def load(cls, path: Path) -> "VirtualCard":
        return cls.from_pem(path.read_bytes())

    def sign(self, message: bytes) -> bytes:
        return self.key.sign(message, padding.PKCS1v15(), hashes.SHA256())

    def prove(self, nonce: str) -> dict[str, str]:
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        return {
            "certificate": base64.b64encode(der).decode(),
            "nonce": nonce,
            "signature": base64.b64encode(self.sign(nonce.encode())).decode(),
        }
