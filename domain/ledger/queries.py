"""Reads of the ledger."""

from dataclasses import dataclass
from datetime import datetime

from domain.sql import Sql, as_datetime


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
    return CheckpointView(
        sequence=int(str(row["sequence"])),
        previous_hash=str(row["previous_hash"]),
        merkle_root=str(row["merkle_root"]),
        entry_count=int(str(row["entry_count"])),
        first_entry_id=None if row["first_entry_id"] is None else int(str(row["first_entry_id"])),
        last_entry_id=None if row["last_entry_id"] is None else int(str(row["last_entry_id"])),
        hash=str(row["hash"]),
        signature=str(row["signature"]),
        key_id=str(row["key_id"]),
        created_at=as_datetime(row["created_at"]),
    )


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
    return {int(str(r["sequence"])): _view(r) for r in rows}
