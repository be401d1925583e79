"""Posting entries: balanced, guarded, FIFO across lots, funders kept, nothing half-written."""

from datetime import timedelta

import pytest
from tortoise.exceptions import IntegrityError

from domain.errors import ErrorCode
from domain.ledger.errors import LedgerError
from domain.ledger.journal import Leg, post_entry
from domain.ledger.rules import PostingLine, entry_digest
from domain.points import accounts
from domain.sql import reader, transaction


async def _totals():
    rows = await reader().fetch("SELECT COUNT(*) AS n FROM journal_entries")
    return int(rows[0]["n"]), int(await reader().fetchval("SELECT COUNT(*) FROM postings"))


async def test_a_grant_credits_a_new_lot_with_its_funder_and_balances(books):
    resident = await books.account(accounts.resident_program(1, 1))
    entry = await books.grant(resident, 200, funder="141305")
    assert await books.balance(resident) == 200
    assert sum(p.amount for p in entry.postings) == 0
    [lot] = await books.lots(resident)
    assert (lot["funder_kind"], lot["funder_ref"], lot["original"], lot["remaining"]) == (
        "MUNICIPALITY",
        "141305",
        200,
        200,
    )


async def test_a_debit_takes_the_earliest_expiring_lots_first(books, clock):
    resident, shop = await books.resident_and_shop()
    await books.grant(resident, 100, days=100, funder="A")
    await books.grant(resident, 50, days=10, funder="B")
    await books.grant(resident, 70, days=50, funder="C")
    entry = await books.post([Leg(resident, shop, 120)], kind="SPEND")
    remaining = {lot["funder_ref"]: lot["remaining"] for lot in await books.lots(resident)}
    assert remaining == {"B": 0, "C": 0, "A": 100}
    assert sorted(p.amount for p in entry.postings if p.account_id == resident.id) == [-70, -50]
    assert await books.balance(shop) == 120


async def test_moving_points_keeps_their_funder_and_expiry_unless_redated(books, clock):
    reserved = await books.account(accounts.resident_reserved(1))
    program = await books.account(accounts.resident_program(1, 1))
    await books.grant(reserved, 300, days=14, funder="partner-7")
    await books.post([Leg(reserved, program, 100)], kind="MOVE")
    new_expiry = clock.now() + timedelta(days=100)
    await books.post([Leg(reserved, program, 50, expires_at=new_expiry)], kind="MOVE")
    source_lot = (await books.lots(reserved))[0]
    kept, redated = await books.lots(program)
    assert (kept["funder_ref"], kept["origin_id"], kept["expires_at"]) == (
        "partner-7",
        source_lot["id"],
        source_lot["expires_at"],
    )
    assert redated["funder_ref"] == "partner-7"
    assert redated["expires_at"] != source_lot["expires_at"]
    assert await books.balance(reserved) == 150


async def test_not_enough_points_is_refused_and_nothing_is_written(books):
    resident, shop = await books.resident_and_shop(100)
    before = await _totals()
    with pytest.raises(LedgerError) as refused:
        await books.post([Leg(resident, shop, 101)])
    assert refused.value.code is ErrorCode.INSUFFICIENT_POINTS
    assert await _totals() == before
    assert await books.balance(resident) == 100
    assert await books.balance(shop) == 0


async def test_expired_but_unswept_lots_cannot_be_spent(books, clock):
    resident, shop = await books.resident_and_shop()
    await books.grant(resident, 100, days=1)
    await books.grant(resident, 30, days=30)
    clock.advance(timedelta(days=2))
    with pytest.raises(LedgerError) as refused:
        await books.post([Leg(resident, shop, 50)])
    assert refused.value.code is ErrorCode.INSUFFICIENT_POINTS
    assert await books.balance(resident) == 130  # the expiry job has not run yet
    await books.post([Leg(resident, shop, 30)])
    assert await books.balance(shop) == 30


