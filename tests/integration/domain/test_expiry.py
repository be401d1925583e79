"""Expiry: lots past their end move to the expired sink, in batches, once."""

from datetime import timedelta

import pytest

from domain.ledger.accounts import SystemAccount, get_balance
from domain.ledger.actions import expire_lots
from domain.ledger.journal import Leg
from domain.points import accounts
from domain.sql import reader, transaction


async def test_only_lots_past_their_expiry_are_expired(books, clock):
    resident = await books.account(accounts.resident_program(1, 1))
    await books.grant(resident, 100, days=10)
    await books.grant(resident, 40, days=30)
    clock.advance(timedelta(days=10))
    report = await expire_lots(clock)
    assert (report.lots, report.points, report.entries) == (1, 100, 1)
    assert await books.balance(resident) == 40
    assert await get_balance(reader(), SystemAccount.EXPIRED) == 100


async def test_a_lot_is_still_spendable_one_microsecond_before_expiry(books, clock):
    resident = await books.account(accounts.resident_program(1, 1))
    await books.grant(resident, 100, days=10)
    clock.advance(timedelta(days=10) - timedelta(microseconds=1))
    assert (await expire_lots(clock)).lots == 0
    assert await books.balance(resident) == 100


async def test_a_partly_spent_lot_expires_what_is_left(books, clock):
    resident, shop = await books.resident_and_shop()
    await books.grant(resident, 100, days=5)
    await books.post([Leg(resident, shop, 30)])
    clock.advance(timedelta(days=6))
    assert (await expire_lots(clock)).points == 70
    assert await books.balance(resident) == 0


async def test_many_accounts_expire_in_several_batches_and_a_rerun_changes_nothing(books, clock):
    residents = [await books.account(accounts.resident_program(i, 1)) for i in range(7)]
    for i, resident in enumerate(residents):
        await books.grant(resident, 10 + i, days=3)
        await books.grant(resident, 5, days=3)
    clock.advance(timedelta(days=3))
    report = await expire_lots(clock, batch_size=3)
    assert report.lots == 14
    assert report.points == sum(15 + i for i in range(7))
    assert report.batches >= 3
    assert all([await books.balance(r) == 0 for r in residents])
    again = await expire_lots(clock, batch_size=3)
    assert (again.lots, again.points) == (0, 0)


async def test_expiry_in_more_batches_than_a_cached_plan_waits_for(books, clock):
    # PL/pgSQL plans its statements generically after five calls; the batch must stay right after
    residents = [await books.account(accounts.resident_program(i, 1)) for i in range(8)]
    for i, resident in enumerate(residents):
        await books.grant(resident, 3 + i, days=2)
        await books.grant(resident, 4, days=2)
    clock.advance(timedelta(days=2))
    report = await expire_lots(clock, batch_size=1)
    assert (report.batches, report.lots, report.points) == (8, 16, sum(7 + i for i in range(8)))
    assert [await books.balance(r) for r in residents] == [0] * 8


async def test_a_crash_in_the_middle_of_expiry_is_repaired_by_a_rerun(books, clock):
    residents = [await books.account(accounts.resident_program(i, 1)) for i in range(4)]
    for resident in residents:
        await books.grant(resident, 25, days=1)
    clock.advance(timedelta(days=1))
    calls = 0

    async def crash_on_second_batch(sql, expired):  # runs inside each batch's transaction, after its writes
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        await expire_lots(clock, batch_size=2, on_expired=crash_on_second_batch)
    expired_so_far = await get_balance(reader(), SystemAccount.EXPIRED)
    assert expired_so_far == 50  # the first batch committed, the second rolled back whole
    report = await expire_lots(clock, batch_size=2)
    assert report.points == 50
    assert await get_balance(reader(), SystemAccount.EXPIRED) == 100
    count = await transaction(
        lambda sql: sql.fetchval("SELECT COUNT(*) FROM journal_entries WHERE kind = 'EXPIRE'")
    )
    assert int(count) == 4
