"""``POST /grants.csv``: a department's list of grants as CSV (myKeyId,points), one batch.

Query parameters ``programId`` and ``reason``; header ``Idempotency-Key``; ``Authorization: Bearer``
of municipality staff or a GRANT terminal. The answer is JSON: the batch granted, or every bad row
(nothing is granted then). Same rules as the ``grantPoints`` mutation: it is the same action.
"""

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from api.auth import identify
from domain.auth.access_tokens import AccessTokens
from domain.clock import Clock
from domain.errors import DomainError, ErrorCode
from domain.numbers import ascii_int
from domain.points.grant_files import read_grant_list
from domain.points.grants import GrantRefused, GrantRequest, GrantRow, grant_points

MAX_BYTES = 8 * 1024 * 1024
STATUS = {ErrorCode.UNAUTHENTICATED: 401, ErrorCode.FORBIDDEN: 403, ErrorCode.NOT_FOUND: 404}


def _bad(message: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, "csv")


def parse_rows(data: bytes) -> tuple[list[GrantRow], int]:
    """The rows, and how many had full-width characters read as ASCII (spreadsheets in Japan often
    write ２００ for 200); the first line that is not myKeyId,points refuses the list by its number.
    The console's upload reads files the same way (``domain.points.grant_files``)."""
    try:
        read = read_grant_list(data)
    except DomainError as error:
        raise _bad(error.message) from error
    if read.errors:
        raise _bad(f"Line {read.errors[0].row}: expected myKeyId,points (points in digits 0-9).")
    return read.rows, read.folded


def _error(error: DomainError) -> dict[str, str | None]:
    return {"code": error.code.value, "field": error.field, "message": error.message}


def grants_csv_endpoint(tokens: AccessTokens, clock: Clock) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def endpoint(request: Request) -> JSONResponse:
        now = clock.now()
        caller = await identify(request, tokens, now)
        body = await request.body()
        try:
            if len(body) > MAX_BYTES:
                raise _bad("The list is larger than 8 MB.")
            program = ascii_int(request.query_params.get("programId", ""))
            rows, folded = parse_rows(body)
            grant = GrantRequest(
                program_id=-1 if program is None else program,
                reason=request.query_params.get("reason", ""),
                idempotency_key=request.headers.get("idempotency-key", ""),
                rows=rows,
            )
            done = await grant_points(caller.actor, grant, now)
        except GrantRefused as refused:
            bad = [
                {"row": e.row, "myKeyId": e.my_key_id, "code": e.code.value, "message": e.message}
                for e in refused.row_errors
            ]
            return JSONResponse({"error": _error(refused), "rowErrors": bad}, status_code=422)
        except DomainError as error:
            return JSONResponse({"error": _error(error)}, status_code=STATUS.get(error.code, 400))
        notes = [f"Full-width characters were read as ASCII in {folded} rows."] if folded else []
        return JSONResponse({"granted": done.granted, "points": done.points, "notes": notes})

    return endpoint