async def test_a_failure_after_the_debit_rolls_back_the_whole_transaction(books):
    resident, shop = await books.resident_and_shop(100)
    before = await _totals()

    async def debit_then_crash(sql):
        await post_entry(
            sql, kind="SPEND", actor="test", now=books.clock.now(), legs=[Leg(resident, shop, 60)]
        )
        raise RuntimeError("killed between the debit and the response")

    with pytest.raises(RuntimeError, match="killed"):
        await transaction(debit_then_crash)
    assert await _totals() == before
    assert await books.balance(resident) == 100
    assert [lot["remaining"] for lot in await books.lots(resident)] == [100]


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        ("UPDATE accounts SET balance = -1 WHERE code = 'resident:1:program:1'", "accounts_balance_nonneg"),
        ("UPDATE lots SET remaining = original + 1", "lots_remaining_in_range"),
        ("UPDATE lots SET remaining = -1", "lots_remaining_in_range"),
        ("UPDATE postings SET amount = 0", "postings_amount_nonzero"),
    ],
)
async def test_the_database_itself_refuses_impossible_rows(books, statement, constraint):
    resident = await books.account(accounts.resident_program(1, 1))
    await books.grant(resident, 10)
    with pytest.raises(IntegrityError, match=constraint):
        await transaction(lambda sql: sql.execute(statement))


async def test_a_leg_must_move_a_positive_whole_number_between_two_accounts(books):
    resident, shop = await books.resident_and_shop()
    for amount in (0, -1, True):
        with pytest.raises(ValueError, match="positive whole number"):
            await books.post([Leg(resident, shop, amount)])
    with pytest.raises(ValueError, match="two different accounts"):
        await books.post([Leg(shop, shop, 1)])


AWKWARD_TEXT = [
    "plain",
    'quote " and backslash \\ and slash /',
    "newline\n tab\t return\r bell\x07 escape\x1b unit\x1f delete\x7f",
    "川崎市 ｶﾅ 🎫 \u2028\u2029 é",
]


@pytest.mark.parametrize("text", AWKWARD_TEXT)
async def test_each_entry_digest_is_the_one_python_computes_from_its_rows(books, clock, text):
    """On PostgreSQL the server writes the entry (mk_post_entry); its digest must still be the SHA-256
    of rules.entry_digest's canonical JSON, whatever the memo, actor or key hold."""
    resident, shop = await books.resident_and_shop()
    await books.grant(resident, 40, days=10, funder="A")
    await books.grant(resident, 70, days=20, funder="B")
    clock.advance(timedelta(microseconds=123_457))
    now = clock.now()

    async def work(sql):
        await sql.execute(  # what idempotency.once remembers beside a keyed entry
            "INSERT INTO idempotency_records (actor, key, request_hash, response, created_at)"
            " VALUES ($1, $2, $4, '{}', $3)",
            f"staff {text}",
            f"key {text}",
            now,
            "0" * 64,
        )
        return await post_entry(
            sql,
            kind="SPEND",
            actor=f"staff {text}",
            now=now,
            legs=[Leg(resident, shop, 90)],
            memo=text,
            idempotency_key=f"key {text}",
        )

    entry = await transaction(work)
    rows = await reader().fetch(
        "SELECT account_id, lot_id, amount FROM postings WHERE entry_id = $1 ORDER BY id", entry.id
    )
    stored = [PostingLine(int(r["account_id"]), r["lot_id"], int(r["amount"])) for r in rows]
    assert stored == list(entry.postings)
    assert [(p.amount) for p in stored if p.account_id == resident.id] == [-40, -50]
    expected = entry_digest(
        kind="SPEND",
        actor=f"staff {text}",
        idempotency_key=f"key {text}",
        memo=text,
        created_at=now,
        postings=stored,
    )
    assert entry.digest == expected
    assert await reader().fetchval("SELECT digest FROM journal_entries WHERE id = $1", entry.id) == expected


async def test_points_moved_between_lot_accounts_keep_one_lot_per_funder_and_expiry(books, clock):
    """Three source lots (two of one funder and expiry) arrive as two lots, in arrival order; a lot made
    of one piece names the lot it came from."""
    first, _ = await books.resident_and_shop()
    second = await books.account(accounts.resident_program(2, 1))
    for funder in ("A", "A", "B"):
        await books.grant(first, 10, days=30, funder=funder)
    await books.grant(first, 5, days=90, funder="A")
    source_lots = await books.lots(first)
    await books.post([Leg(first, second, 32)], kind="TRANSFER")
    arrived = [(lot["funder_ref"], lot["original"], lot["origin_id"]) for lot in await books.lots(second)]
    assert arrived == [("A", 20, None), ("B", 10, source_lots[2]["id"]), ("A", 2, source_lots[3]["id"])]
