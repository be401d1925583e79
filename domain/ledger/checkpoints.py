"""Sealing the journal: signed checkpoints, each naming the one before it.

Writers never touch a shared row: an entry only stores its own digest. A checkpoint later takes the
entries not yet sealed, computes a Merkle root over (id, digest), chains it to the previous
checkpoint's hash and signs the result. UNIQUE(sequence) keeps the chain linear even if two sealers
race; on PostgreSQL an advisory lock makes the second one wait instead of failing.
"""

from dataclasses import dataclass

from domain.clock import Clock
from domain.ledger.rules import GENESIS_HASH, checkpoint_hash, merkle_leaf, merkle_root
from domain.ledger.signing import LedgerKey
from domain.sql import Sql, transaction

SEAL_LOCK = 7_310_001
MAX_ENTRIES_PER_CHECKPOINT = 20_000


@dataclass(frozen=True)
class SealedCheckpoint:
    sequence: int
    entry_count: int
    hash: str


async def seal_checkpoint(
    key: LedgerKey, clock: Clock, max_entries: int = MAX_ENTRIES_PER_CHECKPOINT
) -> SealedCheckpoint | None:
    """Seal up to ``max_entries`` unsealed entries; None when there is nothing to seal."""

    async def seal(sql: Sql) -> SealedCheckpoint | None:
        if sql.postgres:
            await sql.fetch("SELECT pg_advisory_xact_lock($1)", SEAL_LOCK)
        pending = await sql.fetch(
            "SELECT id, digest FROM journal_entries WHERE checkpoint_id IS NULL"
            f" ORDER BY id LIMIT {int(max_entries)}"
        )
        if not pending:
            return None
        previous = await sql.fetchrow("SELECT sequence, hash FROM checkpoints ORDER BY sequence DESC LIMIT 1")
        sequence = 1 if previous is None else int(previous["sequence"]) + 1
        previous_hash = GENESIS_HASH if previous is None else str(previous["hash"])
        ids = [int(r["id"]) for r in pending]
        root = merkle_root([merkle_leaf(int(r["id"]), str(r["digest"])) for r in pending])
        now = clock.now()
        digest = checkpoint_hash(
            sequence=sequence,
            previous_hash=previous_hash,
            merkle_root=root,
            entry_count=len(ids),
            first_entry_id=ids[0],
            last_entry_id=ids[-1],
            created_at=now,
        )
        checkpoint_id = await sql.fetchval(
            "INSERT INTO checkpoints (sequence, previous_hash, merkle_root, entry_count,"
            " first_entry_id, last_entry_id, hash, signature, key_id, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            sequence,
            previous_hash,
            root,
            len(ids),
            ids[0],
            ids[-1],
            digest,
            key.sign(digest),
            key.key_id,
            now,
        )
        changed = await sql.execute(
            "UPDATE journal_entries SET checkpoint_id = $1"
            f" WHERE {sql.any_of('id', 2)} AND checkpoint_id IS NULL",
            checkpoint_id,
            sql.ids(ids),
        )
        if changed != len(ids):
            raise RuntimeError("entries were sealed by someone else meanwhile")
        return SealedCheckpoint(sequence, len(ids), digest)

    return await transaction(seal)


async def seal_all(key: LedgerKey, clock: Clock) -> list[SealedCheckpoint]:
    """Seal every unsealed entry, in checkpoints of at most MAX_ENTRIES_PER_CHECKPOINT."""
    sealed = []
    while (checkpoint := await seal_checkpoint(key, clock)) is not None:
        sealed.append(checkpoint)
    return sealed
