"""Staff accounts, sign-in and the viewer (who am I)."""

from datetime import datetime

import strawberry

from domain.auth.actor import Role as DomainRole
from domain.staff.actions import StaffView
from models.staff import StaffRole as DomainStaffRole
from models.terminals import TerminalKind as DomainTerminalKind
from schema.errors import Payload

StaffRole = strawberry.enum(DomainStaffRole, name="StaffRole")
Role = strawberry.enum(DomainRole, name="Role", description="Who is calling.")


@strawberry.type
class Staff:
    id: strawberry.ID
    login: str
    role: DomainStaffRole
    department: str | None

    @classmethod
    def from_view(cls, view: StaffView) -> "Staff":
        return cls(
            id=strawberry.ID(str(view.id)), login=view.login, role=view.role, department=view.department
        )


@strawberry.input
class AddStaffInput:
    login: str
    password: str
    role: DomainStaffRole
    municipality_code: str | None = None
    shop_id: strawberry.ID | None = None
    department: str | None = None
    partner_client_id: str | None = strawberry.field(
        default=None, description="For PARTNER_STAFF: the partner's client id (the operator adds them)."
    )


@strawberry.type
class AddStaffPayload(Payload):
    staff: Staff | None = None


@strawberry.type
class LoginStaffPayload(Payload):
    token: str | None = None
    csrf_token: str | None = None
    expires_at: datetime | None = None
    staff: Staff | None = None


@strawberry.type(description="The caller, as the platform sees them.")
class Viewer:
    role: DomainRole
    municipality_code: str | None
    shop_id: strawberry.ID | None
    terminal_kind: DomainTerminalKind | None
    card_session: bool


@strawberry.type(description="A member of a municipality's staff, or of one of its shops.")
class StaffMember:
    id: strawberry.ID
    login: str
    role: DomainStaffRole
    department: str | None
    shop_name: str | None
    active: bool
    created_at: datetime


@strawberry.type
class DeactivateStaffPayload(Payload):
    staff: Staff | None = None


@strawberry.type(description="One grant: a single resident or a department's list (one journal entry).")
class GrantBatch:
    id: strawberry.ID
    program_id: strawberry.ID
    program_name: str
    department: str | None = strawberry.field(description="Null: the municipality's admin or the operator.")
    sent_by: str = strawberry.field(description="The login of whoever sent it (or a terminal's label).")
    reason: str
    file_name: str | None
    rows: int
    points: int
    created_at: datetime


@strawberry.type(description="One change in a municipality's audit log: who, what, when.")
class AuditEvent:
    id: strawberry.ID
    at: datetime
    who: str
    action: str
    subject: str
