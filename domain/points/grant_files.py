"""A department's list of grants from the browser: read (CSV in UTF-8 or Shift_JIS, or an Excel sheet),
checked in a dry run that reports every bad row and applies nothing, staged, then granted once the
officer confirms — with its progress readable while it runs, and the history of batches by department.

The staged list holds MyKey IDs and points only, and is erased once granted. Starting is a guarded
claim (one UPDATE on the file's status), and the grant itself is idempotent under the file's own key,
so a second click, a second tab or a retry after a crash never grants twice.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.auth.access import require_municipality
from domain.auth.actor import Actor, Role
from domain.auth.permissions import Permission, permit
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import get_municipality_by_code
from domain.numbers import ascii_int, fold_full_width
from domain.points.grants import (
    MAX_ROWS,
    GrantRequest,
    GrantRow,
    RowError,
    active_residents,
    grant_points,
    grantable,
    row_errors,
)
from domain.sql import Sql, reader
from models.grants import GrantFileStatus

MAX_BYTES = 16 * 1024 * 1024
SHOWN_ERRORS = 1_000  # a dry run lists this many bad rows, and counts all of them
HEADERS = {"mykeyid", "my_key_id", "マイキーid", "id"}
POINT_HEADERS = {"points", "point", "pt", "ポイント", "付与ポイント", "ポイント数"}
STALE_RUN = timedelta(minutes=10)  # a run this quiet died with its process: it may be started again
BAD_ROW = "Expected a MyKey ID and points (digits) in the first two columns."


def _bad(message: str, reason: str) -> DomainError:
    return DomainError(ErrorCode.INVALID_INPUT, message, "file", f"file.{reason}")


@dataclass(frozen=True)
class ListRead:
    rows: list[GrantRow]
    lines: list[int]  # the line (CSV) or sheet row (Excel) of each row
    errors: list[RowError]  # lines that are not "MyKey ID, points"
    folded: int  # rows whose full-width characters were read as ASCII
    encoding: str  # UTF-8, Shift_JIS or xlsx


def _is_header(cells: list[str]) -> bool:
    first = cells[0].replace(" ", "").lower() if cells else ""
    second = cells[1].replace(" ", "").lower() if len(cells) > 1 else ""
    return first in HEADERS or second in POINT_HEADERS


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _records(data: bytes) -> tuple[list[tuple[int, list[str]]], str]:
    if data[:4] == b"PK\x03\x04":
        return _sheet(data), "xlsx"
    if b"\x00" in data:
        raise _bad("The file contains NUL characters: save it as CSV (or .xlsx) from Excel.", "nul")
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data.decode("utf-8-sig"), "UTF-8"
    else:
        try:
            text, encoding = data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp932"), "Shift_JIS"
            except UnicodeDecodeError as exc:
                raise _bad(
                    "Save the list as CSV in UTF-8 or Shift_JIS, or as an Excel .xlsx sheet.", "encoding"
                ) from exc
    found: list[tuple[int, list[str]]] = []
    lines = csv.reader(io.StringIO(text, newline=""))
    try:
        for record in lines:
            found.append((lines.line_num, [cell.strip() for cell in record]))
            if len(found) > MAX_ROWS + 1:
                raise _bad(f"A list has at most {MAX_ROWS:,} rows.", "rows")
    except csv.Error as exc:
        raise _bad(f"Line {lines.line_num}: this is not CSV ({exc}).", "csv") from exc
    return found, encoding


def _sheet(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl  # loaded only when an Excel file arrives

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _bad("This .xlsx file cannot be read: save it again from Excel.", "xlsx") from exc
    try:
        sheet = book.worksheets[0]
        found: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            found.append((number, [_cell(v) for v in values[:3]]))
            if len(found) > MAX_ROWS + 1:
                raise _bad(f"A list has at most {MAX_ROWS:,} rows.", "rows")
        return found
    finally:
        book.close()


def read_grant_list(data: bytes) -> ListRead:
    """The rows of a department's list; every line that is not "MyKey ID, points" is an error."""
    if not data:
        raise _bad("The file is empty.", "empty")
    if len(data) > MAX_BYTES:
        raise _bad("The file is larger than 16 MB.", "large")
    records, encoding = _records(data)
    rows: list[GrantRow] = []
    lines: list[int] = []
    errors: list[RowError] = []
    folded = 0
    first = True
    for number, raw in records:
        cells = list(raw)
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if first and _is_header(cells):
            first = False
            continue
        first = False
        ascii_cells = [fold_full_width(c) for c in cells]
        points = ascii_int(ascii_cells[1].replace(",", ""), signed=True) if len(cells) == 2 else None
        if points is None:
            errors.append(RowError(number, ascii_cells[0][:20], ErrorCode.INVALID_INPUT, BAD_ROW, "format"))
            continue
        folded += ascii_cells != cells
        rows.append(GrantRow(ascii_cells[0].upper(), points))
        lines.append(number)
    if not rows and not errors:
        raise _bad("The file has no rows: one MyKey ID and its points per line.", "empty")
    return ListRead(rows, lines, errors, folded, encoding)


