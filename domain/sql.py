"""One way to write SQL for both databases, and transactions that retry what the database asks to.

Money paths are written as plain SQL with ``$1``-style parameters (asyncpg's own spelling). On SQLite
they become ``?1`` (SQLite's numbered parameters), so one statement text serves both databases. The
few real differences (row locks, id lists) are spelled by :class:`Sql` helpers.

Transactions come from Tortoise (``in_transaction``), so the ORM and the raw statements share one
connection and one commit. A transaction that PostgreSQL aborts with a serialization failure
(40001) or a deadlock (40P01), or that finds SQLite busy, is run again from the start, a bounded
number of times.
"""

import asyncio
import dataclasses
import json
import logging
import random
import re
import types
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base_postgres.client import translate_exceptions
from tortoise.exceptions import ConfigurationError, OperationalError
from tortoise.transactions import in_transaction

T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger("mykey.sql")

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
MAX_ATTEMPTS = 8
_PLACEHOLDER = re.compile(r"\$(\d+)")
_SQLITE_TEXTS: dict[str, str] = {}  # statement texts are few and fixed: translate each once


@translate_exceptions
async def _records(client: BaseDBAsyncClient, query: str, params: list[Any]) -> Sequence[Mapping[str, Any]]:
    """asyncpg's rows as it returns them, its errors translated as Tortoise translates them
    (IntegrityError, OperationalError), so callers catch the same exceptions either way."""
    async with client.acquire_connection() as connection:
        return await connection.fetch(query, *params)  # type: ignore[no-any-return]


class Sql:
    """A connection (usually a transaction) with helpers that hide the SQL dialect."""

    def __init__(self, client: BaseDBAsyncClient) -> None:
        self.client = client
        self.postgres = client.capabilities.dialect == "postgres"
        # run by transaction() once the commit succeeded (never after a rollback)
        self.after_commit: list[Callable[[], Awaitable[None]]] = []

    def _text(self, query: str) -> str:
        if self.postgres:
            return query
        text = _SQLITE_TEXTS.get(query)
        if text is None:
            text = _PLACEHOLDER.sub(r"?\1", query)
            if len(_SQLITE_TEXTS) < 512:  # bulk inserts vary in length: keep the cache bounded
                _SQLITE_TEXTS[query] = text
        return text

    def _params(self, params: tuple[Any, ...]) -> list[Any]:
        """SQLite stores a datetime as its text, offset included: every instant reaches SQL in UTC,
        so that text comparisons order instants correctly (a JST instant would sort 9 hours off)."""
        if self.postgres:
            return list(params)
        return [p.astimezone(UTC) if isinstance(p, datetime) and p.tzinfo else p for p in params]

    async def fetch(self, query: str, *params: Any) -> list[dict[str, Any]]:
        return await self.client.execute_query_dict(self._text(query), self._params(params))

    async def rows(self, query: str, *params: Any) -> Sequence[Mapping[str, Any]]:
        """The rows, read by column name only. On PostgreSQL they are asyncpg's records as they
        come: no dict is made of each (a bulk grant reads back 100,000 accounts and lots)."""
        if self.postgres:
            return await _records(self.client, query, list(params))  # type: ignore[no-any-return]
        return await self.fetch(query, *params)

    async def fetchrow(self, query: str, *params: Any) -> dict[str, Any] | None:
        rows = await self.fetch(query, *params)
        return rows[0] if rows else None

    async def fetchval(self, query: str, *params: Any) -> Any:
        row = await self.fetchrow(query, *params)
        return None if row is None else next(iter(row.values()))

    async def fetch_as(self, record: type[R], query: str, *params: Any) -> list[R]:
        """The rows as ``record``s: a dataclass whose fields are named like the columns (see
        :func:`as_record`). This is how rows leave this module typed."""
        return [as_record(record, row) for row in await self.rows(query, *params)]

    async def fetchrow_as(self, record: type[R], query: str, *params: Any) -> R | None:
        row = await self.fetchrow(query, *params)
        return None if row is None else as_record(record, row)

    async def fetchint(self, query: str, *params: Any) -> int:
        """The first column of the first row as an int; 0 when there is no row or it is NULL (a SUM
        over nothing)."""
        value = await self.fetchval(query, *params)
        return 0 if value is None else int(value)

    async def fetchints(self, query: str, *params: Any) -> list[int]:
        """The first column of every row, as ints."""
        return [int(next(iter(row.values()))) for row in await self.fetch(query, *params)]

    async def execute(self, query: str, *params: Any) -> int:
        """Run a statement and return the number of rows it changed."""
        count, _ = await self.client.execute_query(self._text(query), self._params(params))
        return count

    @property
    def for_update(self) -> str:
        """Row-lock suffix. SQLite has none: Tortoise gives its one connection to one transaction."""
        return " FOR UPDATE" if self.postgres else ""

    def any_of(self, column: str, n: int) -> str:
        """``column`` is one of the ids in parameter ``$n`` (pass the ids through :meth:`ids`)."""
        if self.postgres:
            return f"{column} = ANY(${n}::bigint[])"
        return f"{column} IN (SELECT value FROM json_each(${n}))"

    def ids(self, values: Sequence[int]) -> Any:
        return list(values) if self.postgres else json.dumps(list(values))

    def any_text(self, column: str, n: int) -> str:
        """``column`` is one of the strings in parameter ``$n`` (pass them through :meth:`texts`)."""
        if self.postgres:
            return f"{column} = ANY(${n}::text[])"
        return f"{column} IN (SELECT value FROM json_each(${n}))"

    def texts(self, values: Sequence[str]) -> Any:
        return list(values) if self.postgres else json.dumps(list(values))


