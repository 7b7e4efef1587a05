"""The one way the product writes a spreadsheet file (CSV or XLSX) and hands it out.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to a
spreadsheet program, whoever typed it: a child's name ``=HYPERLINK(...)`` entered in a form would
run in the advisor's Excel (CSV/formula injection). Every text cell is therefore made inert with a
leading apostrophe, as OWASP's "CSV Injection" guidance advises; numbers and dates that are real
numbers and dates (``int``, ``float``, ``Decimal``, ``date``, ``datetime``) are written as such,
since a spreadsheet never reads those as formulas. In XLSX every text cell is stored as text
(``data_type "s"``), so openpyxl never stores a formula either.

``file_response`` answers with the file as a download that no browser or proxy keeps
(``Cache-Control: no-store``): the files carry children's data or figures about them.

``tests/herning/test_exports.py`` fails if product code writes a CSV or a workbook elsewhere.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
_NUMBERS_AND_DATES = (int, float, Decimal, datetime.date, datetime.time)


def inert(value):
    """``value`` as a cell: ``None`` as empty, numbers and dates as themselves, anything else as
    text, with an apostrophe in front if it would start a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, _NUMBERS_AND_DATES):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def restore(text: str) -> str:
    """The text ``inert`` was given back: for reading our own files (the DUBU round trip)."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def csv_bytes(
    rows: Iterable[Sequence],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
    lineterminator: str = "\r\n",
    date_format: str | None = None,
) -> bytes:
    """The rows as CSV. Dates are written with ``date_format`` (default ISO 8601); a byte-order mark
    with ``utf-8-sig`` lets Danish Excel read æ, ø and å."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    for row in rows:
        writer.writerow([_csv_value(v, date_format) for v in row])
    return buffer.getvalue().encode(encoding, errors="replace")


def _csv_value(value, date_format: str | None):
    value = inert(value)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime(date_format) if date_format else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.strftime(date_format) if date_format else value.isoformat()
    return value


def new_workbook(*, write_only: bool = True):
    """A workbook without its default sheet (``add_sheet`` adds them). ``write_only=False`` when
    the caller styles cells after appending them."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=write_only)
    if not write_only:
        workbook.remove(workbook.active)
    return workbook


def add_sheet(workbook, title: str):
    return workbook.create_sheet(title=str(title)[:31] or "Ark")


def append_row(sheet, values: Sequence) -> list:
    """Append ``values`` as a row of inert cells; returns the cells (to style them)."""
    from openpyxl.cell import Cell

    cells = []
    for value in values:
        value = inert(value)
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            # Spreadsheets have no time zones: local time, as the person reads it on screen.
            value = timezone.localtime(value).replace(tzinfo=None)
        cell = Cell(sheet, row=1, column=1, value=value)  # placed by ``append``, as WriteOnlyCell is
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    sheet.append(cells)
    return cells


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(rows: Iterable[Sequence], *, title: str) -> bytes:
    """The rows as a workbook of one sheet."""
    workbook = new_workbook()
    sheet = add_sheet(workbook, title)
    for row in rows:
        append_row(sheet, row)
    return workbook_bytes(workbook)


def file_response(
    content: bytes, *, fmt: str, filename: str, content_type: str | None = None
) -> HttpResponse:
    """The file as a download that is never stored by a browser or a proxy."""
    response = HttpResponse(content, content_type=content_type or CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response
