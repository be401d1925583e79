"""Real concurrency on PostgreSQL: 200 debits released together against one balance.

The harness opens its tasks first and releases them with one asyncio.Event, over a pool of 24
connections (PG_POOL in tests/conftest.py). A deliberately naive read-then-write twin runs through
the same harness and must lose updates: if it did not, the harness would not be reaching
concurrency and the real test would prove nothing.
"""

import asyncio

import pytest

from domain.errors import ErrorCode
from domain.ledger.accounts import open_account
from domain.ledger.errors import LedgerError
from domain.ledger.journal import Leg
from domain.points import accounts
from domain.sql import reader, transaction

pytestmark = pytest.mark.postgres_only
TASKS = 200
START_BALANCE = 1_000
DEBIT = 7


async def _race(debit):
    gate = asyncio.Event()

    async def one():
        await gate.wait()
        return await debit()

    tasks = [asyncio.create_task(one()) for _ in range(TASKS)]
    await asyncio.sleep(0.05)
    gate.set()
    return await asyncio.gather(*tasks, return_exceptions=True)


async def test_200_concurrent_debits_never_overdraw_and_the_sum_adds_up(books):
    resident = await books.account(accounts.resident_program(1, 1))
    shop = await books.account(accounts.shop(1, 0))
    for _ in range(5):
        await books.grant(resident, START_BALANCE // 5)

    outcomes = await _race(lambda: books.post([Leg(resident, shop, DEBIT)], kind="SPEND"))

    refused = [o for o in outcomes if isinstance(o, LedgerError)]
    unexpected = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, LedgerError)]
    assert unexpected == []
    assert {e.code for e in refused} == {ErrorCode.INSUFFICIENT_POINTS}
    succeeded = TASKS - len(refused)
    assert succeeded == START_BALANCE // DEBIT
    assert await books.balance(resident) == START_BALANCE - succeeded * DEBIT
    assert await books.balance(shop) == succeeded * DEBIT
    assert sum(lot["remaining"] for lot in await books.lots(resident)) == START_BALANCE % DEBIT


async def test_the_naive_read_then_write_twin_loses_updates_in_the_same_harness(db):
    await transaction(lambda sql: sql.execute("CREATE TABLE race_probe (id int PRIMARY KEY, balance bigint)"))
    try:
        await transaction(lambda sql: sql.execute("INSERT INTO race_probe VALUES (1, $1)", START_BALANCE))

        async def naive_debit():
            async def work(sql):
                balance = await sql.fetchval("SELECT balance FROM race_probe WHERE id = 1")
                await asyncio.sleep(0)  # what any await between read and write allows
                if balance < DEBIT:
                    raise LedgerError(ErrorCode.INSUFFICIENT_POINTS, "no")
                await sql.execute("UPDATE race_probe SET balance = $1 WHERE id = 1", balance - DEBIT)

            await transaction(work)

        outcomes = await _race(naive_debit)
        succeeded = sum(1 for o in outcomes if o is None)
        final = await reader().fetchval("SELECT balance FROM race_probe WHERE id = 1")
        assert final != START_BALANCE - succeeded * DEBIT, "the harness did not reach concurrency"
        assert succeeded > START_BALANCE // DEBIT  # it 'sold' more points than existed
    finally:
        await transaction(lambda sql: sql.execute("DROP TABLE race_probe"))


async def test_concurrent_transfers_in_both_directions_do_not_deadlock(books):
    a = await books.account(accounts.resident_program(1, 1))
    b = await books.account(accounts.resident_program(2, 1))
    await books.grant(a, 5_000)
    await books.grant(b, 5_000)
    flip = iter(range(TASKS))

    def transfer():
        forward = next(flip) % 2 == 0
        return books.post([Leg(a, b, 3) if forward else Leg(b, a, 3)])

    outcomes = await _race(transfer)
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    assert await books.balance(a) + await books.balance(b) == 10_000


async def test_an_account_opened_by_many_at_once_opens_once_and_refuses_none(books):
    """A shop's first scans of the day land together on a shard not opened yet. ``ON CONFLICT (code)``
    alone raised a unique violation from the owner's own index (``accounts_shop_shard``) when two
    inserts passed the conflict check together: a good voucher was refused as already used."""
    refs = []
    for round_ in range(5):
        owner = accounts.shop(1, round_)
        await books.owner_rows(owner)
        outcomes = await _race(
            lambda owner=owner: transaction(lambda sql: open_account(sql, owner, books.clock.now()))
        )
        assert [o for o in outcomes if isinstance(o, BaseException)] == []
        assert len({ref.id for ref in outcomes}) == 1
        refs.append(outcomes[0])
    opened = await reader().fetchval("SELECT COUNT(*) FROM accounts WHERE kind = 'SHOP' AND shop_id = 1")
    assert opened == len(refs) == 5
