"""Reads of the ledger."""

from dataclasses import dataclass
from datetime import datetime

from domain.sql import Sql, as_record


@dataclass(frozen=True)
class CheckpointView:
    """A published checkpoint: anyone may compare it with a copy taken earlier."""

    sequence: int
    previous_hash: str
    merkle_root: str
    entry_count: int
    first_entry_id: int | None
    last_entry_id: int | None
    hash: str
    signature: str
    key_id: str
    created_at: datetime


_COLUMNS = (
    "sequence, previous_hash, merkle_root, entry_count, first_entry_id, last_entry_id,"
    " hash, signature, key_id, created_at"
)


def _view(row: dict[str, object]) -> CheckpointView:
    return as_record(CheckpointView, row)


async def list_checkpoints(sql: Sql, first: int, before: int | None = None) -> list[CheckpointView]:
    """Newest first; ``before`` pages back through the chain by sequence number."""
    rows = await sql.fetch(
        f"SELECT {_COLUMNS} FROM checkpoints WHERE sequence < $1 ORDER BY sequence DESC LIMIT $2",
        before if before is not None else 2**62,
        first,
    )
    return [_view(r) for r in rows]


async def checkpoints_by_sequence(sql: Sql, sequences: list[int]) -> dict[int, CheckpointView]:
    rows = await sql.fetch(
        f"SELECT {_COLUMNS} FROM checkpoints WHERE {sql.any_of('sequence', 1)}", sql.ids(sequences)
    )
    views = [_view(r) for r in rows]
    return {v.sequence: v for v in views}
