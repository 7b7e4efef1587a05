"""Every table as CSV or XLSX, exactly as shown (hidden cells stay hidden).

The files hold aggregates only, never a child, so they are not entered in the access log. CSV is
UTF-8 with a byte-order mark (so spreadsheet programs read æ, ø and å), comma-separated, with dots
for decimals; XLSX keeps numbers as numbers and carries the notes on a second sheet.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from evaluation.tables import DISCLOSURE_NOTE, FORMATS, Table

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_NUMBER_FORMATS = {0: "#,##0", 1: "#,##0.0", 2: "#,##0.00"}


def _rows(table: Table):
    yield [table.row_header, *table.flat_columns()]
    for row in table.rows:
        yield [row.label, *[cell.export() for cell in row.cells]]


def as_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _rows(table):
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(table: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Tabel")[:31]
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True)
    for index, values in enumerate(_rows(table)):
        sheet.append(values)
        if index == 0:
            for cell in sheet[sheet.max_row]:
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
    notes = book.create_sheet(_("Noter")[:31])
    for note in [*table.notes, str(DISCLOSURE_NOTE)]:
        notes.append([str(note)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def response(table: Table, fmt: str, *, filename: str) -> HttpResponse:
    content = as_csv(table) if fmt == "csv" else as_xlsx(table)
    result = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    result["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return result
