"""The error contract: expected failures are ``userErrors`` in a payload, never GraphQL errors.

Every mutation's payload extends :class:`Payload`; :func:`attempt` runs the domain action and turns
a :class:`DomainError` into the payload's ``userErrors`` — the one place where that happens.
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar

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
    reason: str | None = strawberry.field(
        default=None,
        description="Which of the field's rules failed, e.g. password.fullwidth (pages translate it).",
    )
    details: list["ErrorDetail"] = strawberry.field(
        default_factory=list,
        description="The figures the reason's sentence needs (a time, a shop, a balance).",
    )


@strawberry.type(description="One figure of a refusal, e.g. {name: shop, value: ブレーメン通り 商店}.")
class ErrorDetail:
    name: str
    value: str


def user_error(error: DomainError) -> UserError:
    return UserError(
        code=error.code,
        field=error.field,
        message=error.message,
        reason=error.reason,
        details=[ErrorDetail(name=k, value=v) for k, v in sorted(error.details.items())],
    )


@strawberry.type
class Payload:
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Empty when the mutation did what was asked."
    )


P = TypeVar("P", bound=Payload)


async def attempt(refused: Callable[..., P], work: Awaitable[P]) -> P:
    """``await work``; on an expected failure, ``refused(user_errors=[…])`` instead."""
    try:
        return await work
    except DomainError as error:
        return refused(user_errors=[user_error(error)])
