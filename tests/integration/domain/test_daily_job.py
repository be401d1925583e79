"""The daily job: one server at a time, and a crash in the middle followed by a re-run."""

import asyncio
from datetime import datetime, timedelta

import pytest

from domain.clock import JST, ManualClock
from domain.jobs import daily
from domain.jobs.lease import acquire
from domain.points import reserved
from domain.sql import reader, transaction
from tests.integration.graphql.points.test_reserved_points import EXCHANGE


async def _three_with_reserved_points(people):
    await people.municipality()
    await people.program(name="川崎市ポイント")
    partner = await people.partner()
    residents = [await people.register() for _ in range(3)]
    for n, resident in enumerate(residents):
        await people.consent(resident)
        order = {
            "partnerCustomerId": f"C-{resident.my_key_id}",
            "partnerPoints": 100 * (n + 1),
            "externalRef": f"o-{n}",
            "idempotencyKey": f"exchange-{n}-key",
        }
        assert (await people.gql(EXCHANGE, partner, i=order))["exchangePoints"]["userErrors"] == []
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


class ServerDied(BaseException):
    """Like SystemExit or a cancelled task: it goes through every ``except Exception``."""


async def test_a_crash_in_the_middle_then_a_re_run(people, clock, monkeypatch):
    await _three_with_reserved_points(people)
    clock.set(datetime(2026, 12, 5, 0, 0, tzinfo=JST))
    real = reserved._auto_move_one
    calls = 0

    async def crash_on_the_second(row, now):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ServerDied  # not an error the job isolates: the process is gone
        return await real(row, now)

    monkeypatch.setattr(reserved, "_auto_move_one", crash_on_the_second)
    with pytest.raises(ServerDied):
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


async def test_one_residents_failure_is_isolated_and_reported(people, clock, db):
    """A campaign row the database holds but Python cannot read (how a year-1 start once arrived)
    breaks the move of the residents of that city; everyone else's points still move."""
    residents = await _three_with_reserved_points(people)
    await people.municipality("131164")
    broken = await people.program("131164", name="台東区ポイント")
    moved_house = await people.gql(
        'mutation { updateSettings(input: {basicMunicipalityCode: "131164"}) { userErrors { code } } }',
        residents[0].token,
    )
    assert moved_house["updateSettings"]["userErrors"] == []
    never, forever = ("-infinity", "infinity") if db.postgres else ("0000-bad", "9999-bad")
    await transaction(
        lambda sql: sql.execute(
            "INSERT INTO premium_campaigns (program_id, rate_percent, starts_at, ends_at, created_at)"
            f" VALUES ($1, 20, '{never}', '{forever}', $2)",
            broken.id,
            clock.now(),
        )
    )
    clock.set(datetime(2026, 12, 5, 0, 0, tzinfo=JST))
    report = await daily.run_daily(clock)
    assert report.auto_move.failed == [await _id_of(residents[0])]
    assert report.auto_move.points == 500  # the other two residents' 200 + 300
    assert report.expiry is not None and report.failed == []
    await transaction(lambda sql: sql.execute("DELETE FROM premium_campaigns"))
    clock.advance(timedelta(days=1))
    assert (await daily.run_daily(clock)).auto_move.points == 100  # mended: the next run moves it


async def _id_of(resident) -> int:
    return int(await reader().fetchval("SELECT id FROM residents WHERE my_key_id = $1", resident.my_key_id))


async def test_a_failing_step_is_reported_and_the_next_steps_still_run(people, clock, monkeypatch):
    await _three_with_reserved_points(people)

    async def broken_voucher_expiry(clock):
        raise RuntimeError("voucher table unreadable")

    monkeypatch.setattr(daily, "expire_vouchers", broken_voucher_expiry)
    clock.set(datetime(2026, 12, 5, 0, 0, tzinfo=JST))
    report = await daily.run_daily(clock)
    assert report.failed == ["vouchers: RuntimeError: voucher table unreadable"]
    assert report.auto_move.points == 600  # the step before ran
    assert report.warnings >= 0 and report.expiry.batches == 0  # the steps after ran too
