"""Open data: where points can be used, for anyone to reuse under CC BY 4.0.

* ``/open-data/shops.csv`` — UTF-8 with BOM, CRLF, a header row. The shared columns carry the names
  of the Digital Agency's standard municipal data sets (自治体標準オープンデータセット: 全国地方公共団体
  コード, 名称, 名称_カナ, 所在地_連結表記, 緯度, 経度…); no standard set is "shops that accept
  points", so ours follow (カテゴリ, 利用可能ポイント, QR読取対応).
* ``/open-data/shops.json`` — the same, with English keys, the licence and when it last changed.
* ``/open-data/shops.geojson`` — an RFC 7946 FeatureCollection of the shops that have a position
  (coordinates ``[longitude, latitude]``).

``?municipality=CODE`` narrows each to one municipality. Every answer has ``Last-Modified`` (the
newest change to a listed shop), answers ``If-Modified-Since`` with 304, and names its licence in a
``Link: rel="license"`` header. ``/open-data`` is the page that describes them.
"""

import csv
import io
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from domain.errors import DomainError
from domain.municipalities.queries import get_municipality_by_code
from domain.programs.queries import ProgramView
from domain.shops.listing import Place, all_places, places_changed_at
from domain.shops.places import opening_parts
from domain.sql import reader
from web.components import data_table
from web.i18n import Text, language
from web.layout import SITE, page
from web.portal import program_names

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
DAYS_JA = {"Mo": "月", "Tu": "火", "We": "水", "Th": "木", "Fr": "金", "Sa": "土", "Su": "日"}
CSV_COLUMNS = (
    "全国地方公共団体コード",
    "ID",
    "地方公共団体名",
    "名称",
    "名称_カナ",
    "所在地_連結表記",
    "所在地_都道府県",
    "所在地_市区町村",
    "郵便番号",
    "緯度",
    "経度",
    "電話番号",
    "利用可能曜日",
    "開始時間",
    "終了時間",
    "利用可能日時特記事項",
    "説明",
    "URL",
    "カテゴリ",
    "利用可能ポイント",
    "QR読取対応",
)


def _days_ja(days: str) -> str:
    for code, name in DAYS_JA.items():
        days = days.replace(code, name)
    return days.replace("-", "～").replace(",", "・")


def _accepts(place: Place, programs: dict[int, ProgramView]) -> list[dict[str, str]]:
    return [{"id": str(p), "name": programs[p].name} for p in place.program_ids if p in programs]


def csv_row(place: Place, programs: dict[int, ProgramView]) -> list[str]:
    hours = opening_parts(place.opening_hours)
    return [
        place.municipality_code,
        str(place.id),
        place.municipality_name,
        place.name,
        place.kana,
        place.address,
        place.prefecture,
        place.municipality_name,
        place.postal_code,
        "" if place.latitude is None else f"{place.latitude:.6f}",
        "" if place.longitude is None else f"{place.longitude:.6f}",
        place.phone,
        _days_ja(hours[0]) if hours else "",
        hours[1] if hours else "",
        hours[2] if hours else "",
        "" if hours else place.opening_hours,
        place.description,
        place.url,
        place.category,
        ";".join(a["name"] for a in _accepts(place, programs)),
        "1" if place.scans_vouchers else "0",
    ]


def json_shop(place: Place, programs: dict[int, ProgramView], base: str) -> dict[str, Any]:
    return {
        "id": str(place.id),
        "municipalityCode": place.municipality_code,
        "municipalityName": place.municipality_name,
        "prefecture": place.prefecture,
        "name": place.name,
        "kana": place.kana,
        "category": place.category,
        "postalCode": place.postal_code,
        "address": place.address,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "openingHours": place.opening_hours,
        "description": place.description,
        "phone": place.phone,
        "url": place.url,
        "scansVouchers": place.scans_vouchers,
        "programs": _accepts(place, programs),
        "page": f"{base}shops/{place.id}",
    }


@dataclass(frozen=True)
class Listing:
    places: list[Place]
    programs: dict[int, ProgramView]
    changed: datetime | None


