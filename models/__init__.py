"""Tortoise models. Tortoise discovers them through this module (see api.database)."""

from models.ledger import Account, Checkpoint, IdempotencyRecord, JournalEntry, Lot, Posting

__all__ = ["Account", "Checkpoint", "IdempotencyRecord", "JournalEntry", "Lot", "Posting"]
