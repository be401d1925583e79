"""The typed per-request context every resolver receives."""

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from domain.clock import Clock
from domain.ledger.queries import CheckpointView
from domain.ledger.signing import LedgerKey


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    clock: Clock
    ledger_key: LedgerKey
    checkpoint_by_sequence: DataLoader[int, CheckpointView | None] = field(init=False)


Info = StrawberryInfo[Context, None]