def as_datetime(value: object) -> datetime:
    """A timestamp column read back through raw SQL (SQLite hands back text)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    parsed = datetime.fromisoformat(str(value))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def as_date(value: object) -> date:
    """A DATE column read back through raw SQL (SQLite hands back text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_int(value: object) -> int:
    if isinstance(value, bool | int | Decimal | float | str):
        return int(value)
    raise TypeError(f"{value!r} is not an integer")


def _as_float(value: object) -> float:
    assert isinstance(value, (int, float)), f"not a number: {value!r}"
    return float(value)


def _converter(hint: object) -> Callable[[object], object]:
    if get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint):
        inner = _converter(next(a for a in get_args(hint) if a is not type(None)))
        return lambda v: None if v is None else inner(v)
    if hint is datetime:
        return as_datetime
    if hint is date:
        return as_date
    if hint is bool:
        return bool
    if hint is int:
        return _as_int
    if hint is float:
        return _as_float
    if hint is str:
        return str
    if isinstance(hint, type) and issubclass(hint, Enum):
        return lambda v: hint(v)
    raise TypeError(f"no column conversion to {hint!r}")


@cache
def _converters(record: type) -> tuple[tuple[str, Callable[[object], object]], ...]:
    hints = get_type_hints(record)
    return tuple((f.name, _converter(hints[f.name])) for f in dataclasses.fields(record) if f.init)


