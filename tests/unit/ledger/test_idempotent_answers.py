"""What the idempotency store keeps: a dataclass as JSON, and the same dataclass back."""

from dataclasses import dataclass
from datetime import UTC, datetime

from domain.ledger.idempotency import _from_json, _to_json


@dataclass(frozen=True)
class Receipt:
    id: int
    shop: str
    balance_after: int
    at: datetime
    note: str | None


def test_an_answer_comes_back_as_the_dataclass_it_was():
    answer = Receipt(7, "商店", 300, datetime(2026, 11, 21, 3, 0, tzinfo=UTC), None)
    assert _from_json(Receipt, _to_json(answer)) == answer


def test_an_answer_stored_before_answers_were_dataclasses_still_replays():
    stored = '{"id": 7, "shop": "商店", "balanceAfter": 300, "at": "2026-11-21T03:00:00+00:00", "note": null}'
    assert _from_json(Receipt, stored).balance_after == 300
