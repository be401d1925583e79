"""The error contract: expected failures are ``userErrors`` in a payload, never GraphQL errors."""

import strawberry

from domain.errors import DomainError
from domain.errors import ErrorCode as DomainErrorCode

ErrorCode = strawberry.enum(
    DomainErrorCode, name="ErrorCode", description="Why a request was refused. Stable: clients switch on it."
)


@strawberry.type(description="An expected refusal: bad input, not enough points, already redeemed…")
class UserError:
    code: DomainErrorCode
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str


def user_error(error: DomainError) -> UserError:
    return UserError(code=error.code, field=error.field, message=error.message)
