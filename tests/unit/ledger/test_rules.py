"""Pure ledger rules: FIFO allocation, the expiry boundary, digests and Merkle roots."""

from datetime import UTC, datetime

import pytest

from domain.clock import JST
from domain.ledger.rules import (
    GENESIS_HASH,
    LotBalance,
    PostingLine,
    allocate_fifo,
    entry_digest,
    expiry_instant,
    merkle_leaf,
    merkle_root,
    request_hash,
)


def test_fifo_takes_lots_in_the_order_given_and_splits_the_last():
    lots = [LotBalance(1, 100), LotBalance(2, 50), LotBalance(3, 70)]
    assert allocate_fifo(lots, 120) == [(1, 100), (2, 20)]


def test_fifo_skips_empty_lots_and_reports_a_shortfall_by_taking_less():
    lots = [LotBalance(1, 0), LotBalance(2, 30)]
    assert allocate_fifo(lots, 50) == [(2, 30)]


@pytest.mark.parametrize("amount", [0, -5])
def test_fifo_refuses_a_non_positive_amount(amount):
    with pytest.raises(ValueError, match="positive"):
        allocate_fifo([LotBalance(1, 10)], amount)


def test_a_lot_issued_on_day_d_expires_at_midnight_jst_on_day_d_plus_v():
    issued = datetime(2026, 11, 21, 23, 59, tzinfo=JST)  # still 21 November in Japan
    assert expiry_instant(issued, 100) == datetime(2027, 3, 1, 0, 0, tzinfo=JST)


def test_the_japanese_day_counts_not_the_utc_day():
    issued = datetime(2026, 11, 21, 15, 30, tzinfo=UTC)  # 00:30 on 22 November in Japan
    assert expiry_instant(issued, 14) == datetime(2026, 12, 6, 0, 0, tzinfo=JST)


def test_validity_must_be_at_least_a_day():
    with pytest.raises(ValueError, match="at least one day"):
        expiry_instant(datetime(2026, 1, 1, tzinfo=UTC), 0)


def _digest(**changes):
    fields = {
        "kind": "GRANT",
        "actor": "staff:1",
        "idempotency_key": "k-00000001",
        "memo": "",
        "created_at": datetime(2026, 11, 21, 3, 0, tzinfo=UTC),
        "postings": [PostingLine(1, None, -200), PostingLine(2, 7, 200)],
    }
    return entry_digest(**{**fields, **changes})


def test_the_digest_ignores_posting_order_but_not_any_content():
    base = _digest()
    assert _digest(postings=[PostingLine(2, 7, 200), PostingLine(1, None, -200)]) == base
    assert _digest(postings=[PostingLine(1, None, -201), PostingLine(2, 7, 201)]) != base
    assert _digest(postings=[PostingLine(1, None, -200), PostingLine(2, 8, 200)]) != base
    assert _digest(memo="x") != base
    assert _digest(created_at=datetime(2026, 11, 21, 3, 0, 0, 1, tzinfo=UTC)) != base


def test_merkle_root_changes_with_any_leaf_and_with_order():
    leaves = [merkle_leaf(i, f"{i:064x}") for i in range(1, 6)]
    root = merkle_root(leaves)
    assert merkle_root(leaves) == root
    assert merkle_root(leaves[:-1]) != root
    assert merkle_root(list(reversed(leaves))) != root
    assert merkle_root([]) == GENESIS_HASH


def test_request_hash_is_canonical():
    assert request_hash({"a": 1, "b": [1, 2]}) == request_hash({"b": [1, 2], "a": 1})
    assert request_hash({"a": 1}) != request_hash({"a": 2})
