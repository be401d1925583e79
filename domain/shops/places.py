"""A shop as a place: where it is, when it is open, what it is, and how people find it.

Its municipality's admins (or the operator) enter it; the portal, the embeddable widget and the
open data show it. Every field is checked here, so a bad value is refused with the field to fix
and nothing changes.
"""

import math
import re
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from domain.audit.log import audit
from domain.auth.actor import Actor
from domain.auth.permissions import Permission, permit
from domain.errors import DomainError, ErrorCode
from domain.shops.access import access_shop_by_id
from domain.shops.search import katakana, search_key
from domain.sql import Sql, transaction

POSTAL = re.compile(r"^(\d{3})-?(\d{4})$")
PHONE = re.compile(r"^[0-9]{2,5}-?[0-9]{1,4}-?[0-9]{3,4}$")
# opening hours in schema.org's form, which the open data and JSON-LD can read: "Mo-Sa 10:00-19:00"
DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
HOURS = re.compile(rf"^({DAY}(?:-{DAY})?(?:,{DAY}(?:-{DAY})?)*) ([0-2]\d:[0-5]\d)-([0-2]\d:[0-5]\d)$")
KATAKANA = re.compile(r"^[゠-ヿ\s・ー0-9A-Za-z]*$")  # the reading: katakana (digits and latin allowed)


@dataclass(frozen=True)
class ShopPlace:
    """What the portal shows of a shop besides its name and category."""

    kana: str = ""
    postal_code: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    opening_hours: str = ""
    description: str = ""
    phone: str = ""
    url: str = ""
    scans_vouchers: bool = True


def opening_parts(hours: str) -> tuple[str, str, str] | None:
    """Days, opening and closing time of hours written like "Mo-Sa 10:00-19:00" (else None)."""
    found = HOURS.match(hours.strip())
    return None if found is None else (found[1], found[2], found[3])


def _bad(message: str, field: str, reason: str = "") -> DomainError:
    """A refused field; ``reason`` is ``place.<field>`` unless the rule has its own."""
    return DomainError(ErrorCode.INVALID_INPUT, message, field, reason or f"place.{field}")


def _text(value: str, limit: int, field: str, what: str) -> str:
    value = " ".join(value.split())
    if len(value) > limit:
        raise _bad(f"Keep the {what} to {limit} characters or fewer.", field, "place.long")
    return value


def check_place(place: ShopPlace) -> ShopPlace:
    """``place`` in its stored form (reading in katakana, 〒 with its hyphen), or the first problem."""
    kana = katakana(_text(place.kana, 100, "kana", "reading"))
    if not KATAKANA.match(kana):
        raise _bad("Write the reading in kana (ひらがな or カタカナ), e.g. カワサキショウテン.", "kana")
    postal = place.postal_code.strip().replace("〒", "").strip()
    if postal:
        found = POSTAL.match(postal.translate(str.maketrans("０１２３４５６７８９－", "0123456789-")))
        if found is None:
            raise _bad("Give the postal code as 7 digits, e.g. 211-0063.", "postalCode")
        postal = f"{found.group(1)}-{found.group(2)}"
    phone = place.phone.strip()
    if phone and not PHONE.match(phone):
        raise _bad("Give the phone number in digits with hyphens, e.g. 044-200-2111.", "phone")
    url = place.url.strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname or len(url) > 300:
            raise _bad("Give the shop's web address starting with https:// (300 characters at most).", "url")
    lat, lon = place.latitude, place.longitude
    if (lat is None) != (lon is None):
        missing = "latitude" if lat is None else "longitude"
        raise _bad("Give both latitude and longitude, or neither.", missing)
    if lat is not None and lon is not None:
        if not (math.isfinite(lat) and -90 <= lat <= 90):
            raise _bad("Latitude is between -90 and 90 (Kawasaki is about 35.53).", "latitude")
        if not (math.isfinite(lon) and -180 <= lon <= 180):
            raise _bad("Longitude is between -180 and 180 (Kawasaki is about 139.70).", "longitude")
        lat, lon = round(lat, 6), round(lon, 6)
    return replace(
        place,
        kana=kana,
        postal_code=postal,
        address=_text(place.address, 200, "address", "address"),
        latitude=lat,
        longitude=lon,
        opening_hours=_text(place.opening_hours, 200, "openingHours", "opening hours"),
        description=_text(place.description, 400, "description", "description"),
        phone=phone,
        url=url,
    )


async def refresh_search_key(sql: Sql, shop_id: int, now: datetime) -> None:
    """Write the shop's search key from its name, reading, address and municipality (and mark the
    open data changed)."""
    row = await sql.fetchrow(
        "SELECT s.name, s.kana, s.address, m.name AS town, m.kana AS town_kana FROM shops s"
        " JOIN municipalities m ON m.id = s.municipality_id WHERE s.id = $1",
        shop_id,
    )
    assert row is not None, "the caller found the shop"
    key = search_key(
        str(row["name"]), str(row["kana"]), str(row["address"]), str(row["town"]), str(row["town_kana"])
    )
    await sql.execute("UPDATE shops SET search_key = $2, updated_at = $3 WHERE id = $1", shop_id, key, now)


async def set_shop_place(actor: Actor | None, shop_id: int, place: ShopPlace, now: datetime) -> ShopPlace:
    """Set where and what a shop is (its municipality's admins, or the operator); audited."""
    permit(actor, Permission.MUNICIPALITY_ADMIN)
    checked = check_place(place)

    async def work(sql: Sql) -> ShopPlace:
        who, shop = await access_shop_by_id(actor, Permission.MUNICIPALITY_ADMIN, sql, shop_id)
        await sql.execute(
            "UPDATE shops SET kana = $2, postal_code = $3, address = $4, latitude = $5, longitude = $6,"
            " opening_hours = $7, description = $8, phone = $9, url = $10, scans_vouchers = $11"
            " WHERE id = $1",
            shop.id,
            checked.kana,
            checked.postal_code,
            checked.address,
            checked.latitude,
            checked.longitude,
            checked.opening_hours,
            checked.description,
            checked.phone,
            checked.url,
            checked.scans_vouchers,
        )
        await refresh_search_key(sql, shop.id, now)
        said = f"{shop.name}: {checked.address or '-'}"
        await audit(sql, who, "shop.place", said, shop.municipality_id, now)
        return checked

    return await transaction(work)
