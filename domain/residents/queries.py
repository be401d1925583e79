"""Reading residents."""

from dataclasses import dataclass
from datetime import datetime

from domain.residents.rules import Notifications
from domain.sql import Sql, as_datetime


@dataclass(frozen=True)
class ResidentView:
    id: int
    my_key_id: str
    email: str | None
    notifications: Notifications
    basic_municipality_id: int | None
    status: str
    card_valid_until: datetime | None


_SELECT = (
    "SELECT r.id, r.my_key_id, r.email, r.notify_points_granted, r.notify_points_expired,"
    " r.notify_password_changed, r.notify_my_key_id_changed, r.basic_municipality_id, r.status,"
    " c.not_after FROM residents r LEFT JOIN cards c ON c.resident_id = r.id AND c.unbound_at IS NULL"
)


def _view(row: dict[str, object]) -> ResidentView:
    return ResidentView(
        id=int(str(row["id"])),
        my_key_id=str(row["my_key_id"]),
        email=None if row["email"] is None else str(row["email"]),
        notifications=Notifications(
            bool(row["notify_points_granted"]),
            bool(row["notify_points_expired"]),
            bool(row["notify_password_changed"]),
            bool(row["notify_my_key_id_changed"]),
        ),
        basic_municipality_id=None
        if row["basic_municipality_id"] is None
        else int(str(row["basic_municipality_id"])),
        status=str(row["status"]),
        card_valid_until=None if row["not_after"] is None else as_datetime(row["not_after"]),
    )


async def get_resident(sql: Sql, resident_id: int) -> ResidentView:
    row = await sql.fetchrow(_SELECT + " WHERE r.id = $1", resident_id)
    assert row is not None, resident_id
    return _view(row)


async def list_residents_by_id(sql: Sql, ids: list[int]) -> dict[int, ResidentView]:
    rows = await sql.fetch(_SELECT + " WHERE " + sql.any_of("r.id", 1), sql.ids(ids))
    return {view.id: view for view in map(_view, rows)}


@dataclass(frozen=True)
class Credentials:
    """What signing in with a MyKey ID and password checks."""

    id: int
    password_hash: str
    status: str


async def find_resident_by_my_key_id(sql: Sql, my_key_id: str) -> Credentials | None:
    return await sql.fetchrow_as(
        Credentials, "SELECT id, password_hash, status FROM residents WHERE my_key_id = $1", my_key_id
    )


async def my_key_id_taken(sql: Sql, my_key_id: str) -> bool:
    return await sql.fetchval("SELECT 1 FROM residents WHERE my_key_id = $1", my_key_id) is not None
