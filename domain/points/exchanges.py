"""Partner exchanges (online linkage) and coupon codes (code linkage), both into reserved points.

An exchange converts the partner's points by the partner's rate (floored to whole yen; 1 reserved
point = 1 yen) and credits reserved points that move to the resident's basic municipality after 14
days unless moved (product.md §11). Each exchange is idempotent under (partner, idempotency key), and
the partner's own reference is unique per partner. Coupon codes are 80 random bits, stored as
SHA-256 only, redeemed once, and guessing is rate-limited per resident and per address.
"""

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError

from domain.auth import ratelimit
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.auth.tokens import digest
from domain.clock import japan_date
from domain.errors import DomainError, ErrorCode
from domain.events import Event, publish
from domain.ledger.idempotency import RequestFields, check_key, idempotent
from domain.ledger.journal import Funder, Leg, post_entry
from domain.ledger.rules import expiry_instant
from domain.notifications.outbox import enqueue, opted_in, points_granted
from domain.partners.webhooks import queue_notice
from domain.points import accounts
from domain.points.reserved import check_move_target, into_program, move_kind
from domain.programs.queries import get_program
from domain.sql import Sql, as_datetime, broke_unique, reader, transaction
from models.ledger import FunderKind
from models.programs import ProgramKind

RESERVED_DAYS = 14
MAX_PARTNER_POINTS = 10_000_000
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols: 16 of them carry 80 bits
MAX_COUPONS = 1_000


@dataclass(frozen=True)
class ExchangeInput:
    my_key_id: str | None
    partner_points: int
    external_ref: str
    idempotency_key: str
    partner_customer_id: str | None = None  # the number the resident linked with the partner (ID連携)
    program_id: int | None = None  # a support event to give the points to straight away (seed 002)


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field)


NO_CONSENT = (
    "A partner credits only a resident who consented: send the partnerCustomerId the resident linked"
    " with you on My Page (ID連携), or use the exchange widget."
)


async def _consenting(
    sql: Sql, partner_id: int, form: ExchangeInput, now: datetime
) -> tuple[int, int | None]:
    """The resident who linked ``partnerCustomerId`` with this partner (and whose link is current);
    a bare MyKey ID is no consent. A MyKey ID sent as well must be that resident's."""
    if not form.partner_customer_id:
        raise DomainError(ErrorCode.FORBIDDEN, NO_CONSENT, "partnerCustomerId", "exchange.consent")
    row = await sql.fetchrow(
        "SELECT r.id, r.my_key_id, r.basic_municipality_id FROM service_links l"
        " JOIN partners p ON p.service_id = l.service_id JOIN residents r ON r.id = l.resident_id"
        " WHERE p.id = $1 AND l.customer_id = $2 AND r.status = 'ACTIVE'"
        " AND (l.valid_until IS NULL OR l.valid_until >= $3)",
        partner_id,
        form.partner_customer_id,
        japan_date(now),
    )
    if row is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "No resident has linked this customer number with you (or the link was removed).",
            "partnerCustomerId",
        )
    if form.my_key_id and form.my_key_id.upper() != str(row["my_key_id"]):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "This MyKey ID is not the one linked to this customer number.",
            "myKeyId",
        )
    basic = row["basic_municipality_id"]
    return int(row["id"]), None if basic is None else int(basic)


def _need_basic(basic: int | None) -> None:
    if basic is None:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "Set a basic municipality first: reserved points need one to go to.",
            "myKeyId",
        )


async def _credit_reserved(
    sql: Sql,
    kind: str,
    actor: str,
    partner_id: int,
    resident_id: int,
    points: int,
    now: datetime,
    memo: str,
    key: str | None,
) -> int:
    source = await accounts.open_partner(sql, partner_id, now)
    reserved = await accounts.open_reserved(sql, resident_id, now)
    leg = Leg(
        source,
        reserved,
        points,
        Funder(FunderKind.PARTNER, str(partner_id)),
        expiry_instant(now, RESERVED_DAYS),
    )
    entry = await post_entry(sql, kind=kind, actor=actor, now=now, legs=[leg], memo=memo, idempotency_key=key)
    await publish(sql, Event(f"resident:{resident_id}", kind, {"points": points}))
    wanting = await opted_in(sql, [resident_id], "notify_points_granted")
    if resident_id in wanting:
        await enqueue(
            sql,
            [points_granted(wanting[resident_id], resident_id, entry.id, points, memo, "留保ポイント")],
            now,
        )
    return entry.id


