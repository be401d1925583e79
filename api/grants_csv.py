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
from domain.numbers import ascii_int, fold_full_width
from domain.points.grants import GrantRefused, GrantRequest, GrantRow, grant_points

MAX_BYTES = 8 * 1024 * 1024
HEADERS = {"mykeyid", "my_key_id", "マイキーid"}
STATUS = {ErrorCode.UNAUTHENTICATED: 401, ErrorCode.FORBIDDEN: 403, ErrorCode.NOT_FOUND: 404}


def _bad(message: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, "csv")


def parse_rows(text: str) -> tuple[list[GrantRow], int]:
    """The rows, and how many had full-width characters read as ASCII (spreadsheets in Japan often
    write ２００ for 200); points are ASCII digits after that, anything else is refused by line."""
    if "\x00" in text:
        raise _bad("The list contains a NUL character: save it again as plain CSV text.")
    rows, folded = [], 0
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for record in reader:
            number = reader.line_num
            if not record or (number == 1 and record[0].strip().lower() in HEADERS):
                continue
            ascii_record = [fold_full_width(cell.strip()) for cell in record]
            points = ascii_int(ascii_record[1], signed=True) if len(record) == 2 else None
            if points is None:
                raise _bad(f"Line {number}: expected myKeyId,points (points in digits 0-9).")
            folded += ascii_record != [cell.strip() for cell in record]
            rows.append(GrantRow(ascii_record[0].upper(), points))
    except csv.Error as exc:
        raise _bad(f"Line {reader.line_num}: this is not CSV ({exc}).") from exc
    return rows, folded


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
            program = ascii_int(request.query_params.get("programId", ""))
            rows, folded = parse_rows(text)
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
