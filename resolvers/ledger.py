"""Ledger reads."""

import strawberry

from domain.auth.permissions import Permission
from domain.ledger.queries import list_checkpoints
from domain.sql import reader
from schema.context import Info
from schema.ledger import LedgerCheckpoint
from schema.permissions import Needs

MAX_PAGE = 100


@strawberry.type
class LedgerQuery:
    @strawberry.field(
        description="Newest checkpoints of the point journal, newest first (at most 100).",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def ledger_checkpoints(
        self, info: Info, first: int = 10, before: int | None = None
    ) -> list[LedgerCheckpoint]:
        views = await list_checkpoints(reader(), max(0, min(first, MAX_PAGE)), before)
        return [LedgerCheckpoint.from_view(v) for v in views]
