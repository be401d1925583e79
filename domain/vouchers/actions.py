"""Issuing, redeeming and expiring point vouchers (ポイント券).

* ``issue_voucher``: a resident (card session) pays the face value from a regular program's points
  (earliest expiry first); a PRINT terminal prints one from its municipality's budget. The value
  waits in the voucher's own account; the voucher expires 30 days after issue, or when the earliest
  points it holds would have, whichever comes first.
* ``redeem_voucher``: shop staff or a PAY terminal of a shop that accepts the program, before expiry.
  One guarded UPDATE flips ISSUED → REDEEMED and a UNIQUE redemption row backs it, so of any number
  of concurrent scans exactly one succeeds; the others learn when and where it was redeemed. On
  PostgreSQL the flip, the move and the redemption row are one statement (``mk_redeem_voucher``),
  run without BEGIN/COMMIT: the voucher is read before it, and the flip's guard decides.
* ``expire_vouchers`` (daily job): an unused resident voucher's value returns to the resident's
  program as a new lot (vouchers are issued from regular programs only, which always run); a budget
  voucher's value returns to the municipality's budget.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from domain.auth.access import require_current_card_session
from domain.auth.actor import Actor, Role
from domain.auth.permissions import Permission, permit
from domain.clock import Clock
from domain.errors import DomainError, ErrorCode
from domain.events import Event, publish
from domain.ledger.accounts import get_account
from domain.ledger.journal import Funder, Leg, post_entry
from domain.ledger.rules import expiry_instant
from domain.municipalities.queries import list_municipalities_by_id
from domain.points import accounts
from domain.programs.access import access_program_by_id
from domain.programs.queries import ProgramView, get_program
from domain.shops.access import access_shop_by_actor
from domain.sql import Sql, as_datetime, autocommit, broke_unique, reader, transaction
from domain.vouchers.access import voucher_text
from domain.vouchers.queries import VoucherView, get_voucher_by_serial, voucher_at_shop
from domain.vouchers.tokens import VoucherKey, new_serial, spoken
from models.ledger import FunderKind
from models.programs import ProgramKind

VOUCHER_DAYS = 30
MAX_FACE_VALUE = 100_000
EPSILON = timedelta(microseconds=1)


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, field)


def _check_program(program: ProgramView) -> None:
    if program.kind is not ProgramKind.REGULAR and not program.held:
        raise DomainError(
            ErrorCode.NOT_ACCEPTED_HERE,
            "Vouchers are issued from regular programs and held support events.",
            "programId",
        )


async def _earliest_expiry(sql: Sql, account_id: int, amount: int, now: datetime) -> datetime | None:
    """When the earliest of the lots that would pay ``amount`` (FIFO) expires; None if too few points."""
    rows = await sql.fetch(
        "SELECT remaining, expires_at FROM lots WHERE account_id = $1 AND remaining > 0 AND expires_at > $2"
        " ORDER BY expires_at, created_at, id",
        account_id,
        now,
    )
    if sum(int(r["remaining"]) for r in rows) < amount:
        return None
    return as_datetime(rows[0]["expires_at"])


async def _insert(
    sql: Sql,
    program: ProgramView,
    face_value: int,
    source: str,
    resident_id: int | None,
    actor: Actor,
    now: datetime,
    expires_at: datetime,
) -> int:
    for _ in range(5):
        serial = new_serial()
        if await sql.fetchval("SELECT 1 FROM vouchers WHERE serial = $1", serial) is None:
            break
    voucher_id = await sql.fetchval(
        "INSERT INTO vouchers (serial, program_id, face_value, source, resident_id, issued_by, status,"
        " issued_at,"
        " expires_at) VALUES ($1, $2, $3, $4, $5, $6, 'ISSUED', $7, $8) RETURNING id",
        serial,
        program.id,
        face_value,
        source,
        resident_id,
        actor.label,
        now,
        expires_at,
    )
    return int(voucher_id)


async def issue_voucher(actor: Actor | None, program_id: int, face_value: int, now: datetime) -> VoucherView:
    actor = permit(actor, Permission.VOUCHER_ISSUE)
    if actor.role is Role.TERMINAL:
        return await _print_voucher(actor, program_id, face_value, now)
    actor = await require_current_card_session(actor, now)
    if isinstance(face_value, bool) or not 1 <= face_value <= MAX_FACE_VALUE:
        raise _invalid(f"A voucher is worth 1 to {MAX_FACE_VALUE:,} points.", "faceValue")

    async def work(sql: Sql) -> VoucherView:
        program = await get_program(sql, program_id)
        _check_program(program)
        source = await accounts.open_program(sql, actor.id, program.id, now)
        await sql.fetch(f"SELECT id FROM accounts WHERE id = $1{sql.for_update}", source.id)
        earliest = await _earliest_expiry(sql, source.id, face_value, now)
        if earliest is None:
            raise DomainError(
                ErrorCode.INSUFFICIENT_POINTS, "Not enough points in this program.", "faceValue"
            )
        expires_at = min(expiry_instant(now, VOUCHER_DAYS), earliest)
        voucher_id = await _insert(sql, program, face_value, "RESIDENT", actor.id, actor, now, expires_at)
        dest = await accounts.open_voucher(sql, voucher_id, now)
        leg = Leg(source, dest, face_value, expires_at=expires_at)
        await post_entry(
            sql, kind="VOUCHER_ISSUE", actor=actor.label, now=now, legs=[leg], memo="ポイント券の発行"
        )
        await publish(sql, Event(f"resident:{actor.id}", "VOUCHER_ISSUE", {"points": -face_value}))
        return await _issued(sql, voucher_id)

    return await transaction(work)


async def _issued(sql: Sql, voucher_id: int) -> VoucherView:
    serial = str(await sql.fetchval("SELECT serial FROM vouchers WHERE id = $1", voucher_id))
    voucher = await get_voucher_by_serial(sql, serial)
    assert voucher is not None
    return voucher


async def _print_voucher(actor: Actor, program_id: int, face_value: int, now: datetime) -> VoucherView:
    if isinstance(face_value, bool) or not 1 <= face_value <= MAX_FACE_VALUE:
        raise _invalid(f"A voucher is worth 1 to {MAX_FACE_VALUE:,} points.", "faceValue")

    async def work(sql: Sql) -> VoucherView:
        _, program = await access_program_by_id(actor, Permission.VOUCHER_ISSUE, sql, program_id)
        _check_program(program)
        municipality = (await list_municipalities_by_id(sql, [program.municipality_id]))[
            program.municipality_id
        ]
        expires_at = expiry_instant(now, VOUCHER_DAYS)
        voucher_id = await _insert(sql, program, face_value, "BUDGET", None, actor, now, expires_at)
        budget = await accounts.open_budget(sql, municipality, now)
        dest = await accounts.open_voucher(sql, voucher_id, now)
        leg = Leg(budget, dest, face_value, Funder(FunderKind.MUNICIPALITY, municipality.code), expires_at)
        await post_entry(
            sql, kind="VOUCHER_PRINT", actor=actor.label, now=now, legs=[leg], memo="ポイント券の印刷"
        )
        return await _issued(sql, voucher_id)

    return await transaction(work)


@dataclass(frozen=True)
class Redemption:
    voucher: VoucherView
    shop_id: int
    shop_name: str
    redeemed_at: datetime


async def _refusal(sql: Sql, serial: str, now: datetime) -> DomainError:
    """Why the guarded UPDATE took nothing, from the voucher as it is now (another scan may have won)."""
    voucher = await get_voucher_by_serial(sql, serial)
    assert voucher is not None
    if voucher.status == "REDEEMED":
        row = await sql.fetchrow(
            "SELECT r.created_at, s.name FROM voucher_redemptions r JOIN shops s ON s.id = r.shop_id"
            " WHERE r.voucher_id = $1",
            voucher.id,
        )
        when, where = (as_datetime(row["created_at"]), str(row["name"])) if row else (now, "?")
        return DomainError(
            ErrorCode.ALREADY_REDEEMED,
            f"Already used on {when.isoformat(timespec='seconds')} at {where}.",
            "token",
            "voucher.used",
            {"at": when.isoformat(timespec="seconds"), "shop": where},
        )
    if voucher.status == "VOID":
        return DomainError(ErrorCode.NOT_FOUND, "This voucher was cancelled.", "token")
    return DomainError(
        ErrorCode.EXPIRED,
        f"This voucher expired on {voucher.expires_at.date()}.",
        "token",
        "voucher.expired",
        {"at": voucher.expires_at.isoformat(timespec="seconds")},
    )


REDEEM_IN_SERVER = "SELECT mk_redeem_voucher($1, $2, $3, $4, $5, $6)"


async def _redeem_in_server(
    sql: Sql, voucher: VoucherView, shop_id: int, actor: str, memo: str, now: datetime
) -> None:
    """On PostgreSQL: the flip, the move and the redemption row in one call of ``mk_redeem_voucher``
    (migration 0018). It answers -1 when the shard's account is not open yet (opened here, once)."""
    shard = accounts.any_shard()
    entry_id = await sql.fetchval(REDEEM_IN_SERVER, voucher.id, shop_id, shard, actor, memo, now)
    if entry_id == -1:
        await accounts.open_shop(sql, shop_id, now, shard)
        entry_id = await sql.fetchval(REDEEM_IN_SERVER, voucher.id, shop_id, shard, actor, memo, now)
    if entry_id is None:
        raise await _refusal(sql, voucher.serial, now)


