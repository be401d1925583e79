"""Idempotency keys: a replay returns the stored answer, another payload is refused."""

import asyncio
from dataclasses import dataclass
from datetime import datetime

import pytest

from domain.errors import DomainError, ErrorCode
from domain.ledger.idempotency import idempotent
from domain.ledger.journal import Leg, post_entry


@dataclass(frozen=True)
class Spent:
    entry: int
    amount: int
    at: datetime


@dataclass(frozen=True)
class Ok:
    ok: bool


def _spend(books, resident, shop, amount, key):
    async def work(sql):
        entry = await post_entry(
            sql,
            kind="SPEND",
            actor="terminal:1",
            now=books.clock.now(),
            legs=[Leg(resident, shop, amount)],
            idempotency_key=key,
        )
        return Spent(entry.id, amount, books.clock.now())

    return idempotent(
        actor="terminal:1",
        key=key,
        request={"amount": amount},
        now=books.clock.now(),
        work=work,
        answer=Spent,
    )


async def _setup(books):
    return await books.resident_and_shop(1000)


async def test_a_replayed_key_returns_the_first_answer_and_moves_nothing_more(books):
    resident, shop = await _setup(books)
    first = await _spend(books, resident, shop, 300, "key-00000001")
    again = await _spend(books, resident, shop, 300, "key-00000001")
    assert again == first  # the same dataclass, its datetime included, read back from the stored JSON
    assert again.at.tzinfo is not None
    assert await books.balance(resident) == 700


async def test_the_same_key_with_another_request_is_an_idempotency_conflict(books):
    resident, shop = await _setup(books)
    await _spend(books, resident, shop, 300, "key-00000001")
    with pytest.raises(DomainError) as refused:
        await _spend(books, resident, shop, 400, "key-00000001")
    assert refused.value.code is ErrorCode.IDEMPOTENCY_CONFLICT
    assert await books.balance(resident) == 700


async def test_a_refused_request_is_not_remembered_so_the_corrected_one_goes_through(books):
    resident, shop = await _setup(books)
    with pytest.raises(DomainError) as refused:
        await _spend(books, resident, shop, 5000, "key-00000002")
    assert refused.value.code is ErrorCode.INSUFFICIENT_POINTS
    await _spend(books, resident, shop, 500, "key-00000002")
    assert await books.balance(resident) == 500


@pytest.mark.parametrize("key", ["short", "x" * 201, "tab\there-ok?"])
async def test_a_malformed_key_is_invalid_input(books, key):
    resident, shop = await _setup(books)
    with pytest.raises(DomainError) as refused:
        await _spend(books, resident, shop, 1, key)
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_INPUT, "idempotencyKey")


async def test_keys_are_per_actor(books):
    resident, shop = await _setup(books)
    await _spend(books, resident, shop, 100, "key-00000003")

    async def work(sql):
        return Ok(True)

    answer = await idempotent(
        actor="terminal:2", key="key-00000003", request={}, now=books.clock.now(), work=work, answer=Ok
    )
    assert answer == Ok(True)


@pytest.mark.postgres_only
async def test_concurrent_requests_with_one_key_execute_once(books):
    resident, shop = await _setup(books)
    gate = asyncio.Event()

    async def one():
        await gate.wait()
        return await _spend(books, resident, shop, 10, "key-concurrent")

    tasks = [asyncio.create_task(one()) for _ in range(50)]
    await asyncio.sleep(0.05)
    gate.set()
    answers = await asyncio.gather(*tasks, return_exceptions=True)
    entries = {a.entry for a in answers if isinstance(a, Spent)}
    assert len(entries) == 1
    assert all(isinstance(a, Spent) for a in answers), [a for a in answers if not isinstance(a, Spent)]
    assert await books.balance(resident) == 990
