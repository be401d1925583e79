"""What reaches SQL: instants in UTC on both databases; post-commit work runs once, after the commit."""

import asyncio
import logging
from datetime import UTC, timedelta

import pytest
from tortoise.exceptions import IntegrityError

from domain.clock import JST
from domain.sql import as_datetime, broke_unique, bulk_insert, reader, side_reader, transaction


async def test_an_instant_in_another_zone_compares_as_the_same_instant(db, clock):
    stored = clock.now()  # 12:00 JST, 03:00 UTC
    await transaction(
        lambda sql: sql.execute(
            "INSERT INTO rate_limit_windows (bucket, window_start, hits) VALUES ('probe', $1, 1)", stored
        )
    )
    an_hour_before_in_jst = (stored - timedelta(hours=1)).astimezone(JST)  # 11:00+09:00 as text sorts after
    found = await reader().fetchval(
        "SELECT COUNT(*) FROM rate_limit_windows WHERE window_start >= $1", an_hour_before_in_jst
    )
    assert found == 1
    later_in_jst = (stored + timedelta(minutes=1)).astimezone(JST)
    assert (
        await reader().fetchval(
            "SELECT COUNT(*) FROM rate_limit_windows WHERE window_start >= $1", later_in_jst
        )
        == 0
    )


async def test_a_failing_post_commit_callback_is_logged_and_the_write_stands(db, caplog):
    runs = []

    async def fails() -> None:
        raise ConnectionError("NOTIFY could not be sent")

    async def work(sql):
        runs.append(1)
        await sql.execute(
            "INSERT INTO rate_limit_windows (bucket, window_start, hits) VALUES ('cb', '2026-01-01', 1)"
        )
        sql.after_commit.append(fails)
        return "committed"

    with caplog.at_level(logging.ERROR, logger="mykey.sql"):
        assert await transaction(work) == "committed"
    assert runs == [1]  # the work was not run again
    assert await reader().fetchval("SELECT COUNT(*) FROM rate_limit_windows WHERE bucket = 'cb'") == 1
    assert "post-commit callback failed" in caplog.text


AUDIT_COLUMNS = (
    ("at", "timestamptz"),
    ("actor", "text"),
    ("municipality_id", "bigint"),
    ("action", "text"),
    ("subject", "text"),
)


async def test_a_bulk_insert_sends_a_value_shared_by_every_row_once_and_stores_every_row(db, clock):
    now = clock.now()
    rows = [(now, "operator:1", None, "probe", f"row {n}") for n in range(5)]  # 4 columns the same
    rows += [(now, "operator:1", None, "probe", "row 0")]  # a row twice: nothing arbitrates here

    async def insert(sql):
        return await bulk_insert(sql, "audit_events", AUDIT_COLUMNS, rows, returning="id, subject")

    returned = await transaction(insert)
    assert sorted(str(r["subject"]) for r in returned) == sorted(r[4] for r in rows)
    stored = await reader().fetch(
        "SELECT at, actor, municipality_id, action, subject FROM audit_events ORDER BY id"
    )
    assert [
        (as_datetime(r["at"]), r["actor"], r["municipality_id"], r["action"], r["subject"]) for r in stored
    ] == [(now.astimezone(UTC), *row[1:]) for row in rows]


async def test_a_bulk_insert_of_identical_rows_and_of_one_row(db, clock):
    now = clock.now()
    same = [(now, "operator:1", None, "probe", "again")] * 3  # every column the same in every row
    await transaction(lambda sql: bulk_insert(sql, "audit_events", AUDIT_COLUMNS, same))
    await transaction(lambda sql: bulk_insert(sql, "audit_events", AUDIT_COLUMNS, same[:1]))
    assert await reader().fetchval("SELECT COUNT(*) FROM audit_events WHERE subject = 'again'") == 4


async def test_rows_read_without_dicts_still_raise_the_integrity_error_callers_catch(db, clock):
    now = clock.now()
    columns = (("code", "text"), ("name", "text"), ("prefecture", "text"), ("kana", "text"))
    columns += (("created_at", "timestamptz"),)
    rows = [
        ("141305", "川崎市", "神奈川県", "カワサキシ", now),
        ("141305", "川崎市", "神奈川県", "カワサキシ", now),
    ]

    async def insert(sql):  # a municipality's code is unique
        return await bulk_insert(sql, "municipalities", columns, rows, returning="id")

    with pytest.raises(IntegrityError) as refused:
        await transaction(insert)
    assert broke_unique(refused.value, "municipalities")  # which table's unique index said no
    assert not broke_unique(refused.value, "exchanges")
    assert await reader().fetchval("SELECT COUNT(*) FROM municipalities") == 0
    with pytest.raises(IntegrityError) as dangling:  # a foreign key, not a unique index
        await transaction(
            lambda sql: sql.execute(
                "INSERT INTO programs (municipality_id, kind, name, validity_days, yen_per_point, uses,"
                " created_at) VALUES (999, 'REGULAR', 'p', 100, 1, 'SHOPS', $1)",
                now,
            )
        )
    assert not broke_unique(dangling.value, "programs")
    found = await reader().rows("SELECT 7 AS seven, 'x' AS letter")
    assert (found[0]["seven"], found[0]["letter"]) == (7, "x")


async def test_a_side_read_answers_from_the_last_commit_while_a_transaction_writes(db, clock):
    """A long grant's progress is read beside its write transaction: on SQLite, whose one connection
    the transaction holds, through a second connection to the same file; on PostgreSQL, the pool."""
    await reader().execute(
        "INSERT INTO rate_limit_windows (bucket, window_start, hits) VALUES ('side', $1, 1)", clock.now()
    )
    writing, release = asyncio.Event(), asyncio.Event()

    async def long_write(sql):  # type: ignore[no-untyped-def]
        await sql.execute("UPDATE rate_limit_windows SET hits = 2 WHERE bucket = 'side'")
        writing.set()
        await release.wait()

    grant = asyncio.create_task(transaction(long_write))
    try:
        await asyncio.wait_for(writing.wait(), 10)
        seen = await asyncio.wait_for(
            side_reader().fetchval("SELECT hits FROM rate_limit_windows WHERE bucket = 'side'"), 5
        )
    finally:
        release.set()
        await grant
    assert seen == 1  # the last commit, not the write in progress
    assert await side_reader().fetchval("SELECT hits FROM rate_limit_windows WHERE bucket = 'side'") == 2