async def _redeem(sql: Sql, voucher: VoucherView, shop_id: int, actor: str, memo: str, now: datetime) -> None:
    """On SQLite: the guarded flip, the move into one of the shop's accounts, the redemption row."""
    taken = await sql.execute(
        "UPDATE vouchers SET status = 'REDEEMED', closed_at = $2 WHERE id = $1 AND status = 'ISSUED'"
        " AND expires_at > $2",
        voucher.id,
        now,
    )
    if taken != 1:
        raise await _refusal(sql, voucher.serial, now)
    source = await get_account(sql, accounts.voucher(voucher.id))
    assert source is not None, "a voucher's account opens when it is issued"
    shop = await accounts.open_shop(sql, shop_id, now)
    entry = await post_entry(
        sql, kind="REDEEM", actor=actor, now=now, legs=[Leg(source, shop, voucher.face_value)], memo=memo
    )
    await sql.execute(
        "INSERT INTO voucher_redemptions (voucher_id, shop_id, actor, kind, entry_id, created_at)"
        " VALUES ($1, $2, $3, 'REDEEM', $4, $5)",
        voucher.id,
        shop_id,
        actor,
        entry.id,
        now,
    )


async def redeem_voucher(actor: Actor | None, text: str, key: VoucherKey, now: datetime) -> Redemption:
    """Redeem the voucher whose token, QR text or typed code is ``text`` at the caller's shop,
    exactly once."""
    actor, shop_id = access_shop_by_actor(actor, Permission.VOUCHER_REDEEM)
    named = voucher_text(text)

    async def work(sql: Sql) -> Redemption:
        found = await voucher_at_shop(sql, named.serial, shop_id)
        _, voucher = named.names(key, None if found is None else found.voucher)
        assert found is not None  # names() refuses a voucher that is not there
        if not found.accepted:
            raise DomainError(
                ErrorCode.NOT_ACCEPTED_HERE, "This shop does not take this program's vouchers.", "token"
            )
        memo = f"{found.shop_name} でポイント券を利用"
        if sql.postgres:
            await _redeem_in_server(sql, voucher, shop_id, actor.label, memo, now)
        else:
            await _redeem(sql, voucher, shop_id, actor.label, memo, now)
        data: dict[str, int | str] = {
            "serial": spoken(voucher.serial),
            "faceValue": voucher.face_value,
            "shop": found.shop_name,
            "at": now.isoformat(),
        }
        await publish(sql, Event(f"shop:{shop_id}", "VOUCHER_REDEEMED", data))
        if voucher.resident_id is not None:
            await publish(sql, Event(f"resident:{voucher.resident_id}", "VOUCHER_REDEEMED", data))
        redeemed = replace(voucher, status="REDEEMED")
        return Redemption(redeemed, shop_id, found.shop_name, now)

    try:  # on PostgreSQL the only write is one statement (mk_redeem_voucher): no BEGIN/COMMIT
        return await autocommit(work)
    except IntegrityError as exc:  # the UNIQUE redemption row: another scan won at the last moment
        if not broke_unique(exc, "voucher_redemptions"):
            raise  # any other constraint failing is a fault, not a used voucher
        raise DomainError(ErrorCode.ALREADY_REDEEMED, "Already used.", "token") from exc


