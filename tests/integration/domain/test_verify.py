"""Tamper evidence: `mykey ledger verify` recomputes everything and names each breach."""

import os
import subprocess
import sys

import pytest

from domain.ledger.checkpoints import seal_all
from domain.ledger.journal import Leg
from domain.ledger.signing import LedgerKey
from domain.ledger.verify import verify_ledger
from domain.points import accounts
from domain.sql import reader, transaction


async def _some_history(books):
    resident = await books.account(accounts.resident_program(1, 1))
    shop = await books.account(accounts.shop(1, 0))
    for amount in (100, 200, 300):
        await books.grant(resident, amount)
    await books.post([Leg(resident, shop, 250)])
    return resident, shop


def _verify_cli(db):
    env = {
        **os.environ,
        "DATABASE_URL": db.settings.database_url,
        "MYKEY_VAR_DIR": str(db.settings.var_dir),
        "MYKEY_LEDGER_KEY": str(db.settings.ledger_key_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "ledger", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def _breaches(db):
    return [str(b) for b in await verify_ledger(reader(), db.key)]


async def test_sound_books_verify_clean_before_and_after_sealing(db, books, clock):
    await _some_history(books)
    assert await _breaches(db) == []
    sealed = await seal_all(db.key, clock)
    assert [c.entry_count for c in sealed] == [4]
    await books.grant(await books.account(accounts.resident_program(2, 1)), 5)
    assert [c.sequence for c in await seal_all(db.key, clock)] == [2]
    assert await _breaches(db) == []
    result = _verify_cli(db)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 entries, 2 checkpoints, 0 breaches" in result.stdout


@pytest.mark.ledger_breached
async def test_a_balance_changed_behind_the_ledger_is_named(db, books):
    resident, _ = await _some_history(books)
    await transaction(
        lambda sql: sql.execute("UPDATE accounts SET balance = balance + 1 WHERE id = $1", resident.id)
    )
    breaches = await _breaches(db)
    assert f"I2: account {resident.id} stores balance 351 but its postings sum to 350" in breaches
    assert any(b.startswith("I4: account") for b in breaches)
    result = _verify_cli(db)
    assert result.returncode == 1
    assert f"BREACH I2: account {resident.id} stores balance 351" in result.stdout


@pytest.mark.ledger_breached
async def test_a_rewritten_posting_breaks_its_entry_digest(db, books):
    await _some_history(books)
    await transaction(lambda sql: sql.execute("UPDATE journal_entries SET memo = 'edited' WHERE id = 2"))
    assert "I10: entry 2 does not match its digest" in await _breaches(db)


@pytest.mark.ledger_breached
async def test_a_sealed_entry_rewritten_with_a_fresh_digest_breaks_the_checkpoint(db, books, clock):
    await _some_history(books)
    await seal_all(db.key, clock)
    await transaction(
        lambda sql: sql.execute("UPDATE journal_entries SET digest = $1 WHERE id = 3", "f" * 64)
    )
    breaches = await _breaches(db)
    assert "I10: entry 3 does not match its digest" in breaches
    assert "I10: checkpoint 1: its entries no longer give its Merkle root" in breaches


@pytest.mark.ledger_breached
async def test_a_checkpoint_resealed_without_the_key_is_caught(db, books, clock, tmp_path):
    await _some_history(books)
    await seal_all(db.key, clock)
    forger = LedgerKey.load_or_create(tmp_path / "forger.pem")
    await transaction(
        lambda sql: sql.execute(
            "UPDATE checkpoints SET signature = $1, key_id = $2", forger.sign("x"), forger.key_id
        )
    )
    assert "I10: checkpoint 1: the signature does not verify with the ledger key" in await _breaches(db)


@pytest.mark.ledger_breached
async def test_an_unbalanced_entry_is_named(db, books):
    await _some_history(books)
    await transaction(lambda sql: sql.execute("UPDATE postings SET amount = amount * 2 WHERE id = 1"))
    breaches = await _breaches(db)
    assert any(b.startswith("I1: entry 1 does not balance") for b in breaches)
    assert not any(b.startswith("I1: all balances") for b in breaches)  # balances were not touched


@pytest.mark.ledger_breached
async def test_a_label_that_no_longer_says_what_the_owner_columns_say_is_named(db, books):
    resident, _ = await _some_history(books)
    relabel = "UPDATE accounts SET code = 'resident:9:program:1' WHERE id = $1"
    await transaction(lambda sql: sql.execute(relabel, resident.id))
    assert await _breaches(db) == [
        f"I12: account {resident.id} is labelled resident:9:program:1 but its owner columns say"
        " resident:1:program:1"
    ]


async def test_owner_columns_the_kind_does_not_allow_are_refused_by_the_database(db, books):
    resident, shop = await _some_history(books)
    with pytest.raises(Exception, match="accounts_owner_by_kind"):
        await transaction(
            lambda sql: sql.execute("UPDATE accounts SET shop_id = 1 WHERE id = $1", resident.id)
        )
    with pytest.raises(Exception, match="accounts_owner_by_kind"):
        await transaction(lambda sql: sql.execute("UPDATE accounts SET shard = NULL WHERE id = $1", shop.id))
