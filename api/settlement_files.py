"""A closed run's files (municipality admins, or the operator; ``Authorization: Bearer`` or the
console's session cookie): ``GET /settlements/{id}/zengin``, the 総合振込 file that pays its shops,
``GET /settlements/{id}/statements.csv``, its statements for a spreadsheet, and each shop's A4
statement as PDF; ``GET /reports/{code}/{YYYY-MM}.csv`` (and ``.svg``), a monthly report."""

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.auth import identify
from domain.auth.access_tokens import AccessTokens
from domain.clock import Clock
from domain.errors import DomainError, ErrorCode
from domain.numbers import ascii_int
from domain.settlement.exports import statements_csv, transfer_file
from domain.settlement.printing import shop_statement_pdf
from domain.settlement.report_files import report_file

STATUS = {ErrorCode.UNAUTHENTICATED: 401, ErrorCode.FORBIDDEN: 403, ErrorCode.NOT_FOUND: 404}


def _refused(error: DomainError) -> JSONResponse:
    body = {"error": {"code": error.code.value, "field": error.field, "message": error.message}}
    return JSONResponse(body, status_code=STATUS.get(error.code, 400))


def _attachment(content: bytes, filename: str, media_type: str) -> Response:
    disposition = f'attachment; filename="{filename}"'
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def zengin_endpoint(tokens: AccessTokens, clock: Clock) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        caller = await identify(request, tokens, clock.now(), download=True)
        settlement_id = ascii_int(request.path_params["id"])
        try:
            export = await transfer_file(caller.actor, -1 if settlement_id is None else settlement_id)
        except DomainError as error:
            return _refused(error)
        return _attachment(export.content, export.filename, "text/plain; charset=Shift_JIS")

    return endpoint


def statements_endpoint(tokens: AccessTokens, clock: Clock) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        caller = await identify(request, tokens, clock.now(), download=True)
        settlement_id = ascii_int(request.path_params["id"])
        try:
            export = await statements_csv(caller.actor, -1 if settlement_id is None else settlement_id)
        except DomainError as error:
            return _refused(error)
        return _attachment(export.content, export.filename, "text/csv; charset=utf-8")

    return endpoint


def shop_statement_endpoint(tokens: AccessTokens, clock: Clock) -> Callable[[Request], Awaitable[Response]]:
    """``GET /settlements/{id}/shops/{shopId}/statement.pdf``: a shop's statement on A4."""

    async def endpoint(request: Request) -> Response:
        caller = await identify(request, tokens, clock.now(), download=True)
        settlement_id = ascii_int(request.path_params["id"])
        shop_id = ascii_int(request.path_params["shop"])
        try:
            printed = await shop_statement_pdf(
                caller.actor,
                -1 if settlement_id is None else settlement_id,
                -1 if shop_id is None else shop_id,
            )
        except DomainError as error:
            return _refused(error)
        return _attachment(printed.content, printed.filename, "application/pdf")

    return endpoint


def report_endpoint(tokens: AccessTokens, clock: Clock) -> Callable[[Request], Awaitable[Response]]:
    """``GET /reports/{code}/{YYYY-MM}.csv`` (or ``.svg``): a municipality's monthly report."""

    async def endpoint(request: Request) -> Response:
        caller = await identify(request, tokens, clock.now(), download=True)
        kind = request.path_params["kind"]
        try:
            if kind not in ("csv", "svg"):
                raise DomainError(ErrorCode.NOT_FOUND, "A report is .csv or .svg.", "path")
            made = await report_file(
                caller.actor, request.path_params["code"], request.path_params["month"], kind, clock.now()
            )
        except DomainError as error:
            return _refused(error)
        if kind == "svg":
            return Response(made.content, media_type=made.media_type, headers={"Cache-Control": "no-store"})
        return _attachment(made.content, made.filename, made.media_type)

    return endpoint
