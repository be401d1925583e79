"""``POST /grants.csv``: a department's list of grants as CSV (myKeyId,points), one batch.

Query parameters ``programId`` and ``reason``; header ``Idempotency-Key``; ``Authorization: Bearer``
of municipality staff or a GRANT terminal. The answer is JSON: the batch granted, or every bad row
(nothing is granted then). Same rules as the ``grantPoints`` mutation: it is the same action.
"""

import csv
import io
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from api.auth import identify
from domain.auth.access_tokens import AccessTokens
from domain.clock import Clock
from domain.errors import DomainError, ErrorCode
from domain.points.grants import GrantRefused, GrantRequest, GrantRow, grant_points

MAX_BYTES = 8 * 1024 * 1024
HEADERS = {"mykeyid", "my_key_id", "マイキーid"}
STATUS = {ErrorCode.UNAUTHENTICATED: 401, ErrorCode.FORBIDDEN: 403, ErrorCode.NOT_FOUND: 404}


def _bad(message: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, "csv")


def parse_rows(text: str) -> list[GrantRow]:
    rows = []
    for number, record in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not record or (number == 1 and record[0].strip().lower() in HEADERS):
            continue
        if len(record) != 2 or not record[1].strip().lstrip("-").isdigit():
            raise _bad(f"Line {number}: expected myKeyId,points.")
        rows.append(GrantRow(record[0].strip().upper(), int(record[1])))
    return rows


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
            try:
                text = body.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise _bad("Send the list as UTF-8 text.") from exc
            program = request.query_params.get("programId", "")
            grant = GrantRequest(
                program_id=int(program) if program.isdigit() and len(program) < 19 else -1,
                reason=request.query_params.get("reason", ""),
                idempotency_key=request.headers.get("idempotency-key", ""),
                rows=parse_rows(text),
            )
            done = await grant_points(caller.actor, grant, now)
        except GrantRefused as refused:
            rows = [
                {"row": e.row, "myKeyId": e.my_key_id, "code": e.code.value, "message": e.message}
                for e in refused.row_errors
            ]
            return JSONResponse({"error": _error(refused), "rowErrors": rows}, status_code=422)
        except DomainError as error:
            return JSONResponse({"error": _error(error)}, status_code=STATUS.get(error.code, 400))
        return JSONResponse({"granted": done.granted, "points": done.points})

    return endpoint
