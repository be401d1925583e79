"""What reaches SQL: instants in UTC on both databases; post-commit work runs once, after the commit."""

import logging
from datetime import timedelta

from domain.clock import JST
from domain.sql import reader, transaction


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
