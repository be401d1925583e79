"""Creating a MyKey ID (screen 16 of seed 001), after the card has been proven.

* ``begin_registration``: card proof → a registration token (30 minutes, one card, one MyKey ID);
* ``generate_my_key_id``: at most 3 presses; the 3rd value is final and is the one registered;
* ``check_my_key_id``: a duplicate check of the resident's own candidate; after 3 taken candidates
  one is generated for them. Checks are limited per registration and per client address, and each
  registration needs a card, so the check cannot be used to list who exists;
* ``complete_registration``: password (twice), optional e-mail (twice), the four notification
  choices and a basic municipality → the resident, signed in with a card session.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from domain.auth import ratelimit
from domain.auth.passwords import hash_password
from domain.auth.sessions import NewSession, open_session
from domain.auth.tokens import digest, new_token
from domain.cards.proof import CardProof, Purpose, VerifiedCard, verify_card_proof
from domain.cards.trust import CardTrust
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import get_municipality_by_code
from domain.notifications.outbox import enqueue
from domain.residents import notices
from domain.residents.queries import ResidentView, get_resident, my_key_id_taken
from domain.residents.rules import (
    MAX_FAILED_CHECKS,
    MAX_GENERATIONS,
    Notifications,
    generate_candidate,
    invalid,
    validate_email,
    validate_my_key_id,
    validate_password,
)
from domain.sql import Sql, as_datetime, broke_unique, transaction
from models.sessions import SubjectKind

REGISTRATION_LIFETIME = timedelta(minutes=30)


@dataclass(frozen=True)
class Generated:
    candidate: str
    remaining: int
    final: bool


@dataclass(frozen=True)
class Checked:
    available: bool
    remaining: int
    candidate: str | None


@dataclass(frozen=True)
class RegistrationInput:
    registration_token: str
    my_key_id: str
    password: str
    password_confirmation: str
    email: str | None
    email_confirmation: str | None
    notifications: Notifications
    basic_municipality_code: str | None


@dataclass(frozen=True)
class Registered:
    resident: ResidentView
    session: NewSession


@dataclass(frozen=True)
class CardOwner:
    """The resident a card is (or was) bound to."""

    card_id: int
    unbound_at: datetime | None
    resident_id: int
    status: str


async def card_owner(sql: Sql, fingerprint: str) -> CardOwner | None:
    return await sql.fetchrow_as(
        CardOwner,
        "SELECT c.id AS card_id, c.unbound_at, r.id AS resident_id, r.status FROM cards c"
        " JOIN residents r ON r.id = c.resident_id WHERE c.fingerprint = $1",
        fingerprint,
    )


async def begin_registration(proof: CardProof, trust: CardTrust, now: datetime) -> str:
    card = await verify_card_proof(proof, trust, now, Purpose.REGISTRATION)
    token, token_hash = new_token("mkr")

    async def work(sql: Sql) -> None:
        if await card_owner(sql, card.fingerprint) is not None:
            raise invalid("This card already has a MyKey ID: sign in with the card.", "proof")
        await sql.execute(
            "INSERT INTO registrations (token_hash, issuer, serial, fingerprint, not_before, not_after,"
            " created_at, expires_at, generated, failed_checks, checks, offered)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, 0, '')",
            token_hash,
            card.issuer,
            card.serial,
            card.fingerprint,
            card.not_before,
            card.not_after,
            now,
            now + REGISTRATION_LIFETIME,
        )

    await transaction(work)
    return token


async def _registration(sql: Sql, token: str, now: datetime) -> dict[str, object]:
    row = await sql.fetchrow(
        "SELECT * FROM registrations WHERE token_hash = $1 AND completed_at IS NULL" + sql.for_update,
        digest(token),
    )
    if row is None:
        raise invalid(
            "This registration is unknown or already complete. Start again with your card.",
            "registrationToken",
            "registration.unknown",
        )
    if as_datetime(row["expires_at"]) <= now:
        raise DomainError(
            ErrorCode.EXPIRED,
            "This registration has expired. Start again with your card.",
            "registrationToken",
            "registration.expired",
        )
    return row


async def _fresh_candidate(sql: Sql) -> str:
    while True:
        candidate = generate_candidate()
        if not await my_key_id_taken(sql, candidate):
            return candidate


def _offered(row: dict[str, object]) -> list[str]:
    return str(row["offered"] or "").split()


async def _offer(
    sql: Sql, registration_id: object, offered: list[str], candidate: str, **counts: object
) -> None:
    sets = ", ".join(f"{column} = ${i + 3}" for i, column in enumerate(counts))
    await sql.execute(
        f"UPDATE registrations SET offered = $2{', ' + sets if sets else ''} WHERE id = $1",
        registration_id,
        " ".join([*offered, candidate][-20:]),
        *counts.values(),
    )


async def generate_my_key_id(token: str, now: datetime) -> Generated:
    async def work(sql: Sql) -> Generated:
        row = await _registration(sql, token, now)
        used = int(str(row["generated"]))
        if used >= MAX_GENERATIONS:
            raise DomainError(
                ErrorCode.ATTEMPTS_EXHAUSTED,
                f"An ID can be generated {MAX_GENERATIONS} times; the third one, {row['final_candidate']},"
                f" is yours.",
                "registrationToken",
                "myKeyId.generated_all",
                {"myKeyId": str(row["final_candidate"])},
            )
        candidate = await _fresh_candidate(sql)
        used += 1
        final = used == MAX_GENERATIONS
        counts: dict[str, object] = {"generated": used}
        if final:
            counts["final_candidate"] = candidate
        await _offer(sql, row["id"], _offered(row), candidate, **counts)
        return Generated(candidate, MAX_GENERATIONS - used, final)

    return await transaction(work)


async def check_my_key_id(token: str, candidate: str, now: datetime, address: str) -> Checked:
    validate_my_key_id(candidate, "candidate")
    await ratelimit.hit(ratelimit.CHECK_PER_ADDRESS, address, now)
    await ratelimit.hit(ratelimit.CHECK_PER_REGISTRATION, digest(token), now)

    async def work(sql: Sql) -> Checked:
        row = await _registration(sql, token, now)
        failed = int(str(row["failed_checks"]))
        if row["final_candidate"] is not None or failed >= MAX_FAILED_CHECKS:
            assigned = row["final_candidate"] or _offered(row)[-1]
            raise DomainError(
                ErrorCode.ATTEMPTS_EXHAUSTED,
                f"No more duplicate checks: {assigned} is ready for you.",
                "candidate",
                "myKeyId.checks_all",
                {"myKeyId": str(assigned)},
            )
        checks = int(str(row["checks"])) + 1
        if not await my_key_id_taken(sql, candidate):
            await _offer(sql, row["id"], _offered(row), candidate, checks=checks)
            return Checked(True, MAX_FAILED_CHECKS - failed, candidate)
        failed += 1
        if failed < MAX_FAILED_CHECKS:
            await sql.execute(
                "UPDATE registrations SET failed_checks = $2, checks = $3 WHERE id = $1",
                row["id"],
                failed,
                checks,
            )
            return Checked(False, MAX_FAILED_CHECKS - failed, None)
        generated = await _fresh_candidate(sql)
        await _offer(sql, row["id"], _offered(row), generated, failed_checks=failed, checks=checks)
        return Checked(False, 0, generated)

    return await transaction(work)


def _allowed(row: dict[str, object], my_key_id: str) -> None:
    final = row["final_candidate"]
    if final is not None and my_key_id != final:
        raise invalid(f"The third generated ID, {final}, is the one registered.", "myKeyId")
    if my_key_id not in _offered(row):
        raise invalid("Generate an ID or check your own candidate first.", "myKeyId")


async def bind_card(sql: Sql, resident_id: int, card: VerifiedCard, now: datetime) -> int:
    """Bind a verified card to a resident (its issuer, serial, fingerprint and validity; nothing else)."""
    card_id = await sql.fetchval(
        "INSERT INTO cards (resident_id, issuer, serial, fingerprint, not_before, not_after, bound_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        resident_id,
        card.issuer,
        card.serial,
        card.fingerprint,
        card.not_before,
        card.not_after,
        now,
    )
    return int(card_id)


def _registered_card(row: dict[str, object]) -> VerifiedCard:
    return VerifiedCard(
        issuer=str(row["issuer"]),
        serial=str(row["serial"]),
        fingerprint=str(row["fingerprint"]),
        not_before=as_datetime(row["not_before"]),
        not_after=as_datetime(row["not_after"]),
    )


async def complete_registration(form: RegistrationInput, now: datetime) -> Registered:
    validate_my_key_id(form.my_key_id)
    validate_password(form.password, form.password_confirmation)
    email = validate_email(form.email, form.email_confirmation, form.notifications)
    password_hash = await hash_password(form.password)

    async def work(sql: Sql) -> Registered:
        municipality_id = None
        if form.basic_municipality_code:
            municipality = await get_municipality_by_code(
                sql, form.basic_municipality_code, "basicMunicipalityCode"
            )
            municipality_id = municipality.id
        row = await _registration(sql, form.registration_token, now)
        _allowed(row, form.my_key_id)
        if await my_key_id_taken(sql, form.my_key_id):
            raise DomainError(
                ErrorCode.MYKEY_ID_TAKEN, "This MyKey ID was just taken. Choose another.", "myKeyId"
            )
        if await card_owner(sql, str(row["fingerprint"])) is not None:
            raise invalid(
                "This card already has a MyKey ID: sign in with the card.",
                "registrationToken",
                "card.registered",
            )
        n = form.notifications
        resident_id = int(
            await sql.fetchval(
                "INSERT INTO residents (my_key_id, password_hash, email, notify_points_granted,"
                " notify_points_expired, notify_password_changed, notify_my_key_id_changed,"
                " basic_municipality_id, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
                " 'ACTIVE', $9)"
                " RETURNING id",
                form.my_key_id,
                password_hash,
                email,
                n.points_granted,
                n.points_expired,
                n.password_changed,
                n.my_key_id_changed,
                municipality_id,
                now,
            )
        )
        card_id = await bind_card(sql, resident_id, _registered_card(row), now)
        await sql.execute("UPDATE registrations SET completed_at = $2 WHERE id = $1", row["id"], now)
        session = await open_session(sql, SubjectKind.RESIDENT, resident_id, now, card_id=card_id)
        if email and n.my_key_id_changed:
            await enqueue(sql, [notices.registered(email, resident_id, form.my_key_id)], now)
        return Registered(await get_resident(sql, resident_id), session)

    try:
        return await transaction(work)
    except IntegrityError as exc:  # a concurrent registration won the ID or the card
        if broke_unique(exc, "cards"):
            raise invalid(
                "This card already has a MyKey ID: sign in with the card.",
                "registrationToken",
                "card.registered",
            ) from exc
        if not broke_unique(exc, "residents"):
            raise
        raise DomainError(
            ErrorCode.MYKEY_ID_TAKEN, "This MyKey ID was just taken. Choose another.", "myKeyId"
        ) from exc