@dataclass(frozen=True)
class CheckedList:
    file_id: int | None  # staged for the grant when every row is good; None when any is bad
    rows: int
    points: int
    error_count: int
    errors: list[RowError]  # the first SHOWN_ERRORS, by line
    folded: int
    encoding: str


async def check_grant_list(
    actor: Actor | None, program_id: int, reason: str, file_name: str, data: bytes, now: datetime
) -> CheckedList:
    """The dry run: every bad row of the list, or the list staged for the officer to confirm."""
    permit(actor, Permission.MUNICIPALITY_STAFF)
    read = read_grant_list(data)
    actor, program, reason = await grantable(actor, program_id, reason, max(1, len(read.rows)), now)
    residents = await active_residents(reader(), sorted({r.my_key_id for r in read.rows}))
    by_index = row_errors(read.rows, residents)
    errors = sorted(
        read.errors + [replace(e, row=read.lines[e.row - 1]) for e in by_index],
        key=lambda e: e.row,
    )
    points = sum(r.points for r in read.rows if r.points > 0)
    if errors:
        return CheckedList(
            None, len(read.rows), points, len(errors), errors[:SHOWN_ERRORS], read.folded, read.encoding
        )
    file_id = await reader().fetchval(
        "INSERT INTO grant_files (municipality_id, program_id, department, uploaded_by, file_name, reason,"
        " content, row_count, points, status, done_rows, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $11) RETURNING id",
        program.municipality_id,
        program.id,
        actor.department if actor.role is Role.MUNICIPALITY_STAFF else None,
        actor.label,
        (file_name.strip() or "list")[-200:],
        reason,
        "\n".join(f"{r.my_key_id},{r.points}" for r in read.rows),
        len(read.rows),
        points,
        GrantFileStatus.CHECKED.value,
        now,
    )
    return CheckedList(int(file_id), len(read.rows), points, 0, [], read.folded, read.encoding)


@dataclass(frozen=True)
class GrantFileView:
    id: int
    municipality_id: int
    program_id: int
    department: str | None
    uploaded_by: str
    file_name: str
    reason: str
    row_count: int
    points: int
    status: GrantFileStatus
    done_rows: int
    failure: str | None
    batch_id: int | None
    updated_at: datetime


COLUMNS = (
    "id, municipality_id, program_id, department, uploaded_by, file_name, reason, row_count, points, status,"
    " done_rows, failure, batch_id, updated_at"
)


def _may_see(actor: Actor, department: str | None) -> None:
    """Department staff see their own department's files and batches only."""
    if actor.role is Role.MUNICIPALITY_STAFF and department != actor.department:
        raise DomainError(ErrorCode.FORBIDDEN, "This belongs to another department.", "fileId")


async def get_grant_file(actor: Actor | None, sql: Sql, file_id: int) -> GrantFileView:
    actor = permit(actor, Permission.MUNICIPALITY_STAFF)
    found = await sql.fetchrow_as(GrantFileView, f"SELECT {COLUMNS} FROM grant_files WHERE id = $1", file_id)
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such list: check it again.", "fileId")
    require_municipality(actor, found.municipality_id)
    _may_see(actor, found.department)
    return found