Render = Callable[[Request, Listing], Response]


def _headers(response: Response, changed: datetime | None, name: str) -> Response:
    if changed is not None:
        response.headers["last-modified"] = format_datetime(changed.astimezone(UTC), usegmt=True)
    response.headers["link"] = f'<{LICENCE_URL}>; rel="license"'
    response.headers["cache-control"] = "public, max-age=300"
    response.headers["content-disposition"] = f'inline; filename="{name}"'
    response.headers["access-control-allow-origin"] = "*"  # public data: any site may fetch it
    return response


def _unchanged(request: Request, changed: datetime | None) -> bool:
    asked = request.headers.get("if-modified-since", "")
    if changed is None or not asked:
        return False
    try:
        since = parsedate_to_datetime(asked)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return changed.replace(microsecond=0) <= since


def endpoint(name: str, render: Render) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        code = request.query_params.get("municipality", "").strip()
        sql = reader()
        if code:
            try:
                await get_municipality_by_code(sql, code, "municipality")
            except DomainError as error:
                body = {
                    "error": {"code": error.code.value, "field": "municipality", "message": error.message}
                }
                return JSONResponse(body, status_code=404 if error.code.value == "NOT_FOUND" else 400)
        changed = await places_changed_at(sql, code)
        if _unchanged(request, changed):
            return _headers(Response(status_code=304), changed, name)
        places = await all_places(sql, code)
        listing = Listing(places, await program_names(sql, places), changed)
        return _headers(render(request, listing), changed, name)

    return serve


def _csv(request: Request, listing: Listing) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_row(p, listing.programs) for p in listing.places)
    return Response(("\ufeff" + out.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8")


def _about(listing: Listing) -> dict[str, Any]:
    return {
        "license": LICENCE,
        "licenseUrl": LICENCE_URL,
        "attribution": SITE.operator,
        "lastModified": None if listing.changed is None else listing.changed.astimezone(UTC).isoformat(),
    }


def _json(request: Request, listing: Listing) -> Response:
    base = str(request.base_url)
    body = _about(listing) | {
        "count": len(listing.places),
        "shops": [json_shop(p, listing.programs, base) for p in listing.places],
    }
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")


def _geojson(request: Request, listing: Listing) -> Response:
    base = str(request.base_url)
    features = []
    for place in listing.places:
        if place.latitude is None or place.longitude is None:
            continue
        properties = json_shop(place, listing.programs, base)
        features.append(
            {
                "type": "Feature",
                "id": str(place.id),
                "geometry": {"type": "Point", "coordinates": [place.longitude, place.latitude]},
                "properties": {k: v for k, v in properties.items() if k not in ("latitude", "longitude")},
            }
        )
    body = {"type": "FeatureCollection", "features": features} | _about(listing)
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/geo+json")


shops_csv = endpoint("shops.csv", _csv)
shops_json = endpoint("shops.json", _json)
shops_geojson = endpoint("shops.geojson", _geojson)


async def about(request: Request) -> HTMLResponse:
    """``/open-data``: what the files hold, their licence, and their columns."""
    text = Text(language(request))
    files = "".join(
        f'<li><a href="/open-data/shops.{kind}">shops.{kind}</a> — {escape(text(f"opendata.{kind}"))}</li>'
        for kind in ("csv", "json", "geojson")
    )
    columns = data_table(text("opendata.columns"), (text("opendata.column"),), [(c,) for c in CSV_COLUMNS], 1)
    body = (
        f"<h1>{escape(text('opendata.title'))}</h1><p>{escape(text('opendata.lead'))}</p>"
        f'<ul class="plain">{files}</ul>'
        f"<h2>{escape(text('opendata.licence'))}</h2>"
        f"<p>{escape(text('opendata.licence_text', operator=SITE.operator))}</p>"
        f'<p><a href="{LICENCE_URL}" rel="license">{LICENCE}</a></p>'
        f"<p>{escape(text('opendata.filter'))}</p>"
        f"<h2>{escape(text('opendata.columns'))}</h2>{columns}"
    )
    return page(text, text("opendata.title"), body)
