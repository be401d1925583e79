"""A bulk batch holds Python's cycle collector off while it runs, and gives it back as it found it."""

import asyncio
import gc

import pytest

from domain.collector import collector_held


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_held_inside_given_back_after_even_when_the_batch_fails():
    with collector_held():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_held():
        raise RuntimeError("a refused batch")
    assert gc.isenabled()


async def test_two_batches_at_once_the_last_one_out_gives_it_back():
    first_inside, second_done = asyncio.Event(), asyncio.Event()
    seen = []

    async def first():
        with collector_held():
            first_inside.set()
            await second_done.wait()  # the second batch ends while this one still runs
            seen.append(("first, after the second ended", gc.isenabled()))
        seen.append(("first ended", gc.isenabled()))

    async def second():
        await first_inside.wait()
        with collector_held():
            seen.append(("second", gc.isenabled()))
        seen.append(("second ended, first running", gc.isenabled()))
        second_done.set()

    await asyncio.gather(first(), second())
    assert seen == [
        ("second", False),
        ("second ended, first running", False),
        ("first, after the second ended", False),
        ("first ended", True),
    ]


def test_a_collector_switched_off_by_the_process_stays_off():
    gc.disable()
    with collector_held():
        assert not gc.isenabled()
    assert not gc.isenabled()
