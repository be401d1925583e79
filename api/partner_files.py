"""``GET /partner/reconciliation/{YYYY-MM-DD}.csv``: a partner's exchanges of one Japan day, for its
own books: its server (``Authorization: Bearer`` of its token with the ``exchange`` scope), or its
staff from the partner console (the session cookie: a download link changes nothing)."""

from collections.abc import Awaitable, Callable
from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from api.auth import identify
from api.settlement_files import _attachment, _refused
from domain.auth.access_tokens import AccessTokens
from domain.clock import Clock
from domain.errors import DomainError, ErrorCode
from domain.partners.reconciliation import list_partner_exchanges, reconciliation_csv
from domain.sql import reader


def reconciliation_endpoint(tokens: AccessTokens, clock: Clock) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        now = clock.now()
        caller = await identify(request, tokens, now, download=True)  # the console links it
        try:
            try:
                day = date.fromisoformat(request.path_params["day"])
            except ValueError as exc:
                raise DomainError(ErrorCode.INVALID_INPUT, "The day is YYYY-MM-DD.", "day") from exc
            found = await list_partner_exchanges(caller.actor, reader(), day, now)
        except DomainError as error:
            return _refused(error)
        return _attachment(
            reconciliation_csv(day, found), f"exchanges-{day.isoformat()}.csv", "text/csv; charset=utf-8"
        )

    return endpoint