async def _expire_one(voucher_id: int, now: datetime) -> int:
    async def work(sql: Sql) -> int:
        row = await sql.fetchrow(
            "UPDATE vouchers SET status = 'EXPIRED', closed_at = $2 WHERE id = $1 AND status = 'ISSUED'"
            " AND expires_at <= $2 RETURNING id, program_id, face_value, source, resident_id, expires_at",
            voucher_id,
            now,
        )
        if row is None:
            return 0
        program = await get_program(sql, int(row["program_id"]))
        source = await accounts.open_voucher(sql, voucher_id, now)
        value = int(row["face_value"])
        if row["resident_id"] is not None:
            resident = int(row["resident_id"])
            dest = await accounts.open_program(sql, resident, program.id, now)
            leg = Leg(source, dest, value, expires_at=expiry_instant(now, program.validity_days))
            memo = "使われなかったポイント券の払い戻し"
            await publish(sql, Event(f"resident:{resident}", "VOUCHER_RETURNED", {"points": value}))
        else:
            municipality = (await list_municipalities_by_id(sql, [program.municipality_id]))[
                program.municipality_id
            ]
            leg = Leg(source, await accounts.open_budget(sql, municipality, now), value)
            memo = "使われなかったポイント券（予算へ戻す）"
        as_of = as_datetime(row["expires_at"]) - EPSILON
        await post_entry(
            sql,
            kind="VOUCHER_EXPIRE",
            actor="system:vouchers",
            now=now,
            legs=[leg],
            memo=memo,
            lots_as_of=as_of,
        )
        return value

    return await transaction(work)


@dataclass
class VoucherExpiry:
    vouchers: int = 0
    points: int = 0


async def expire_vouchers(clock: Clock, batch: int = 500) -> VoucherExpiry:
    """Close every issued voucher past its expiry, one per transaction (re-runs find none twice)."""
    now = clock.now()
    report = VoucherExpiry()
    while True:
        due = await reader().fetch(
            "SELECT id FROM vouchers WHERE status = 'ISSUED' AND expires_at <= $1 ORDER BY id LIMIT $2",
            now,
            batch,
        )
        for row in due:
            value = await _expire_one(int(row["id"]), now)
            if value:
                report.vouchers += 1
                report.points += value
        if len(due) < batch:
            return report
