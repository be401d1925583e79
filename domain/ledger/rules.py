"""Pure ledger arithmetic: FIFO allocation, expiry instants, digests and Merkle roots.

No database here; everything is a function of its arguments, so the unit tests run in milliseconds.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from domain.clock import JST, japan_date

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class LotBalance:
    """What a debit needs to know of a lot, in consumption order."""

    id: int
    remaining: int


def allocate_fifo(lots: Iterable[LotBalance], amount: int) -> list[tuple[int, int]]:
    """Take ``amount`` from ``lots`` in the order given: ``[(lot_id, taken), …]``.

    Returns fewer points than asked when the lots run out; the caller decides that is an error.
    """
    if amount <= 0:
        raise ValueError("amount must be positive")
    taken: list[tuple[int, int]] = []
    left = amount
    for lot in lots:
        if left == 0:
            break
        take = min(lot.remaining, left)
        if take > 0:
            taken.append((lot.id, take))
            left -= take
    return taken


def expiry_instant(issued_at: datetime, validity_days: int) -> datetime:
    """When a lot issued at ``issued_at`` stops being spendable (product.md section 11).

    A lot issued on day D (Japan time) with validity V days can be spent through the end of day
    D+V-1 and expires at 00:00 JST on day D+V.
    """
    if validity_days <= 0:
        raise ValueError("validity must be at least one day")
    last_day = japan_date(issued_at) + timedelta(days=validity_days)
    return datetime.combine(last_day, time(0, 0), tzinfo=JST).astimezone(UTC)


def canonical_json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def request_hash(request: Mapping[str, int | str | list[list[int | str]]]) -> str:
    """The fingerprint of an externally triggered request, kept beside its idempotency key."""
    return hashlib.sha256(canonical_json(request)).hexdigest()


def timestamp_text(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class PostingLine:
    account_id: int
    lot_id: int | None
    amount: int


def entry_digest(
    *,
    kind: str,
    actor: str,
    idempotency_key: str | None,
    memo: str,
    created_at: datetime,
    postings: Sequence[PostingLine],
) -> str:
    """SHA-256 over an entry's content and its postings, in a canonical order."""
    lines = sorted((p.account_id, p.lot_id or 0, p.amount) for p in postings)
    body = {
        "kind": kind,
        "actor": actor,
        "key": idempotency_key,
        "memo": memo,
        "at": timestamp_text(created_at),
        "postings": lines,
    }
    return hashlib.sha256(canonical_json(body)).hexdigest()


def merkle_leaf(entry_id: int, digest: str) -> bytes:
    return hashlib.sha256(b"\x00" + f"{entry_id}:{digest}".encode()).digest()


def merkle_root(leaves: Sequence[bytes]) -> str:
    """RFC 6962-style root (leaf and node hashes are domain-separated); empty → 64 zeros."""
    if not leaves:
        return GENESIS_HASH
    level = list(leaves)
    while len(level) > 1:
        paired = []
        for i in range(0, len(level) - 1, 2):
            paired.append(hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest())
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()


def checkpoint_hash(
    *,
    sequence: int,
    previous_hash: str,
    merkle_root: str,
    entry_count: int,
    first_entry_id: int | None,
    last_entry_id: int | None,
    created_at: datetime,
) -> str:
    body = {
        "sequence": sequence,
        "previous": previous_hash,
        "root": merkle_root,
        "count": entry_count,
        "first": first_entry_id,
        "last": last_entry_id,
        "at": timestamp_text(created_at),
    }
    return hashlib.sha256(canonical_json(body)).hexdigest()
