"""Reading a DUBU file: CSV (semicolon or comma; UTF-8 with or without BOM, or Windows-1252) or
XLSX, into rows of column name → value. Nothing here knows what the columns mean."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Our own export puts an apostrophe before a text that would start a formula; reading it back
# takes it off, so exporting and importing again changes nothing.
from herning.core.spreadsheets import restore

# A bound on the work one file can ask for: a municipality's whole DUBU extract is well below it.
MAX_ROWS = 100_000


class FileError(Exception):
    """The file as a whole cannot be read (not a row's fault)."""


@dataclass
class Table:
    header: list[str]
    # (row number as a spreadsheet shows it, the header row being 1; column → value)
    rows: list[tuple[int, dict[str, object]]]


def read_table(content: bytes, *, file_name: str, delimiter: str = "auto", encoding: str = "auto") -> Table:
    if file_name.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        return _read_xlsx(content)
    return _read_csv(content, delimiter=delimiter, encoding=encoding)


def _decode(content: bytes, encoding: str) -> str:
    candidates = ["utf-8-sig", "cp1252"] if encoding == "auto" else [encoding]
    for name in candidates:
        try:
            return content.decode("utf-8-sig" if name == "utf-8" else name)
        except UnicodeDecodeError:
            continue
    raise FileError(_("Filen kan ikke læses som tekst i tegnsættet UTF-8 eller Windows-1252."))


def _read_csv(content: bytes, *, delimiter: str, encoding: str) -> Table:
    text = _decode(content, encoding)
    first_line = text.split("\n", 1)[0]
    if delimiter == "auto":
        delimiter = "," if first_line.count(",") > first_line.count(";") else ";"
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise FileError(_("Filen er ikke en gyldig CSV-fil: %(error)s") % {"error": error}) from None
    return _table(enumerate(lines, start=1))


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise FileError(_("Filen er ikke en gyldig XLSX-fil.")) from None
    try:
        sheet = workbook.worksheets[0]
        return _table(enumerate(sheet.iter_rows(values_only=True), start=1))
    finally:
        workbook.close()


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(numbered) -> Table:
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, object]]] = []
    for number, cells in numbered:
        cells = list(cells)
        if all(_blank(c) for c in cells):
            continue
        if header is None:
            header = [restore(str(c)).strip() if c is not None else "" for c in cells]
            continue
        if len(rows) >= MAX_ROWS:
            raise FileError(
                _("Filen har mere end %(max)s rækker; del den op.")
                % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
            )
        values = {}
        for name, value in zip(header, cells, strict=False):
            if name:
                values[name] = restore(value).strip() if isinstance(value, str) else value
        rows.append((number, values))
    if header is None:
        raise FileError(_("Filen er tom."))
    return Table(header=header, rows=rows)
