"""Certificate revocation: imported CRLs, and the status of one certificate.

Path validation checks no revocation, so this module does: a CRL is accepted only if a trusted CA
signed it and it is newer than the last one from that CA. Importing it also ends every session that
began with a card it revokes. If the newest CRL is more than ``grace`` past its nextUpdate, the
status is *unknown*: operations that move points refuse the card, reads still work (product.md §11).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from domain.cards.trust import CardTrust
from domain.errors import DomainError, ErrorCode
from domain.sql import Sql, as_datetime, bulk_insert, transaction

STALE_GRACE = timedelta(hours=2)


class CrlRejected(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.INVALID_INPUT, message, "crl")


@dataclass(frozen=True)
class CrlImport:
    issuer: str
    this_update: datetime
    next_update: datetime | None
    revoked: int
    sessions_ended: int


def load_crl(data: bytes) -> x509.CertificateRevocationList:
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)
    except ValueError as exc:
        raise CrlRejected("This is not a certificate revocation list.") from exc


def serial_hex(serial: int) -> str:
    return format(serial, "x")


def _check(crl: x509.CertificateRevocationList, trust: CardTrust) -> None:
    """A trusted CA of the CRL's issuer name must have signed it (several may share a name: key rollover)."""
    authorities = [ca for ca in trust.authorities if ca.subject == crl.issuer]
    if not authorities:
        raise CrlRejected("This CRL comes from a CA that is not trusted here.")
    for authority in authorities:
        key = authority.public_key()
        if isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey) and crl.is_signature_valid(key):
            return
    raise CrlRejected("This CRL's signature does not verify with its CA's key.")


async def import_crl(data: bytes, trust: CardTrust, now: datetime) -> CrlImport:
    """Import a CRL (PEM or DER) in one transaction; refuse forged, foreign or older lists."""
    crl = load_crl(data)
    _check(crl, trust)
    issuer = crl.issuer.rfc4514_string()
    this_update = crl.last_update_utc
    next_update = crl.next_update_utc
    try:
        number: int | None = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except x509.ExtensionNotFound:
        number = None
    rows = [(issuer, serial_hex(r.serial_number), r.revocation_date_utc) for r in crl]

    async def work(sql: Sql) -> CrlImport:
        latest = await sql.fetchval("SELECT MAX(this_update) FROM revocation_lists WHERE issuer = $1", issuer)
        if latest is not None and as_datetime(latest) >= this_update:
            raise CrlRejected("A CRL at least this recent was already imported.")
        await sql.execute(
            "INSERT INTO revocation_lists (issuer, number, this_update, next_update, imported_at,"
            " revoked_count)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            issuer,
            number,
            this_update,
            next_update,
            now,
            len(rows),
        )
        known = {
            r["serial"]
            for r in await sql.fetch("SELECT serial FROM revoked_certificates WHERE issuer = $1", issuer)
        }
        fresh = [row for row in rows if row[1] not in known]
        await bulk_insert(
            sql,
            "revoked_certificates",
            [("issuer", "text"), ("serial", "text"), ("revoked_at", "timestamptz")],
            fresh,
        )
        ended = await sql.execute(
            "UPDATE sessions SET revoked_at = $1 WHERE revoked_at IS NULL AND card_id IN"
            " (SELECT c.id FROM cards c JOIN revoked_certificates r ON r.issuer = c.issuer AND r.serial ="
            " c.serial)",
            now,
        )
        return CrlImport(issuer, this_update, next_update, len(rows), ended)

    return await transaction(work)


async def ensure_not_revoked(
    sql: Sql, certificate: x509.Certificate, now: datetime, moves_points: bool, grace: timedelta = STALE_GRACE
) -> None:
    """CARD_REVOKED if an imported CRL lists it; CARD_INVALID if the status is unknown and points would
    move."""
    issuer = certificate.issuer.rfc4514_string()
    await _check_status(sql, issuer, serial_hex(certificate.serial_number), now, moves_points, grace)


async def ensure_session_card_current(
    sql: Sql, card_id: int, now: datetime, grace: timedelta = STALE_GRACE
) -> None:
    """The card a session began with, checked again when the session moves points: not revoked since,
    and its CA's revocation list current (the same rule as a card proof that moves points)."""
    card = await sql.fetchrow("SELECT issuer, serial FROM cards WHERE id = $1", card_id)
    if card is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "This session's card is no longer known: sign in again.")
    await _check_status(sql, str(card["issuer"]), str(card["serial"]), now, True, grace)


async def _check_status(
    sql: Sql, issuer: str, serial: str, now: datetime, moves_points: bool, grace: timedelta
) -> None:
    status = await sql.fetchrow(  # one round trip: a payment asks both questions every time
        "SELECT (SELECT 1 FROM revoked_certificates WHERE issuer = $1 AND serial = $2) AS revoked,"
        " (SELECT next_update FROM revocation_lists WHERE issuer = $1 ORDER BY this_update DESC LIMIT 1)"
        " AS due",
        issuer,
        serial,
    )
    assert status is not None
    if status["revoked"]:
        raise DomainError(ErrorCode.CARD_REVOKED, "This card's certificate has been revoked.", "proof")
    if not moves_points:
        return
    due = status["due"]
    if due is None or as_datetime(due) + grace < now:
        raise DomainError(
            ErrorCode.CARD_INVALID,
            "The card's revocation status is unknown right now (no current revocation list); try again"
            " later.",
            "proof",
        )
