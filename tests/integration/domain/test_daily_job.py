"""The daily job: one server at a time, and a crash in the middle followed by a re-run."""

import asyncio
from datetime import datetime, timedelta

import pytest

from domain.clock import JST, ManualClock
from domain.jobs import daily
from domain.jobs.lease import acquire
from domain.points import reserved
from domain.sql import reader
from tests.integration.graphql.points.test_reserved_points import EXCHANGE


async def _three_with_reserved_points(people):
    await people.municipality()
    await people.program(name="川崎市ポイント")
    partner = await people.partner()
    residents = [await people.register() for _ in range(3)]
    for n, resident in enumerate(residents):
        order = {
            "myKeyId": resident.my_key_id,
            "partnerPoints": 100 * (n + 1),
            "externalRef": f"o-{n}",
            "idempotencyKey": f"exchange-{n}-key",
        }
        await people.gql(EXCHANGE, partner, i=order)
    return residents


async def test_only_one_server_runs_it(people, clock):
    await _three_with_reserved_points(people)
    clock.set(datetime(2026, 12, 5, 0, 0, tzinfo=JST))
    reports = await asyncio.gather(*(daily.run_daily(ManualClock(clock.now())) for _ in range(4)))
    ran = [r for r in reports if r is not None]
    assert sum(r.auto_move.points for r in ran) == 600  # whoever ran, every point moved once
    assert await reader().fetchval("SELECT COUNT(*) FROM journal_entries WHERE kind = 'AUTO_MOVE'") == 3
    assert await acquire("daily", "someone", clock.now())  # released when done


async def test_a_held_lease_stops_a_second_start_until_it_runs_out(people, clock):
    assert await acquire("daily", "server-a", clock.now())
    assert await daily.run_daily(clock) is None
    clock.advance(timedelta(hours=1))
    assert await daily.run_daily(clock) is not None  # server-a died: its lease ran out


async def test_a_crash_in_the_middle_then_a_re_run(people, clock, monkeypatch):
    await _three_with_reserved_points(people)
    clock.set(datetime(2026, 12, 5, 0, 0, tzinfo=JST))
    real = reserved._auto_move_one
    calls = 0

    async def crash_on_the_second(row, now):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("the server died here")
        return await real(row, now)

    monkeypatch.setattr(reserved, "_auto_move_one", crash_on_the_second)
    with pytest.raises(RuntimeError):
        await daily.run_daily(clock)
    assert await reader().fetchval("SELECT COUNT(*) FROM journal_entries WHERE kind = 'AUTO_MOVE'") == 1
    monkeypatch.setattr(reserved, "_auto_move_one", real)
    report = await daily.run_daily(clock)  # the lease was given back by the crashed run's finally
    assert report is not None and report.auto_move.residents == 2
    moved = await reader().fetch("SELECT e.id FROM journal_entries e WHERE e.kind = 'AUTO_MOVE'")
    assert len(moved) == 3  # each resident's points moved exactly once
    reserved_left = await reader().fetchval(
        "SELECT COALESCE(SUM(balance), 0) FROM accounts WHERE kind = 'RESIDENT_RESERVED'"
    )
    assert reserved_left == 0
