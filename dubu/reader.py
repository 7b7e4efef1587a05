"""Reading a DUBU file: CSV (semicolon, comma or tab; UTF-8 with or without BOM, UTF-16 with BOM
as Excel's "Unicode text" writes it, or Windows-1252) or XLSX, into rows of column name → value.
Nothing here knows what the columns mean.

A file is bounded before it is parsed (docs/dubu-exchange.md "Limits"): its size; its rows below
the header, blank ones included, because a reader pays for every row a file claims; and, for
XLSX, what the zip unpacks to, its number of parts and how strongly each part is packed, checked
from the zip's directory before openpyxl reads anything.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from itertools import chain
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _

# Our own export puts an apostrophe before a text that would start a formula; reading it back
# takes it off, so exporting and importing again changes nothing.
from herning.core.spreadsheets import restore

MB = 1024 * 1024
# The columns read from an XLSX row: a DUBU extract has a few dozen; a cell further right (the
# sheet's last column is XFD, 16,384) would only make every row that long.
MAX_COLUMNS = 250
# A part smaller than this cannot exhaust anything, however strongly it is packed.
RATIO_GRACE_BYTES = MB


class FileError(Exception):
    """The file as a whole cannot be read (not a row's fault)."""


@dataclass
class Table:
    header: list[str]
    # (row number as a spreadsheet shows it, the header row being 1; column → value)
    rows: list[tuple[int, dict[str, object]]]


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    rows: int
    unpacked_bytes: int
    parts: int
    ratio: int

    @classmethod
    def from_settings(cls) -> Limits:
        h = settings.HERNING
        return cls(
            file_bytes=h["DUBU_MAX_FILE_MB"] * MB,
            rows=h["DUBU_MAX_ROWS"],
            unpacked_bytes=h["DUBU_XLSX_MAX_UNPACKED_MB"] * MB,
            parts=h["DUBU_XLSX_MAX_PARTS"],
            ratio=h["DUBU_XLSX_MAX_RATIO"],
        )


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _listing(items: list[str]) -> str:
    """``a, b og c``."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return _("%(first)s og %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def max_file_bytes() -> int:
    return Limits.from_settings().file_bytes


def too_large_message() -> str:
    return _("Filen er for stor (højst %(max)s MB).") % {"max": settings.HERNING["DUBU_MAX_FILE_MB"]}


def read_table(content: bytes, *, file_name: str, delimiter: str = "auto", encoding: str = "auto") -> Table:
    limits = Limits.from_settings()
    if len(content) > limits.file_bytes:
        raise FileError(too_large_message())
    if file_name.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        return _read_xlsx(content, limits)
    return _read_csv(content, delimiter=delimiter, encoding=encoding, limits=limits)


# --- CSV ------------------------------------------------------------------------------------------

ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
}
# A byte-order mark says which character set a file is in, whatever the profile expects.
BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _delimiter_names() -> dict[str, str]:
    return {";": _("semikolon"), ",": _("komma"), "\t": _("tabulator")}


def _try(content: bytes, name: str) -> str | None:
    try:
        text = content.decode(name)
    except UnicodeDecodeError:
        return None
    # A NUL is no character of a text file: this is another character set, or no text at all.
    return None if "\x00" in text else text


def _utf16_without_bom(content: bytes) -> str | None:
    """UTF-16 saved without a BOM: Latin letters leave every other byte zero."""
    sample = content[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= len(sample) // 4 and even * 4 < odd:
        return "utf-16-le"
    if even >= len(sample) // 4 and odd * 4 < even:
        return "utf-16-be"
    return None


def _decode(content: bytes, encoding: str) -> str:
    for bom, name in BOMS:
        if content.startswith(bom):
            candidates, content = [name], content[len(bom) :]
            break
    else:
        if encoding == "auto":
            candidates = ["utf-8", _utf16_without_bom(content) or "utf-16", "cp1252"]
        else:
            candidates = [encoding]
    for name in candidates:
        # "utf-16" alone names the family tried, not a decoding: without a BOM or the zero bytes
        # of Latin letters, the file is not UTF-16.
        text = _try(content, name) if name != "utf-16" else None
        if text is not None:
            return text
    names = list(dict.fromkeys(ENCODING_NAMES.get(name, name) for name in candidates))
    raise FileError(
        _(
            "Filen kan ikke læses som tekst (prøvede tegnsættene %(encodings)s). Gem den som CSV "
            "(UTF-8) eller som XLSX."
        )
        % {"encodings": _listing(names)}
    )


def _first_record(text: str, delimiter: str, limits: Limits) -> list[str] | None:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for number, cells in enumerate(reader, start=1):
        if any(c.strip() for c in cells):
            return cells
        if number > limits.rows:
            break
    return None


def _find_delimiter(text: str, limits: Limits) -> str:
    """The separator that splits the header into the most columns."""
    best, most = None, 1
    for delimiter in _delimiter_names():
        header = _first_record(text, delimiter, limits)
        if header is None:
            return ";"  # no header: the table says why (empty, or too many blank rows)
        if len(header) > most:
            best, most = delimiter, len(header)
    if best is None:
        raise FileError(
            _("Skilletegnet mellem kolonnerne kan ikke findes i overskriftsrækken; prøvede %(separators)s.")
            % {"separators": _listing(list(_delimiter_names().values()))}
        )
    return best


def _read_csv(content: bytes, *, delimiter: str, encoding: str, limits: Limits) -> Table:
    text = _decode(content, encoding)
    if not text.strip():
        raise FileError(_("Filen er tom."))
    try:
        if delimiter == "auto":
            delimiter = _find_delimiter(text, limits)
        # Streamed, never a list of every line: a file of blank lines costs nothing but its count.
        lines = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _table(enumerate(lines, start=1), limits)
    except csv.Error as error:
        raise FileError(_("Filen er ikke en gyldig CSV-fil: %(error)s") % {"error": error}) from None


# --- XLSX -----------------------------------------------------------------------------------------

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# A row's start tag, with or without a namespace prefix, and its row number (attribute r).
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])([^>]*)>")
_ROW_NUMBER = re.compile(rb"""(?<![\w:.-])r\s*=\s*["'](\d{1,9})["']""")


def _not_xlsx() -> FileError:
    return FileError(_("Filen er ikke en gyldig XLSX-fil."))


def _check_directory(content: bytes, limits: Limits) -> None:
    """The number of parts, from the zip's end record, before ``zipfile`` builds an object for
    each: a 50 MB zip can list a million parts."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or len(content) < end + 22:
        raise _not_xlsx()
    parts = int.from_bytes(content[end + 10 : end + 12], "little")
    directory_bytes = int.from_bytes(content[end + 12 : end + 16], "little")
    # Each entry of the directory is at least 46 bytes; a name of a part is short.
    if parts > limits.parts or directory_bytes > limits.parts * 1024:
        raise FileError(
            _("XLSX-filen består af flere end %(max)s dele og læses ikke.") % {"max": _number(limits.parts)}
        )


def _check_parts(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Zip bombs, from the sizes in the zip's directory. ``zipfile`` never unpacks more of a part
    than its stated size (a part that holds more fails its check sum), so these sizes bound what
    openpyxl can be made to read."""
    parts = archive.infolist()
    if len(parts) > limits.parts:
        raise FileError(
            _("XLSX-filen består af flere end %(max)s dele og læses ikke.") % {"max": _number(limits.parts)}
        )
    for part in parts:
        if part.file_size > RATIO_GRACE_BYTES and part.file_size > limits.ratio * max(part.compress_size, 1):
            raise FileError(
                _(
                    "XLSX-filen er pakket usædvanligt stærkt: en del fylder %(ratio)s gange mere udpakket "
                    "end pakket (højst %(max)s). Filen læses ikke; gem den igen fra Excel, eller gem den "
                    "som CSV."
                )
                % {
                    "ratio": _number(part.file_size // max(part.compress_size, 1)),
                    "max": _number(limits.ratio),
                }
            )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.unpacked_bytes:
        raise FileError(
            _(
                "XLSX-filen fylder %(size)s MB udpakket; højst %(max)s MB læses. Gem den som CSV, eller del den op."
            )
            % {"size": _number(unpacked // MB), "max": _number(limits.unpacked_bytes // MB)}
        )


def _first_start(archive: zipfile.ZipFile, name: str, tag: str, match=lambda element: True):
    """The first element ``tag`` (local name) of part ``name`` that ``match`` accepts, read as a
    stream and no further."""
    try:
        with archive.open(name) as source:
            # The part's size is bounded by the checks above, it is read only to its first such
            # element, and the expat under ElementTree limits entity expansion (billion laughs).
            for _event, element in ElementTree.iterparse(source, events=("start",)):  # noqa: S314
                if element.tag.rsplit("}", 1)[-1] == tag and match(element):
                    return element
    except (KeyError, ElementTree.ParseError):
        pass
    return None


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    """The part of the workbook's first worksheet, as openpyxl finds it (workbook.xml's first
    sheet and its relationship)."""
    sheet = _first_start(archive, "xl/workbook.xml", "sheet")
    rel_id = sheet.get(f"{{{_NS_REL}}}id") if sheet is not None else None
    if rel_id is None:
        raise _not_xlsx()
    rel = _first_start(
        archive, "xl/_rels/workbook.xml.rels", "Relationship", lambda element: element.get("Id") == rel_id
    )
    target = rel.get("Target", "") if rel is not None else ""
    if not target:
        raise _not_xlsx()
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _last_row(archive: zipfile.ZipFile, path: str, limits: Limits) -> int:
    """The sheet's last row number, blank rows included, as openpyxl would reach it (a row's
    number, or the one after the row before); over the limit as soon as it is passed."""
    last, tail = 0, b""
    most = limits.rows + 1  # the header, and the rows below it
    try:
        with archive.open(path) as source:
            while chunk := source.read(MB):
                buffer = tail + chunk
                cut = buffer.rfind(b">") + 1
                buffer, tail = buffer[:cut], buffer[cut:]
                for attributes in _ROW_TAG.findall(buffer):
                    number = _ROW_NUMBER.search(attributes)
                    last = int(number.group(1)) if number else last + 1
                    if last > most:
                        raise FileError(_too_many_rows(limits))
                if len(tail) > MB:  # no tag ends in a megabyte: not a sheet
                    raise _not_xlsx()
    except (KeyError, zipfile.BadZipFile, EOFError, OSError, ValueError):
        raise _not_xlsx() from None
    return last


def _read_xlsx(content: bytes, limits: Limits) -> Table:
    _check_directory(content, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _not_xlsx() from None
    with archive:
        _check_parts(archive, limits)
        last_row = _last_row(archive, _first_sheet_path(archive), limits)
    if last_row == 0:
        raise FileError(_("Filen er tom."))

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ElementTree.ParseError):
        raise _not_xlsx() from None
    try:
        sheet = workbook.worksheets[0]
        # The rows and columns are given, never taken from the sheet's own claim of its size
        # (its dimension), which may be far larger than the data, or smaller.
        rows = sheet.iter_rows(max_row=last_row, max_col=MAX_COLUMNS, values_only=True)
        found = next(
            ((n, cells) for n, cells in enumerate(rows, start=1) if not all(_blank(c) for c in cells)), None
        )
        if found is None:
            raise FileError(_("Filen er tom."))
        number, cells = found
        # The header names the columns read: the rows below it are read no wider.
        width = max(i for i, c in enumerate(cells, start=1) if not _blank(c))
        body = sheet.iter_rows(min_row=number + 1, max_row=last_row, max_col=width, values_only=True)
        return _table(chain([(number, cells[:width])], enumerate(body, start=number + 1)), limits)
    except (KeyError, ValueError, ElementTree.ParseError, zipfile.BadZipFile):
        raise _not_xlsx() from None
    finally:
        workbook.close()


# --- The table ------------------------------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _too_many_rows(limits: Limits) -> str:
    return _(
        "Filen har flere end %(max)s rækker under overskriften, tomme rækker medregnet. Slet de tomme "
        "rækker under dataene, eller del filen op."
    ) % {"max": _number(limits.rows)}


def header_name(value) -> str:
    """A column name as the file writes it, without the spaces and byte-order mark around it."""
    return "" if value is None else str(value).replace("\ufeff", "").strip()


def _table(numbered, limits: Limits) -> Table:
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, object]]] = []
    for number, cells in numbered:
        if number > limits.rows + 1:
            raise FileError(_too_many_rows(limits))
        if all(_blank(c) for c in cells):
            continue
        if header is None:
            header = [header_name(restore(c) if isinstance(c, str) else c) for c in cells]
            continue
        values = {}
        for name, value in zip(header, cells, strict=False):
            if name:
                values[name] = restore(value).strip() if isinstance(value, str) else value
        rows.append((number, values))
    if header is None:
        raise FileError(_("Filen er tom."))
    return Table(header=header, rows=rows)
