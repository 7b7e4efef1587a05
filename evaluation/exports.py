"""Every table as CSV or XLSX, exactly as shown (hidden cells stay hidden).

The files hold aggregates only, never a child, so they are not entered in the access log. CSV is
UTF-8 with a byte-order mark (so spreadsheet programs read æ, ø and å), comma-separated, with dots
for decimals; XLSX keeps numbers as numbers and carries the notes on a second sheet. Both are
written by ``herning.core.spreadsheets`` (a label never becomes a formula; never cached).

A file read weeks later, away from the page, must say what it is: each states the figure, its
source, the municipality and the part of it (district, team), the period and the days with data,
the definitions, the suppression rule and when it was made (``About``), and how many of the
period's days the figures rest on (the coverage). The CSV has them below the table after an empty
row, so that the table itself still starts at the first row; the XLSX on a sheet of their own, with
the coverage also first on the notes sheet.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from evaluation.tables import DISCLOSURE_NOTE, FORMATS, Table
from herning.core import spreadsheets

CONTENT_TYPES = {fmt: spreadsheets.CONTENT_TYPES[fmt] for fmt in ("csv", "xlsx")}
_NUMBER_FORMATS = {0: "#,##0", 1: "#,##0.0", 2: "#,##0.00", 3: "0.000"}


@dataclass(frozen=True)
class About:
    """What a file says about its own figure."""

    title: str
    source: str
    municipality: str
    scope: str
    start: datetime.date
    end: datetime.date
    data_from: datetime.date
    data_to: datetime.date
    made_at: datetime.datetime
    coverage: str = ""  # "Dækning: 355 af 365 dage" (evaluation.views.coverage_note)

    def rows(self, table: Table) -> list[list[str]]:
        """(label, value) rows, in the request's language; dates in ISO 8601."""
        partial = (
            _(" (delvis: data til %(day)s)") % {"day": self.data_to.isoformat()}
            if self.data_to < self.end
            else ""
        )
        return [
            [_("Figur"), str(self.title)],
            [_("Kilde"), str(self.source)],
            [_("Kommune"), self.municipality],
            [
                _("Udsnit"),
                self.scope if self.scope and self.scope != self.municipality else _("Hele kommunen"),
            ],
            [_("Periode"), f"{self.start.isoformat()} – {self.end.isoformat()}{partial}"],
            [_("Data findes"), f"{self.data_from.isoformat()} – {self.data_to.isoformat()}"],
            *([[_("Dækning"), self.coverage]] if self.coverage else []),
            *[[_("Definition"), str(note)] for note in table.notes],
            [_("Diskretion"), str(DISCLOSURE_NOTE)],
            [_("Udtrukket"), timezone.localtime(self.made_at).strftime("%Y-%m-%d %H:%M")],
        ]


def _rows(table: Table):
    yield [table.row_header, *table.flat_columns()]
    for row in table.rows:
        yield [row.label, *[cell.export() for cell in row.cells]]


def as_csv(table: Table, about: About | None = None) -> bytes:
    rows = list(_rows(table))
    if about is not None:
        rows += [[], [_("Om tallene")], *about.rows(table)]
    return spreadsheets.csv_bytes(rows, delimiter=",")


def as_xlsx(table: Table, about: About | None = None) -> bytes:
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
    notes = spreadsheets.add_sheet(book, _("Noter"))
    for note in [*([about.coverage] if about and about.coverage else []), *table.notes, str(DISCLOSURE_NOTE)]:
        spreadsheets.append_row(notes, [str(note)])
    if about is not None:
        sheet = spreadsheets.add_sheet(book, _("Om tallene"))
        for label, value in about.rows(table):
            spreadsheets.append_row(sheet, [label, value])[0].font = Font(bold=True)
        sheet.column_dimensions["A"].width = 14
        sheet.column_dimensions["B"].width = 100
    return spreadsheets.workbook_bytes(book)


def response(table: Table, fmt: str, *, filename: str, about: About | None = None) -> HttpResponse:
    content = as_csv(table, about) if fmt == "csv" else as_xlsx(table, about)
    return spreadsheets.file_response(content, fmt=fmt, filename=filename)
