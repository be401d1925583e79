"""Counter terminals: registration, one-time activation and the connectivity test."""

from datetime import datetime

import strawberry

from domain.terminals.actions import TerminalView
from models.terminals import TerminalKind as DomainTerminalKind
from models.terminals import TerminalStatus as DomainTerminalStatus
from schema.errors import Payload

TerminalKind = strawberry.enum(DomainTerminalKind, name="TerminalKind")
TerminalStatus = strawberry.enum(DomainTerminalStatus, name="TerminalStatus")


@strawberry.type
class Terminal:
    id: strawberry.ID
    kind: DomainTerminalKind
    name: str
    status: DomainTerminalStatus
    department: str | None
    last_seen_at: datetime | None

    @classmethod
    def from_view(cls, view: TerminalView) -> "Terminal":
        return cls(
            id=strawberry.ID(str(view.id)),
            kind=view.kind,
            name=view.name,
            status=view.status,
            department=view.department,
            last_seen_at=view.last_seen_at,
        )


@strawberry.input
class RegisterTerminalInput:
    kind: DomainTerminalKind
    name: str
    municipality_code: str
    shop_id: strawberry.ID | None = None
    service_code: str | None = None
    department: str | None = None


@strawberry.type
class RegisterTerminalPayload(Payload):
    terminal: Terminal | None = None
    activation_code: str | None = strawberry.field(
        default=None, description="Shown once; the device uses it once."
    )
    activation_expires_at: datetime | None = None


@strawberry.type
class ActivateTerminalPayload(Payload):
    terminal: Terminal | None = None
    token: str | None = strawberry.field(
        default=None, description="The device's own bearer token. Keep it secret."
    )


@strawberry.type
class PingTerminalPayload(Payload):
    terminal: Terminal | None = None
    server_time: datetime | None = None


@strawberry.type
class RevokeTerminalPayload(Payload):
    terminal: Terminal | None = None
