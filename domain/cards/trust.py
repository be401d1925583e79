"""Which card CAs the platform trusts (``MYKEY_TRUSTED_CA``) and how a certificate is checked.

cryptography's path validation (``x509.verification``) builds and checks the chain; its web-PKI
end-entity policy asks for a subjectAltName that a JPKI user-authentication certificate never has,
so the end-entity policy here is explicit: key usage present and allowing digital signature, not a
CA. Path validation checks no revocation: that is :mod:`domain.cards.revocation`'s job.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)


def _signing_only(policy: Policy, certificate: x509.Certificate, usage: x509.KeyUsage) -> None:
    if not usage.digital_signature:
        raise ValueError("a card certificate must allow digital signatures")


def _not_a_ca(
    policy: Policy, certificate: x509.Certificate, constraints: x509.BasicConstraints | None
) -> None:
    if constraints is not None and constraints.ca:
        raise ValueError("a card certificate cannot be a CA")


CARD_POLICY = (
    ExtensionPolicy.permit_all()
    .require_present(x509.KeyUsage, Criticality.AGNOSTIC, _signing_only)
    .may_be_present(x509.BasicConstraints, Criticality.AGNOSTIC, _not_a_ca)
)


class UntrustedCertificate(Exception):
    pass


@dataclass(frozen=True)
class CardTrust:
    """The trusted CA certificates, loaded from one PEM file."""

    authorities: tuple[x509.Certificate, ...]

    @classmethod
    def from_file(cls, path: Path) -> "CardTrust":
        if not path.exists():
            return cls(())
        return cls(tuple(x509.load_pem_x509_certificates(path.read_bytes())))

    def verify_chain(self, certificate: x509.Certificate, at: datetime) -> None:
        """Raise :class:`UntrustedCertificate` unless ``certificate`` chains to a trusted CA at ``at``."""
        if not self.authorities:
            raise UntrustedCertificate("no card CA is trusted here (MYKEY_TRUSTED_CA)")
        verifier = (
            PolicyBuilder()
            .store(Store(list(self.authorities)))
            .time(at)
            .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=CARD_POLICY)
            .build_client_verifier()
        )
        try:
            verifier.verify(certificate, [])
        except VerificationError as exc:
            raise UntrustedCertificate(str(exc)) from exc
