"""A fault planted inside an action's transaction: a row that another table's unique index refuses
(a municipality twice), to show the action does not mistake it for the race it answers."""

from typing import Any


async def break_another_unique(sql: Any, *args: Any) -> None:
    await sql.execute(
        "INSERT INTO municipalities (code, name, prefecture, kana, created_at)"
        " SELECT code, name, prefecture, kana, created_at FROM municipalities LIMIT 1"
    )
