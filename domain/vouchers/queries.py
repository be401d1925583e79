"""Reading vouchers."""

from dataclasses import dataclass
from datetime import datetime

from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.sql import Sql, as_record


@dataclass(frozen=True)
class VoucherView:
    id: int
    serial: str
    program_id: int
    face_value: int
    source: str
    resident_id: int | None
    status: str
    issued_at: datetime
    expires_at: datetime


_COLUMNS = "id, serial, program_id, face_value, source, resident_id, status, issued_at, expires_at"


def _view(row: dict[str, object]) -> VoucherView:
    return as_record(VoucherView, row)


async def get_voucher_by_serial(sql: Sql, serial: str) -> VoucherView | None:
    row = await sql.fetchrow(f"SELECT {_COLUMNS} FROM vouchers WHERE serial = $1", serial)
    return None if row is None else _view(row)


async def list_vouchers_by_resident(sql: Sql, resident_id: int) -> list[VoucherView]:
    """A resident's vouchers, newest first (at most 100); for the resident's own pages."""
    rows = await sql.fetch(
        f"SELECT {_COLUMNS} FROM vouchers WHERE resident_id = $1 ORDER BY id DESC LIMIT 100", resident_id
    )
    return [_view(row) for row in rows]


@dataclass(frozen=True)
class VoucherAtShop:
    voucher: VoucherView
    accepted: bool  # the shop accepts the voucher's program
    shop_name: str


# the voucher, whether the shop ($2) takes its program, and the shop's name: one round trip
VOUCHER_AT_SHOP = (
    f"SELECT {_COLUMNS}, EXISTS (SELECT 1 FROM shop_programs p WHERE p.shop_id = $2"
    " AND p.program_id = v.program_id) AS accepted, (SELECT name FROM shops WHERE id = $2) AS shop_name"
    " FROM vouchers v WHERE serial = $1"
)


async def voucher_at_shop(sql: Sql, serial: str, shop_id: int) -> VoucherAtShop | None:
    """The voucher, whether ``shop_id`` takes its program, and the shop's name: one round trip."""
    row = await sql.fetchrow(VOUCHER_AT_SHOP, serial, shop_id)
    if row is None:
        return None
    return VoucherAtShop(_view(row), bool(row["accepted"]), str(row["shop_name"]))


@dataclass(frozen=True)
class ShopRedemption:
    serial: str
    face_value: int
    at: datetime


async def list_shop_redemptions(sql: Sql, actor: Actor | None, since: datetime) -> list[ShopRedemption]:
    """The caller's shop's redemptions since ``since`` (shop staff only), newest first."""
    actor = permit(actor, Permission.SHOP_STAFF)
    rows = await sql.fetch(
        "SELECT v.serial, v.face_value, r.created_at AS at FROM voucher_redemptions r"
        " JOIN vouchers v ON v.id = r.voucher_id WHERE r.shop_id = $1 AND r.created_at >= $2"
        " ORDER BY r.id DESC",
        actor.shop_id,
        since,
    )
    return [as_record(ShopRedemption, r) for r in rows]


@dataclass(frozen=True)
class RedemptionView:
    shop_name: str
    redeemed_at: datetime


async def get_redemption(sql: Sql, voucher_id: int) -> RedemptionView | None:
    """Where and when the voucher was redeemed (a redeemed voucher has exactly one redemption)."""
    return await sql.fetchrow_as(
        RedemptionView,
        "SELECT s.name AS shop_name, r.created_at AS redeemed_at FROM voucher_redemptions r"
        " JOIN shops s ON s.id = r.shop_id WHERE r.voucher_id = $1 ORDER BY r.id LIMIT 1",
        voucher_id,
    )


@dataclass(frozen=True)
class WhereAccepted:
    """The program a voucher is of, and the shops that take it (a few names and how many)."""

    program_name: str
    municipality_name: str
    municipality_code: str
    shops: int
    names: tuple[str, ...]


async def where_accepted(sql: Sql, program_id: int, show: int = 5) -> WhereAccepted:
    row = await sql.fetchrow(
        "SELECT g.name AS program_name, m.name AS municipality_name, m.code AS municipality_code,"
        " (SELECT COUNT(*) FROM shop_programs p WHERE p.program_id = g.id) AS shops"
        " FROM programs g JOIN municipalities m ON m.id = g.municipality_id WHERE g.id = $1",
        program_id,
    )
    assert row is not None, "a voucher's program exists (a foreign key)"
    names = await sql.fetch(
        "SELECT s.name FROM shop_programs p JOIN shops s ON s.id = p.shop_id WHERE p.program_id = $1"
        " ORDER BY s.id LIMIT $2",
        program_id,
        show,
    )
    return WhereAccepted(
        str(row["program_name"]),
        str(row["municipality_name"]),
        str(row["municipality_code"]),
        int(row["shops"]),
        tuple(str(r["name"]) for r in names),
    )
