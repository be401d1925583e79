"""Per-request DataLoaders: nested fields batch their reads into one query per request."""

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from domain.ledger.queries import CheckpointView, checkpoints_by_sequence
from domain.sql import reader


async def _load_checkpoints(sequences: Sequence[int]) -> list[CheckpointView | None]:
    found = await checkpoints_by_sequence(reader(), list(sequences))
    return [found.get(s) for s in sequences]


def checkpoint_by_sequence() -> DataLoader[int, CheckpointView | None]:
    return DataLoader(load_fn=_load_checkpoints)
