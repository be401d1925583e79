"""A partner's coupon batches: issue, the one download of the codes, which were redeemed, void the rest.

Codes are 80 random bits and are kept as SHA-256 only. A batch issued through the API returns its
codes in the answer (shown once). A batch issued on the partner console is *sealed*: the codes are
encrypted (Fernet) with a key that goes to the issuing browser alone (a cookie) while the database
keeps the ciphertext — neither side can read them without the other — until the one download, which
erases the ciphertext by a guarded UPDATE; a seal not opened within :data:`DOWNLOAD_WINDOW` can no
longer be opened (void the batch and issue another). Voiding withdraws every unused coupon of a
batch; a coupon is redeemed or voided, never both (a guarded UPDATE each, and a CHECK).
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken

from domain.audit.log import audit
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.auth.tokens import digest
from domain.clock import JST
from domain.dates import sane_instant
from domain.errors import DomainError, ErrorCode
from domain.points.exchanges import new_code, normalise_code
from domain.sql import Sql, bulk_insert, transaction

MAX_COUPONS = 1_000
MAX_POINTS = 100_000
DOWNLOAD_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class IssuedBatch:
    batch_id: int
    codes: list[str]
    seal_key: str | None  # for a sealed batch: the key its download needs (the issuer's alone)


@dataclass(frozen=True)
class CouponBatchView:
    id: int
    count: int
    points: int
    expires_at: datetime
    created_at: datetime
    created_by: str
    downloaded_at: datetime | None
    voided_at: datetime | None
    sealed: bool  # the codes still wait for their one download
    redeemed: int
    voided: int

    def downloadable(self, now: datetime) -> bool:
        return self.sealed and self.voided_at is None and now < self.created_at + DOWNLOAD_WINDOW


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field)


async def issue_batch(
    actor: Actor | None,
    count: int,
    points: int,
    expires_at: datetime | None,
    now: datetime,
    sealed: bool = False,
) -> IssuedBatch:
    """``count`` codes worth ``points`` reserved points each. ``sealed``: keep them for one download
    (the console) instead of returning them now (the API)."""
    actor = permit(actor, Permission.PARTNER_COUPONS)
    if isinstance(count, bool) or not 1 <= count <= MAX_COUPONS:
        raise _invalid(f"Issue 1 to {MAX_COUPONS:,} coupons at a time.", "count")
    if isinstance(points, bool) or not 1 <= points <= MAX_POINTS:
        raise _invalid(f"A coupon is worth 1 to {MAX_POINTS:,} points.", "points")
    ends = sane_instant(expires_at, now, "expiresAt") if expires_at else now + timedelta(days=180)
    if not now < ends <= now + timedelta(days=366):
        raise _invalid("A coupon expires within a year.", "expiresAt")
    partner_id = actor.partner
    codes = [new_code() for _ in range(count)]
    key = Fernet.generate_key() if sealed else None
    ciphertext = (
        None
        if key is None
        else Fernet(key).encrypt_at_time("\n".join(codes).encode(), int(now.timestamp())).decode()
    )

    async def work(sql: Sql) -> int:
        batch_id = int(
            await sql.fetchval(
                "INSERT INTO coupon_batches (partner_id, count, points, expires_at, created_at, created_by,"
                " sealed_codes, downloaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                partner_id,
                count,
                points,
                ends,
                now,
                actor.label,
                ciphertext,
                None if sealed else now,
            )
        )
        await bulk_insert(
            sql,
            "coupons",
            (
                ("partner_id", "bigint"),
                ("batch_id", "bigint"),
                ("code_hash", "text"),
                ("points", "bigint"),
                ("expires_at", "timestamptz"),
                ("created_at", "timestamptz"),
            ),
            [(partner_id, batch_id, digest(normalise_code(c)), points, ends, now) for c in codes],
        )
        await audit(
            sql, actor, "coupons.issue", f"batch {batch_id}: {count} × {points} pt", None, now, partner_id
        )
        return batch_id

    batch_id = await transaction(work)
    return IssuedBatch(batch_id, [] if sealed else codes, None if key is None else key.decode())


_SELECT = (
    "SELECT b.id, b.count, b.points, b.expires_at, b.created_at, b.created_by, b.downloaded_at,"
    " b.voided_at, b.sealed_codes IS NOT NULL AS sealed,"
    " (SELECT COUNT(*) FROM coupons c WHERE c.batch_id = b.id AND c.redeemed_at IS NOT NULL) AS redeemed,"
    " (SELECT COUNT(*) FROM coupons c WHERE c.batch_id = b.id AND c.voided_at IS NOT NULL) AS voided"
    " FROM coupon_batches b"
)


async def list_batches(actor: Actor | None, sql: Sql, first: int = 100) -> list[CouponBatchView]:
    """The partner's batches, newest first, with how many of each were redeemed and voided."""
    actor = permit(actor, Permission.PARTNER_COUPONS)
    return await sql.fetch_as(
        CouponBatchView,
        f"{_SELECT} WHERE b.partner_id = $1 ORDER BY b.id DESC LIMIT $2",
        actor.partner,
        max(1, min(first, 500)),
    )