@dataclass(frozen=True)
class ExchangeDone:
    """A completed exchange, as the partner is told (and told again on a replay)."""

    id: int
    partner_points: int
    yen: int
    points: int
    status: str
    external_ref: str
    created_at: datetime


@dataclass(frozen=True)
class CouponRedeemed:
    points: int
    partner: str


async def exchange_quote(partner_id: int, partner_points: int) -> tuple[str, int]:
    """The partner's name and what ``partner_points`` of it are worth in yen (floored)."""
    if isinstance(partner_points, bool) or not 1 <= partner_points <= MAX_PARTNER_POINTS:
        raise _invalid(f"Partner points are 1 to {MAX_PARTNER_POINTS:,}.", "partnerPoints")
    partner = await reader().fetchrow(
        "SELECT name, rate_points, rate_yen FROM partners WHERE id = $1", partner_id
    )
    if partner is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such partner.", "clientId")
    yen = partner_points * int(partner["rate_yen"]) // int(partner["rate_points"])
    if yen < 1:
        raise _invalid("These partner points are worth less than one yen.", "partnerPoints")
    return str(partner["name"]), yen


Resident = Callable[[Sql], Awaitable[tuple[int, int | None]]]  # the consenting resident, and their town


async def _exchange(
    partner_id: int, label: str, form: ExchangeInput, resident: Resident, now: datetime
) -> ExchangeDone:
    """One exchange for the resident ``resident`` finds, idempotent under (partner, key)."""
    check_key(form.idempotency_key)
    if not 1 <= len(form.external_ref) <= 100 or not form.external_ref.isprintable():
        raise _invalid("The reference is 1–100 printable characters.", "externalRef")
    name, yen = await exchange_quote(partner_id, form.partner_points)
    request: RequestFields = {
        "myKeyId": form.my_key_id or "",
        "partnerCustomerId": form.partner_customer_id or "",
        "programId": form.program_id or 0,
        "partnerPoints": form.partner_points,
        "externalRef": form.external_ref,
    }

    async def work(sql: Sql) -> ExchangeDone:
        resident_id, basic = await resident(sql)
        event = None
        if (
            form.program_id is not None
        ):  # 直接ポイント交換: straight into a running support event (held or given)
            event = await get_program(sql, form.program_id)
            if event.kind is not ProgramKind.SUPPORT_EVENT:
                raise _invalid("Only a support event takes an exchange directly.", "programId")
            check_move_target(event, now)
        else:
            _need_basic(basic)
        memo = f"{name} ポイント交換 ({form.external_ref})"
        entry_id = await _credit_reserved(
            sql, "EXCHANGE", label, partner_id, resident_id, yen, now, memo, form.idempotency_key
        )
        exchange_id = await sql.fetchval(
            "INSERT INTO exchanges (partner_id, resident_id, partner_points, yen, points, external_ref,"
            " status,"
            " entry_id, created_at) VALUES ($1, $2, $3, $4, $4, $5, 'COMPLETED', $6, $7) RETURNING id",
            partner_id,
            resident_id,
            form.partner_points,
            yen,
            form.external_ref,
            entry_id,
            now,
        )
        if event is not None:
            await into_program(sql, resident_id, event, yen, now, label, move_kind(event))
        notice: dict[str, str | int] = {
            "id": str(exchange_id),
            "externalRef": form.external_ref,
            "partnerPoints": form.partner_points,
            "yen": yen,
            "points": yen,
            "status": "COMPLETED",
            "createdAt": now.isoformat(),
        }
        await queue_notice(sql, partner_id, "exchange.completed", notice, now)
        return ExchangeDone(
            int(exchange_id), form.partner_points, yen, yen, "COMPLETED", form.external_ref, now
        )

    try:
        return await idempotent(
            actor=label, key=form.idempotency_key, request=request, now=now, work=work, answer=ExchangeDone
        )
    except IntegrityError as exc:  # the reference was used by another request of this partner
        if not broke_unique(exc, "exchanges"):
            raise  # any other constraint failing is a fault, not a reused reference
        raise DomainError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "This reference was already used for another order.",
            "externalRef",
        ) from exc


