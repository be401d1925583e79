"""Who may call a field, declared on the field: ``extensions=[Needs(Permission.X)]``.

The check runs before the resolver (``domain.auth.permissions.permit``): a refused mutation answers
its payload with the refusal in ``userErrors``, a refused query raises the coded error. The
declaration is also added to the field's description, so it shows in the schema, and the
access-matrix test reads it (:func:`declared`). The domain's access functions check again, with
what a field cannot know (whose program it is, whether the card is still good).
"""

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types.field import StrawberryField

from domain.auth.permissions import Permission, permit
from domain.errors import DomainError
from schema.errors import Payload, user_error


class Needs(FieldExtension):
    def __init__(self, permission: Permission) -> None:
        self.permission = permission
        self.field: StrawberryField | None = None

    def apply(self, field: StrawberryField) -> None:
        self.field = field
        who = f"Who may call: {self.permission.describe()}."
        # a field is applied once per schema built (the app, the tests build several): say it once
        if not (field.description or "").endswith(who):
            field.description = f"{field.description} {who}" if field.description else who

    def _refusal(self, info: Any) -> Payload | None:
        """None when admitted; the refused payload for a mutation; raises for a query."""
        if self.permission is Permission.PUBLIC:
            return None
        try:
            permit(info.context.actor, self.permission)
        except DomainError as error:
            answer: object = None if self.field is None else self.field.type
            if isinstance(answer, type) and issubclass(answer, Payload):
                refused: Payload = answer(user_errors=[user_error(error)])
                return refused
            raise
        return None

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        refused = self._refusal(info)
        return refused if refused is not None else next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Any, **kwargs: Any
    ) -> Any:
        refused = self._refusal(info)
        return refused if refused is not None else await next_(source, info, **kwargs)


def declared(field: StrawberryField) -> Permission | None:
    """The permission ``field`` declares, if any."""
    for extension in field.extensions:
        if isinstance(extension, Needs):
            return extension.permission
    return None