async def _own_batch(sql: Sql, partner_id: int | None, batch_id: int, lock: bool = False) -> CouponBatchView:
    """The partner's batch; ``lock``: hold its row to the transaction's end first (a racing download or
    void waits, then reads what the first one left)."""
    if lock:
        await sql.execute(f"SELECT id FROM coupon_batches WHERE id = $1{sql.for_update}", batch_id)
    found = await sql.fetchrow_as(
        CouponBatchView, f"{_SELECT} WHERE b.id = $1 AND b.partner_id = $2", batch_id, partner_id
    )
    if found is None:  # another partner's batch is as unknown as a missing one
        raise DomainError(ErrorCode.NOT_FOUND, "No batch of yours has this number.", "batchId")
    return found


async def download_batch(actor: Actor | None, batch_id: int, seal_key: str, now: datetime) -> bytes:
    """The batch's codes as CSV (UTF-8 with a BOM, CRLF), once: the seal is erased as it is opened."""
    actor = permit(actor, Permission.PARTNER_COUPONS)

    async def work(sql: Sql) -> bytes:
        batch = await _own_batch(sql, actor.partner, batch_id, lock=True)
        if batch.voided_at is not None:
            raise DomainError(
                ErrorCode.INVALID_INPUT, "This batch was voided: its codes are gone.", "batchId"
            )
        if not batch.sealed:
            raise DomainError(
                ErrorCode.ALREADY_REDEEMED,
                "This batch's codes were downloaded once already; they are not kept. If the file is"
                " lost, void the batch and issue another.",
                "batchId",
            )
        if not batch.downloadable(now):
            raise DomainError(
                ErrorCode.EXPIRED,
                "The download window (1 hour) is over: void this batch and issue another.",
                "batchId",
            )
        ciphertext = await sql.fetchval("SELECT sealed_codes FROM coupon_batches WHERE id = $1", batch_id)
        try:
            plain = Fernet(seal_key.encode()).decrypt_at_time(
                str(ciphertext).encode(), int(DOWNLOAD_WINDOW.total_seconds()), int(now.timestamp())
            )
        except (InvalidToken, ValueError) as exc:  # the seal stays for the browser that holds the key
            raise DomainError(
                ErrorCode.FORBIDDEN,
                "Download the codes in the browser that issued the batch (its key is kept there only).",
                "batchId",
            ) from exc
        opened = await sql.execute(
            "UPDATE coupon_batches SET sealed_codes = NULL, downloaded_at = $2"
            " WHERE id = $1 AND sealed_codes IS NOT NULL",
            batch_id,
            now,
        )
        if opened == 0:  # another download won the race
            raise DomainError(ErrorCode.ALREADY_REDEEMED, "This batch's codes were downloaded once already.")
        await audit(sql, actor, "coupons.download", f"batch {batch_id}", None, now, actor.partner)
        return codes_csv(plain.decode().split("\n"), batch.points, batch.expires_at)

    return await transaction(work)


def codes_csv(codes: list[str], points: int, expires_at: datetime) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["code", "points", "expires_at"])
    ends = expires_at.astimezone(JST).isoformat(timespec="seconds")
    writer.writerows([c, points, ends] for c in codes)
    return out.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class Voided:
    batch: CouponBatchView
    coupons: int  # withdrawn now


async def void_batch(actor: Actor | None, batch_id: int, now: datetime) -> Voided:
    """Withdraw a batch's unused coupons (those already redeemed stay redeemed); its seal goes too."""
    actor = permit(actor, Permission.PARTNER_COUPONS)

    async def work(sql: Sql) -> Voided:
        batch = await _own_batch(sql, actor.partner, batch_id, lock=True)
        if batch.voided_at is not None:
            raise DomainError(ErrorCode.INVALID_INPUT, "This batch is voided already.", "batchId")
        claimed = await sql.execute(
            "UPDATE coupon_batches SET voided_at = $2, sealed_codes = NULL"
            " WHERE id = $1 AND voided_at IS NULL",
            batch_id,
            now,
        )
        if claimed == 0:
            raise DomainError(ErrorCode.INVALID_INPUT, "This batch is voided already.", "batchId")
        withdrawn = await sql.execute(
            "UPDATE coupons SET voided_at = $2"
            " WHERE batch_id = $1 AND redeemed_at IS NULL AND voided_at IS NULL",
            batch_id,
            now,
        )
        await audit(
            sql, actor, "coupons.void", f"batch {batch_id}: {withdrawn} unused", None, now, actor.partner
        )
        return Voided(await _own_batch(sql, actor.partner, batch_id), int(withdrawn))

    return await transaction(work)
