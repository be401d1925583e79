"""``GET /settlements/{id}/zengin``: a closed run's 総合振込 file (municipality admins, or the operator;
``Authorization: Bearer`` or the console's session cookie)."""

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.auth import identify
from domain.auth.access_tokens import AccessTokens
from domain.clock import Clock
from domain.errors import DomainError, ErrorCode
from domain.numbers import ascii_int
from domain.settlement.exports import transfer_file

STATUS = {ErrorCode.UNAUTHENTICATED: 401, ErrorCode.FORBIDDEN: 403, ErrorCode.NOT_FOUND: 404}


def zengin_endpoint(tokens: AccessTokens, clock: Clock) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        caller = await identify(request, tokens, clock.now())
        settlement_id = ascii_int(request.path_params["id"])
        try:
            export = await transfer_file(caller.actor, -1 if settlement_id is None else settlement_id)
        except DomainError as error:
            body = {"error": {"code": error.code.value, "field": error.field, "message": error.message}}
            return JSONResponse(body, status_code=STATUS.get(error.code, 400))
        return Response(
            export.content,
            media_type="text/plain; charset=Shift_JIS",
            headers={
                "Content-Disposition": f'attachment; filename="{export.filename}"',
                "Cache-Control": "no-store",
            },
        )

    return endpoint
