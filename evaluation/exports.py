"""Every table as CSV or XLSX, exactly as shown (hidden cells stay hidden).

The files hold aggregates only, never a child, so they are not entered in the access log. CSV is
UTF-8 with a byte-order mark (so spreadsheet programs read æ, ø and å), comma-separated, with dots
for decimals; XLSX keeps numbers as numbers and carries the notes on a second sheet. Each first
says how many of the period's days the figures rest on (CSV: after the table, XLSX: the notes).
Both are written by ``herning.core.spreadsheets`` (a label never becomes a formula; never cached).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from evaluation.tables import DISCLOSURE_NOTE, FORMATS, Table
from herning.core import spreadsheets

CONTENT_TYPES = {fmt: spreadsheets.CONTENT_TYPES[fmt] for fmt in ("csv", "xlsx")}
_NUMBER_FORMATS = {0: "#,##0", 1: "#,##0.0", 2: "#,##0.00"}


def _rows(table: Table):
    yield [table.row_header, *table.flat_columns()]
    for row in table.rows:
        yield [row.label, *[cell.export() for cell in row.cells]]


def as_csv(table: Table, notes: Sequence[str] = ()) -> bytes:
    """The table, then after an empty row what the figures rest on (``notes``: the coverage)."""
    trailer = [[], *([note] for note in notes)] if notes else []
    return spreadsheets.csv_bytes([*_rows(table), *trailer], delimiter=",")


def as_xlsx(table: Table, notes: Sequence[str] = ()) -> bytes:
    book = spreadsheets.new_workbook(write_only=False)
    sheet = spreadsheets.add_sheet(book, _("Tabel"))
    spreadsheets.append_row(sheet, [table.title])[0].font = Font(bold=True)
    for index, values in enumerate(_rows(table)):
        cells = spreadsheets.append_row(sheet, values)
        if index == 0:
            for cell in cells:
                cell.font = Font(bold=True)
            continue
        row = table.rows[index - 1]
        for position, cell in enumerate(row.cells, start=2):
            decimals, _unit = FORMATS[cell.fmt]
            if isinstance(values[position - 1], float | int) and decimals is not None:
                sheet.cell(row=sheet.max_row, column=position).number_format = _NUMBER_FORMATS[decimals]
            if row.total:
                sheet.cell(row=sheet.max_row, column=position).font = Font(bold=True)
    sheet.column_dimensions["A"].width = (
        max(12, min(60, max(len(str(r.label)) for r in table.rows) + 2)) if table.rows else 12
    )
    sheet = spreadsheets.add_sheet(book, _("Noter"))
    for note in [*notes, *table.notes, str(DISCLOSURE_NOTE)]:
        spreadsheets.append_row(sheet, [str(note)])
    return spreadsheets.workbook_bytes(book)


def response(table: Table, fmt: str, *, filename: str, notes: Sequence[str] = ()) -> HttpResponse:
    content = as_csv(table, notes) if fmt == "csv" else as_xlsx(table, notes)
    return spreadsheets.file_response(content, fmt=fmt, filename=filename)