async def start_grant_file(actor: Actor | None, file_id: int, now: datetime) -> GrantFileView:
    """Claim a checked list for its grant: exactly one caller wins; a finished list is refused."""
    staged = await get_grant_file(actor, reader(), file_id)
    claimed = await reader().execute(
        "UPDATE grant_files SET status = 'RUNNING', done_rows = 0, failure = NULL, updated_at = $2"
        " WHERE id = $1 AND content IS NOT NULL AND (status IN ('CHECKED', 'FAILED')"
        " OR status = 'RUNNING' AND updated_at < $3)",
        file_id,
        now,
        now - STALE_RUN,
    )
    if not claimed:
        if staged.status is GrantFileStatus.DONE:
            raise DomainError(
                ErrorCode.INVALID_INPUT, "This list has been granted already.", "fileId", "grant_file.done"
            )
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            "This list is being granted: wait for it to finish.",
            "fileId",
            "grant_file.running",
        )
    return await get_grant_file(actor, reader(), file_id)


async def run_grant_file(actor: Actor | None, file_id: int, now: datetime) -> GrantFileView:
    """Grant a claimed list (see :func:`start_grant_file`), recording its progress as it goes."""
    staged = await get_grant_file(actor, reader(), file_id)
    content = await reader().fetchval(
        "SELECT content FROM grant_files WHERE id = $1 AND status = 'RUNNING'", file_id
    )
    if content is None:
        raise DomainError(ErrorCode.INVALID_INPUT, "Start this list first.", "fileId", "grant_file.running")
    rows = []
    for line in str(content).split("\n"):
        my_key_id, points = line.split(",")
        rows.append(GrantRow(my_key_id, int(points)))

    async def progress(checked: int) -> None:
        await reader().execute(
            "UPDATE grant_files SET done_rows = $2, updated_at = $3 WHERE id = $1 AND status = 'RUNNING'",
            file_id,
            min(checked, staged.row_count),
            now,
        )

    request = GrantRequest(staged.program_id, staged.reason, f"grant-file:{file_id}", rows, staged.file_name)
    try:
        done = await grant_points(actor, request, now, progress)
    except DomainError as error:
        await reader().execute(
            "UPDATE grant_files SET status = 'FAILED', failure = $2, updated_at = $3 WHERE id = $1",
            file_id,
            error.message[:200],
            now,
        )
        raise
    await reader().execute(
        "UPDATE grant_files SET status = 'DONE', done_rows = row_count, content = NULL, updated_at = $3,"
        " batch_id = (SELECT id FROM grant_batches WHERE entry_id = $2) WHERE id = $1",
        file_id,
        done.entry_id,
        now,
    )
    return await get_grant_file(actor, reader(), file_id)


@dataclass(frozen=True)
class BatchView:
    id: int
    program_id: int
    program_name: str
    department: str | None
    sent_by: str
    reason: str
    file_name: str | None
    rows: int
    points: int
    created_at: datetime


async def list_grant_batches(
    actor: Actor | None, sql: Sql, municipality_code: str, first: int = 100
) -> list[BatchView]:
    """The municipality's grants, newest first: all of them for its admins and the operator, a
    department's own for its staff."""
    actor = permit(actor, Permission.MUNICIPALITY_STAFF)
    municipality = await get_municipality_by_code(sql, municipality_code)
    require_municipality(actor, municipality.id)
    own = actor.role is Role.MUNICIPALITY_STAFF
    return await sql.fetch_as(
        BatchView,
        "SELECT b.id, b.program_id, p.name AS program_name, b.department, b.sent_by, b.reason, b.file_name,"
        " b.rows, b.points, b.created_at FROM grant_batches b JOIN programs p ON p.id = b.program_id"
        " WHERE b.municipality_id = $1 AND ($2 = 0 OR b.department = $3) ORDER BY b.id DESC LIMIT $4",
        municipality.id,
        1 if own else 0,
        actor.department or "",
        max(1, min(first, 500)),
    )