async def exchange_points(actor: Actor | None, form: ExchangeInput, now: datetime) -> ExchangeDone:
    """A partner's server credits a resident who linked a customer number with it (ID連携)."""
    actor = permit(actor, Permission.PARTNER_EXCHANGE)

    async def consenting(sql: Sql) -> tuple[int, int | None]:
        return await _consenting(sql, actor.id, form, now)

    # an unknown customer number counts against the partner: nobody may probe them, unlimited
    await ratelimit.ensure_below(reader(), ratelimit.PARTNER_UNKNOWN_IDS, str(actor.id), now)
    try:
        return await _exchange(actor.id, actor.label, form, consenting, now)
    except DomainError as exc:
        if exc.code is ErrorCode.NOT_FOUND and exc.field == "partnerCustomerId":
            await ratelimit.record_failure(ratelimit.PARTNER_UNKNOWN_IDS, str(actor.id), now)
        raise


async def exchange_authorized(
    partner_id: int, resident_id: int, form: ExchangeInput, now: datetime
) -> ExchangeDone:
    """The exchange a resident confirmed in the widget (its authorization code is the consent)."""

    async def authorizing(sql: Sql) -> tuple[int, int | None]:
        row = await sql.fetchrow(
            "SELECT basic_municipality_id FROM residents WHERE id = $1 AND status = 'ACTIVE'", resident_id
        )
        if row is None:
            raise DomainError(ErrorCode.FORBIDDEN, "This MyKey ID is suspended.", "code")
        basic = row["basic_municipality_id"]
        return resident_id, None if basic is None else int(basic)

    return await _exchange(partner_id, f"partner:{partner_id}", form, authorizing, now)


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_code(code: str) -> str:
    return code.upper().replace("-", "").replace(" ", "")


async def redeem_coupon(actor: Actor | None, code: str, now: datetime, address: str) -> CouponRedeemed:
    actor = permit(actor, Permission.RESIDENT)
    await ratelimit.hit(ratelimit.COUPON_PER_ADDRESS, address, now)
    await ratelimit.ensure_below(reader(), ratelimit.COUPON_FAILURES, str(actor.id), now)
    code_hash = digest(normalise_code(code))

    async def work(sql: Sql) -> CouponRedeemed:
        row = await sql.fetchrow("SELECT basic_municipality_id FROM residents WHERE id = $1", actor.id)
        _need_basic(None if row is None else row["basic_municipality_id"])
        taken = await sql.fetchrow(
            "UPDATE coupons SET redeemed_at = $2, resident_id = $3 WHERE code_hash = $1 AND redeemed_at"
            " IS NULL AND voided_at IS NULL AND expires_at > $2 RETURNING id, partner_id, points",
            code_hash,
            now,
            actor.id,
        )
        if taken is None:
            raise await _why_not(sql, code_hash)
        name = await sql.fetchval("SELECT name FROM partners WHERE id = $1", taken["partner_id"])
        entry_id = await _credit_reserved(
            sql,
            "COUPON",
            actor.label,
            int(taken["partner_id"]),
            actor.id,
            int(taken["points"]),
            now,
            f"{name} クーポン",
            None,
        )
        await sql.execute("UPDATE coupons SET entry_id = $2 WHERE id = $1", taken["id"], entry_id)
        return CouponRedeemed(int(taken["points"]), str(name))

    try:
        return await transaction(work)
    except DomainError as error:
        if error.code in {ErrorCode.NOT_FOUND, ErrorCode.ALREADY_REDEEMED, ErrorCode.EXPIRED}:
            await ratelimit.record_failure(ratelimit.COUPON_FAILURES, str(actor.id), now)
        raise


async def _why_not(sql: Sql, code_hash: str) -> DomainError:
    row = await sql.fetchrow(
        "SELECT redeemed_at, voided_at, expires_at FROM coupons WHERE code_hash = $1", code_hash
    )
    if row is None:
        return DomainError(ErrorCode.NOT_FOUND, "No coupon has this code. Check it and try again.", "code")
    if row["redeemed_at"] is not None:
        return DomainError(ErrorCode.ALREADY_REDEEMED, "This coupon has already been used.", "code")
    if row["voided_at"] is not None:
        return DomainError(ErrorCode.EXPIRED, "The partner withdrew this coupon: ask them about it.", "code")
    return DomainError(
        ErrorCode.EXPIRED, f"This coupon expired on {as_datetime(row['expires_at']).date()}.", "code"
    )
