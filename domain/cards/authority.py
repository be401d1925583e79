"""The test card authority (``mykey ca …``): a stand-in for J-LIS that issues JPKI-shaped cards.

A user-authentication certificate (利用者証明用電子証明書) carries no personal attribute: the subject
is a random identifier, the key is RSA-2048, the only use is digital signature. A *virtual card* is
one PEM file: the PKCS#8 private key followed by the certificate. The authority keeps its state in a
directory::

    DIR/ca.pem          the root certificate (what MYKEY_TRUSTED_CA points at)
    DIR/ca-key.pem      its private key
    DIR/revoked.json    serial (hex) → revocation time
    DIR/crl-number      the last CRL number issued
"""

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

from domain.private_files import write_private

# the certificate policy of JPKI user-authentication certificates (公的個人認証 利用者証明用)
JPKI_USER_AUTH_POLICY = ObjectIdentifier("1.2.392.200149.8.5.1.3.30")
CARD_YEARS = 5
CRL_HOURS = 24


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass(frozen=True)
class CardAuthority:
    directory: Path
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @classmethod
    def init(cls, directory: Path, now: datetime, name: str = "MyKey Points Test Card CA") -> "CardAuthority":
        """Create a root CA in ``directory`` (refuses to overwrite one)."""
        directory.mkdir(parents=True, exist_ok=True)
        if (directory / "ca.pem").exists():
            raise FileExistsError(f"{directory / 'ca.pem'} exists: this directory already holds a CA")
        key = _new_key()
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "MyKey Points (test)"),
                x509.NameAttribute(NameOID.COMMON_NAME, name),
            ]
        )
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365 * 20))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .add_extension(ski, critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        write_private(directory / "ca-key.pem", _pem_key(key))
        (directory / "ca.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        (directory / "revoked.json").write_text("{}")
        (directory / "crl-number").write_text("0")
        return cls(directory, certificate, key)

    @classmethod
    def open(cls, directory: Path) -> "CardAuthority":
        certificate = x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())
        key = serialization.load_pem_private_key((directory / "ca-key.pem").read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the CA key is not an RSA key")
        return cls(directory, certificate, key)

    def issue_card(self, now: datetime, years: int = CARD_YEARS, not_before: datetime | None = None) -> bytes:
        """A new virtual card: PEM of the PKCS#8 key, then the certificate."""
        key = _new_key()
        start = not_before or now - timedelta(minutes=5)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.COMMON_NAME, secrets.token_hex(12).upper()),
            ]
        )
        ca_ski = self.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(cert_sign=False), critical=True)
            .add_extension(
                x509.CertificatePolicies([x509.PolicyInformation(JPKI_USER_AUTH_POLICY, None)]),
                critical=False,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
            )
            .sign(self.key, hashes.SHA256())
        )
        return _pem_key(key) + certificate.public_bytes(serialization.Encoding.PEM)

    def revoke(self, certificate: x509.Certificate, now: datetime) -> None:
        if certificate.issuer != self.certificate.subject:
            raise ValueError("this card was not issued by this authority")
        revoked = self._revoked()
        revoked.setdefault(format(certificate.serial_number, "x"), now.isoformat())
        (self.directory / "revoked.json").write_text(json.dumps(revoked, indent=1, sort_keys=True))

    def crl(self, now: datetime, hours: int = CRL_HOURS) -> bytes:
        """A signed CRL (PEM) of every card revoked so far, due to be replaced in ``hours``."""
        number = int((self.directory / "crl-number").read_text()) + 1
        (self.directory / "crl-number").write_text(str(number))
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(now)
            .next_update(now + timedelta(hours=hours))
            .add_extension(x509.CRLNumber(number), critical=False)
        )
        for serial, when in sorted(self._revoked().items()):
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(int(serial, 16))
                .revocation_date(datetime.fromisoformat(when))
                .build()
            )
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)

    def _revoked(self) -> dict[str, str]:
        loaded: dict[str, str] = json.loads((self.directory / "revoked.json").read_text())
        return loaded


def _usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
