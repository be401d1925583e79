"""Public ledger transparency: the signed checkpoint chain, for anyone to keep a copy of."""

from datetime import datetime

import strawberry

from domain.ledger.queries import CheckpointView
from schema.context import Info


@strawberry.type(
    description="A signed seal over a stretch of the point journal. Each names the one before it,"
    " so a copy kept by anyone shows whether history was rewritten later."
)
class LedgerCheckpoint:
    sequence: int
    previous_hash: str
    merkle_root: str
    entry_count: int
    first_entry_id: int | None
    last_entry_id: int | None
    hash: str
    signature: str = strawberry.field(description="Ed25519 over `hash`, base64.")
    key_id: str
    created_at: datetime

    @strawberry.field(description="The checkpoint this one follows (none for the first).")
    async def previous(self, info: Info) -> "LedgerCheckpoint | None":
        if self.sequence <= 1:
            return None
        found = await info.context.checkpoint_by_sequence.load(self.sequence - 1)
        return None if found is None else LedgerCheckpoint.from_view(found)

    @classmethod
    def from_view(cls, view: CheckpointView) -> "LedgerCheckpoint":
        return cls(
            sequence=view.sequence,
            previous_hash=view.previous_hash,
            merkle_root=view.merkle_root,
            entry_count=view.entry_count,
            first_entry_id=view.first_entry_id,
            last_entry_id=view.last_entry_id,
            hash=view.hash,
            signature=view.signature,
            key_id=view.key_id,
            created_at=view.created_at,
        )
