"""The portal's shop search on PostgreSQL (``make bench``): a figure, not a test.

10,000 shops (BENCH_SHOPS) in two municipalities, each with a name, a reading and an address, the
search key written as the application writes it (``domain.shops.search.search_key``). Each query —
hiragana, katakana, half-width kana, kanji, two words, one municipality — runs through
``search_places`` (one page of 20 and the total count, as ``/shops`` and the ``shops`` query ask),
and the p50 and p99 of 200 runs are printed against the aim of 50 ms. The open data's full CSV of
the 10,000 shops is timed too. It creates and drops its own database (BENCH_PG: the server).
"""

import asyncio
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from tempfile import mkdtemp

import asyncpg

from api.database import close_database, migrate_database, open_database
from api.settings import Settings
from domain.shops.listing import PlaceSearch, all_places, search_places
from domain.shops.search import search_key
from domain.sql import reader

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
SHOPS = int(os.environ.get("BENCH_SHOPS", "10000"))
RUNS = 200
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
AREAS = [
    ("武蔵小杉", "ムサシコスギ"),
    ("元住吉", "モトスミヨシ"),
    ("新丸子", "シンマルコ"),
    ("溝の口", "ミゾノクチ"),
    ("登戸", "ノボリト"),
    ("川崎大師", "カワサキダイシ"),
    ("池袋", "イケブクロ"),
    ("大塚", "オオツカ"),
]
KINDS = [
    ("商店", "ショウテン"),
    ("食堂", "ショクドウ"),
    ("書店", "ショテン"),
    ("珈琲", "コーヒー"),
    ("薬局", "ヤッキョク"),
]
QUERIES = [
    ("hiragana", PlaceSearch(text="もとすみよし")),
    ("katakana", PlaceSearch(text="モトスミヨシ")),
    ("half-width kana", PlaceSearch(text="ﾓﾄｽﾐﾖｼ")),
    ("kanji", PlaceSearch(text="元住吉")),
    ("two words", PlaceSearch(text="もとすみよし しょくどう")),
    ("municipality + word", PlaceSearch(municipality_code="141305", text="こーひー")),
    ("nothing matches", PlaceSearch(text="存在しない店")),
    ("municipality only", PlaceSearch(municipality_code="131164")),
]


def _shops() -> list[tuple[object, ...]]:
    rows = []
    for n in range(1, SHOPS + 1):
        area, area_kana = AREAS[n % len(AREAS)]
        kind, kind_kana = KINDS[(n // len(AREAS)) % len(KINDS)]
        town, town_name, town_kana = (
            (2, "豊島区", "トシマク") if area in ("池袋", "大塚") else (1, "川崎市", "カワサキシ")
        )
        name, kana = f"{area}{kind} {n}号店", f"{area_kana}{kind_kana} {n}ゴウテン"
        address = f"{town_name}{area}{n % 9 + 1}-{n % 30 + 1}"
        key = search_key(name, kana, address, town_name, town_kana)
        rows.append((town, name, "SHOP", NOW, kana, address, key, NOW, 35.5 + n % 100 / 1000, 139.6))
    return rows


async def _seed(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    await conn.execute(
        "INSERT INTO municipalities (code, name, prefecture, kana, created_at) VALUES"
        " ('141305', '川崎市', '神奈川県', 'カワサキシ', $1), ('131164', '豊島区', '東京都', 'トシマク', $1)",
        NOW,
    )
    await conn.execute(
        "INSERT INTO programs (municipality_id, kind, name, validity_days, yen_per_point, uses, created_at)"
        " VALUES (1, 'REGULAR', '川崎市ポイント', 100, 1, 'SHOPS', $1), (2, 'REGULAR', '豊島区ポイント',"
        " 100, 1, 'SHOPS', $1)",
        NOW,
    )
    await conn.copy_records_to_table(
        "shops",
        records=_shops(),
        columns=[
            "municipality_id",
            "name",
            "category",
            "created_at",
            "kana",
            "address",
            "search_key",
            "updated_at",
            "latitude",
            "longitude",
        ],
    )
    await conn.execute(
        "INSERT INTO shop_programs (shop_id, program_id) SELECT id, municipality_id FROM shops"
    )
    await conn.execute("VACUUM ANALYZE")
    await conn.close()


async def _time(search: PlaceSearch) -> tuple[float, float, int]:
    times = []
    total = 0
    for _ in range(RUNS):
        started = time.perf_counter()
        found = await search_places(reader(), search, 20, 0)
        times.append((time.perf_counter() - started) * 1000)
        total = found.total
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], total


async def main() -> int:
    name = f"mykey_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{SERVER}/{name}"
    settings = Settings.from_env({"DATABASE_URL": dsn, "MYKEY_VAR_DIR": mkdtemp(prefix="mykey-bench-")})
    try:
        await migrate_database(settings)
        await _seed(dsn)
        await open_database(settings)
        print(f"Portal search: {SHOPS:,} shops (PostgreSQL), {RUNS} runs each, a page of 20 and the count")
        worst = 0.0
        for label, search in QUERIES:
            p50, p99, total = await _time(search)
            worst = max(worst, p99)
            print(f"  {label:<22} {total:>6,} found   p50 {p50:5.1f} ms   p99 {p99:5.1f} ms")
        print(f"  worst p99 {worst:.1f} ms (aim: < 50 ms)")
        same = {(await search_places(reader(), s, 20, 0)).total for _, s in QUERIES[:4]}
        assert len(same) == 1, "the kana forms found different shops"
        started = time.perf_counter()
        places = await all_places(reader())
        print(
            f"  the open data's {len(places):,} shops read in {(time.perf_counter() - started) * 1000:.0f} ms"
        )
    finally:
        await close_database()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
