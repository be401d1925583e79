"""Exactly-once answers for externally triggered writes.

The key is claimed with ``INSERT … ON CONFLICT DO NOTHING`` in the same transaction as the effect,
under a UNIQUE (actor, key) index:

* first request: the claim inserts, the work runs, the answer is stored, all in one commit;
* same key, same request: the stored answer comes back and nothing runs again;
* same key, another request: IDEMPOTENCY_CONFLICT;
* a request still in flight: PostgreSQL makes the second claim wait on the first one's row and
  then answers as above; it never runs the work twice;
* a request refused by validation rolls back its claim, so the corrected request goes through.
"""

import dataclasses
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import TypeVar

from domain.errors import DomainError, ErrorCode
from domain.ledger.errors import idempotency_conflict
from domain.ledger.rules import request_hash
from domain.sql import Sql, as_record, transaction

# what identifies a request beside its key: a few plain fields (a grant's rows are [MyKey ID, points])
RequestFields = Mapping[str, int | str | list[list[int | str]]]
A = TypeVar("A")  # an action's answer: a frozen dataclass of ints, strings, datetimes, enums


def _to_json(answer: object) -> str:
    def plain(value: object) -> object:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, Enum):
            return value.value
        return value

    fields = dataclasses.asdict(answer)  # type: ignore[call-overload]
    return json.dumps({name: plain(value) for name, value in fields.items()}, sort_keys=True)


def _from_json(answer: type[A], text: str) -> A:
    # answers stored before the answers were dataclasses spelled their keys in camelCase
    stored = {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): v for k, v in json.loads(text).items()}
    return as_record(answer, stored)


def check_key(key: str) -> None:
    if not isinstance(key, str) or not 8 <= len(key) <= 200 or not key.isprintable():
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "An idempotency key is 8 to 200 printable characters.",
            field="idempotencyKey",
        )


async def idempotent(
    *,
    actor: str,
    key: str,
    request: RequestFields,
    now: datetime,
    work: Callable[[Sql], Awaitable[A]],
    answer: type[A],
) -> A:
    """Run ``work`` once per (actor, key) and remember its answer (an ``answer`` dataclass, stored as
    JSON) in the same transaction; a replay gets the same ``answer`` back."""
    check_key(key)
    fingerprint = request_hash(request)

    async def once(sql: Sql) -> A:
        claimed = await sql.fetchval(
            "INSERT INTO idempotency_records (actor, key, request_hash, response, created_at)"
            " VALUES ($1, $2, $3, '', $4) ON CONFLICT (actor, key) DO NOTHING RETURNING id",
            actor,
            key,
            fingerprint,
            now,
        )
        if claimed is None:
            return await _replay(sql, actor, key, fingerprint, answer)
        done = await work(sql)
        await sql.execute(
            "UPDATE idempotency_records SET response = $2 WHERE id = $1", claimed, _to_json(done)
        )
        return done

    return await transaction(once)


async def _replay(sql: Sql, actor: str, key: str, fingerprint: str, answer: type[A]) -> A:
    row = await sql.fetchrow(
        "SELECT request_hash, response FROM idempotency_records WHERE actor = $1 AND key = $2",
        actor,
        key,
    )
    if row is None:
        return replayed(fingerprint, None, None, answer)
    return replayed(fingerprint, str(row["request_hash"]), str(row["response"]), answer)


def replayed(fingerprint: str, stored_hash: str | None, response: str | None, answer: type[A]) -> A:
    """The answer stored under a key claimed before (``response``, made for ``stored_hash``), for a
    request whose hash is ``fingerprint``: the same answer, a conflict, or "still in progress"."""
    if stored_hash is not None and stored_hash != fingerprint:
        raise idempotency_conflict()
    if not response:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "The earlier request with this key is still in progress; retry.",
            field="idempotencyKey",
        )
    return _from_json(answer, response)