def as_record(record: type[R], row: Mapping[str, object]) -> R:
    """``row`` as a ``record`` (a dataclass): each field takes the column of its name, converted to
    its type (int, str, bool, datetime and date in UTC, enums, and optional ones of these), so the
    same record comes back from PostgreSQL and from SQLite."""
    converters: tuple[tuple[str, Callable[[object], object]], ...] = _converters(record)  # type: ignore[arg-type]
    return record(**{name: convert(row[name]) for name, convert in converters})


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it was raised from, outermost first (Tortoise wraps the driver's error)."""
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__


def raised(exc: BaseException, sqlstate: str) -> str | None:
    """The DETAIL of the database error with ``sqlstate`` behind ``exc`` (a function's own RAISE),
    or None when ``exc`` is something else."""
    for seen in _causes(exc):
        if getattr(seen, "sqlstate", None) == sqlstate:
            return str(getattr(seen, "detail", "") or "")
    return None


def broke_unique(exc: BaseException, table: str) -> bool:
    """Whether ``exc`` is a unique index of ``table`` refusing a row. PostgreSQL names the table
    (asyncpg's ``table_name``); SQLite names it in its message ("UNIQUE constraint failed:
    voucher_redemptions.voucher_id"). An action that answers a race with a refusal ("already used")
    checks this first: another constraint failing is a fault, not that refusal."""
    for seen in _causes(exc):
        if getattr(seen, "sqlstate", None) == "23505":
            return getattr(seen, "table_name", None) == table
        if str(seen).startswith(f"UNIQUE constraint failed: {table}."):
            return True
    return False


def is_retryable(exc: BaseException) -> bool:
    return any(
        getattr(seen, "sqlstate", None) in RETRYABLE_SQLSTATES
        or (isinstance(seen, OperationalError) and "database is locked" in str(seen))
        for seen in _causes(exc)
    )


async def transaction(work: Callable[[Sql], Awaitable[T]], connection: str = "default") -> T:
    """Run ``work`` in one transaction, again from the start if the database asks for a retry.

    The callbacks registered in ``sql.after_commit`` run once the commit succeeded, outside the retry
    loop: the write has happened, so a failing callback (a NOTIFY, a live event) is logged, never
    reported as a failure of the write, and never runs the work again."""

    async def once() -> tuple[T, Sql]:
        async with in_transaction(connection) as client:
            sql = Sql(client)
            return await work(sql), sql

    return await _retried(once)


async def autocommit(work: Callable[[Sql], Awaitable[T]], connection: str = "default") -> T:
    """Run ``work`` with each statement its own transaction (no BEGIN/COMMIT round trips), again
    from the start if the database asks for a retry; then ``sql.after_commit``.

    Only for work whose one write is a single statement (a server function such as
    ``mk_redeem_voucher``): everything before it is a read, and the statement's own guard decides.
    On SQLite, in-process with no round trips to save, the work runs in a transaction."""
    if connections.get(connection).capabilities.dialect != "postgres":
        return await transaction(work, connection)

    async def once() -> tuple[T, Sql]:
        sql = Sql(connections.get(connection))
        return await work(sql), sql

    return await _retried(once)


async def _retried(once: Callable[[], Awaitable[tuple[T, Sql]]]) -> T:
    """``once()`` until it succeeds or fails for a reason a retry cannot mend (bounded, jittered
    backoff); then the successful attempt's ``after_commit`` callbacks."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            result, sql = await once()
            break
        except Exception as exc:
            if attempt == MAX_ATTEMPTS or not is_retryable(exc):
                raise
            await asyncio.sleep(random.uniform(0, 0.005 * 2**attempt))
    else:  # pragma: no cover - the loop either breaks or raises
        raise AssertionError("unreachable")
    for callback in sql.after_commit:
        try:
            await callback()
        except Exception:
            log.exception("a post-commit callback failed; the transaction itself committed")
    return result


def placeholders(rows: int, columns: int, start: int = 1) -> str:
    """``($1, $2), ($3, $4)`` for a multi-row VALUES list."""
    groups = []
    for r in range(rows):
        first = start + r * columns
        groups.append("(" + ", ".join(f"${first + c}" for c in range(columns)) + ")")
    return ", ".join(groups)


async def bulk_insert(
    sql: Sql,
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    returning: str = "",
    on_conflict: str = "",
) -> Sequence[Mapping[str, Any]]:
    """Insert many rows at once; ``columns`` are (name, PostgreSQL array element type) pairs.

    PostgreSQL gets one ``INSERT … SELECT FROM unnest(…)`` with one array per column; SQLite gets
    multi-row VALUES lists in chunks under its parameter limit. The order of returned rows is not
    guaranteed: return a column that identifies each row. ``on_conflict`` is the text after
    ``ON CONFLICT`` (e.g. ``(code) DO NOTHING``).
    """
    if not rows:
        return []
    names = ", ".join(name for name, _ in columns)
    tail = (f" ON CONFLICT {on_conflict}" if on_conflict else "") + (
        f" RETURNING {returning}" if returning else ""
    )
    if sql.postgres:
        query, params = _unnest_insert(table, names, columns, rows, tail)
        if returning:
            return await sql.rows(query, *params)
        await sql.execute(query, *params)
        return []
    found: list[Mapping[str, Any]] = []
    per_chunk = max(1, 30000 // len(columns))
    for start in range(0, len(rows), per_chunk):
        chunk = rows[start : start + per_chunk]
        flat = [value for row in chunk for value in row]
        query = f"INSERT INTO {table} ({names}) VALUES {placeholders(len(chunk), len(columns))}{tail}"
        if returning:
            found += await sql.rows(query, *flat)
        else:
            await sql.execute(query, *flat)
    return found


def _unnest_insert(
    table: str, names: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]], tail: str
) -> tuple[str, list[Any]]:
    """``INSERT … SELECT … FROM unnest(…)``: one array per column whose values vary, one scalar
    parameter for a column with the same value in every row (a grant's program, its instant, the
    owner columns left NULL). asyncpg encodes an array element by element, so a 100,000-row grant
    sends 3 arrays instead of 14 for its accounts."""
    selected, arrays, params = [], [], []
    values = [[row[i] for row in rows] for i in range(len(columns))]
    varying = [len(rows) == 1 or column.count(column[0]) != len(column) for column in values]
    if not any(varying):
        varying[0] = True  # unnest gives the rows: it needs one array
    for i, (_, kind) in enumerate(columns):
        params.append(values[i] if varying[i] else values[i][0])
        if varying[i]:
            arrays.append(f"${i + 1}::{kind}[]")
            selected.append(f"u.c{i}")
        else:
            selected.append(f"${i + 1}::{kind}")
    aliases = ", ".join(f"c{i}" for i in range(len(columns)) if varying[i])
    query = (
        f"INSERT INTO {table} ({names}) SELECT {', '.join(selected)}"
        f" FROM unnest({', '.join(arrays)}) AS u({aliases}){tail}"
    )
    return query, params


COPY_THRESHOLD = 2_000


async def copy_rows(
    sql: Sql, table: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert many rows with PostgreSQL's COPY (its fastest bulk path) inside the current transaction;
    small batches and SQLite go through :func:`bulk_insert`."""
    if not sql.postgres or len(rows) < COPY_THRESHOLD:
        await bulk_insert(sql, table, columns, rows)
        return
    # Tortoise's asyncpg transaction keeps its connection here; COPY must run on that connection
    connection = sql.client._connection
    await connection.copy_records_to_table(table, records=rows, columns=[name for name, _ in columns])


def reader(connection: str = "default") -> Sql:
    """A connection for reads outside any transaction."""
    return Sql(connections.get(connection))


SIDE_CONNECTION = "side"


def side_reader() -> Sql:
    """Reads that must not wait for someone else's write transaction (a long grant's progress, the
    session of the officer who asks for it). On SQLite every statement goes through one connection,
    which a transaction holds until it commits: a second connection to the same file (named
    :data:`SIDE_CONNECTION`, configured for file databases) reads the last commit meanwhile, as WAL
    lets it. PostgreSQL's pool has no such wait, nor does an in-memory SQLite database have a second
    connection: both read through :func:`reader`."""
    try:
        return Sql(connections.get(SIDE_CONNECTION))
    except ConfigurationError:
        return reader()
