"""Card proof: a fresh challenge, signed by the card's key, under a certificate we trust.

A proof (``CardProofInput``) is accepted only if, in this order:
1. its nonce was issued by :func:`issue_challenge` for this purpose (sign-in, registration, re-binding,
   or the one terminal that asked), is unexpired and unused — it is used up here, in its own
   transaction, whatever happens next (a replay always fails);
2. the certificate parses, chains to a trusted CA and is inside its validity period at ``now``;
3. no imported CRL revokes it (and, when points move, the CRL is current);
4. the signature over the nonce's UTF-8 bytes verifies (RSASSA-PKCS1-v1_5, SHA-256).
"""

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from domain.auth.actor import Actor, Role
from domain.cards.revocation import STALE_GRACE, ensure_not_revoked, serial_hex
from domain.cards.trust import CardTrust, UntrustedCertificate
from domain.errors import DomainError, ErrorCode
from domain.sql import Sql, autocommit, reader, transaction

CHALLENGE_LIFETIME = timedelta(minutes=5)
MAX_CERTIFICATE_BYTES = 8_192


class Purpose(StrEnum):
    """What a resident's own challenge is for; a terminal's challenge is for that terminal only."""

    SIGN_IN = "SIGN_IN"
    REGISTRATION = "REGISTRATION"
    REBIND = "REBIND"


def terminal_purpose(terminal_id: int) -> str:
    """The purpose of a challenge a terminal asked for: proofs for that terminal's own operations."""
    return f"TERMINAL:{terminal_id}"


@dataclass(frozen=True)
class Challenge:
    nonce: str
    expires_at: datetime


@dataclass(frozen=True)
class CardProof:
    certificate: str  # base64 DER
    nonce: str
    signature: str  # base64


@dataclass(frozen=True)
class VerifiedCard:
    """What is kept about a card: issuer, serial, fingerprint, validity. Nothing personal."""

    issuer: str
    serial: str
    fingerprint: str
    not_before: datetime
    not_after: datetime


def _invalid(message: str, reason: str = "card.unreadable") -> DomainError:
    return DomainError(ErrorCode.CARD_INVALID, message, "proof", reason)


async def issue_challenge(now: datetime, purpose: str = Purpose.SIGN_IN) -> Challenge:
    nonce = secrets.token_urlsafe(32)
    expires_at = now + CHALLENGE_LIFETIME
    await transaction(
        lambda sql: sql.execute(
            "INSERT INTO card_challenges (nonce, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            nonce,
            str(purpose),
            now,
            expires_at,
        )
    )
    return Challenge(nonce, expires_at)


async def issue_challenge_for(actor: Actor | None, purpose: Purpose, now: datetime) -> Challenge:
    """A terminal's challenge is bound to that terminal (whatever it asks); anyone else names the
    purpose (sign-in by default)."""
    if actor is not None and actor.role is Role.TERMINAL:
        return await issue_challenge(now, terminal_purpose(actor.id))
    return await issue_challenge(now, purpose)


async def _use_nonce(nonce: str, purpose: str, now: datetime) -> None:
    async def work(sql: Sql) -> str | None:
        """Use the nonce up whatever its purpose (a proof is tried once); the purpose it was made for."""
        row = await sql.fetchrow(
            "UPDATE card_challenges SET used_at = $2 WHERE nonce = $1 AND used_at IS NULL AND expires_at"
            " > $2 RETURNING purpose",
            nonce,
            now,
        )
        return None if row is None else str(row["purpose"])

    made_for = await autocommit(work)  # one statement: no BEGIN/COMMIT round trips
    if made_for is None:
        raise _invalid(
            "This challenge is unknown, already used or expired. Ask for a new one.", "card.challenge"
        )
    if made_for != purpose:
        raise _invalid(
            "This card proof was made for something else (another terminal, or a sign-in instead of a"
            " payment). Ask for a new challenge here and present the card again."
        )


def _decode(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _invalid(f"The {what} is not valid base64.") from exc


def _certificate(proof: CardProof) -> x509.Certificate:
    der = _decode(proof.certificate, "certificate")
    if len(der) > MAX_CERTIFICATE_BYTES:
        raise _invalid("The certificate is too large.")
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise _invalid("The certificate cannot be read.") from exc


def _check_validity(certificate: x509.Certificate, trust: CardTrust, now: datetime) -> None:
    if now < certificate.not_valid_before_utc:
        raise _invalid("The card's certificate is not valid yet.", "card.not_yet")
    if now > certificate.not_valid_after_utc:
        raise _invalid(
            "The card's certificate has expired. Renew it, then re-bind your MyKey ID.", "card.expired"
        )
    try:
        trust.verify_chain(certificate, now)
    except UntrustedCertificate as exc:
        raise _invalid(
            "The card's certificate was not issued by a trusted authority.", "card.untrusted"
        ) from exc


def _check_signature(certificate: x509.Certificate, proof: CardProof) -> None:
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise _invalid("The card's key must be RSA with at least 2048 bits.")
    try:
        key.verify(
            _decode(proof.signature, "signature"), proof.nonce.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature as exc:
        raise _invalid("The card's signature does not match this challenge.", "card.signature") from exc


async def verify_card_proof(
    proof: CardProof,
    trust: CardTrust,
    now: datetime,
    purpose: str,
    moves_points: bool = False,
    grace: timedelta = STALE_GRACE,
) -> VerifiedCard:
    """Check a card proof (see the module docstring); raise CARD_INVALID or CARD_REVOKED."""
    await _use_nonce(proof.nonce, str(purpose), now)
    certificate = _certificate(proof)
    _check_validity(certificate, trust, now)
    await ensure_not_revoked(reader(), certificate, now, moves_points, grace)
    _check_signature(certificate, proof)
    der = certificate.public_bytes(serialization.Encoding.DER)
    return VerifiedCard(
        issuer=certificate.issuer.rfc4514_string(),
        serial=serial_hex(certificate.serial_number),
        fingerprint=hashlib.sha256(der).hexdigest(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


async def forget_old_challenges(sql: Sql, now: datetime) -> int:
    return await sql.execute("DELETE FROM card_challenges WHERE expires_at < $1", now - timedelta(hours=1))
