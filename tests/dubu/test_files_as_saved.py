"""DUBU files as people save them (issue 18, point 11) and files that cannot exhaust a worker
(issue 19, point 8): header names in any case, UTF-16 and tab-separated text, the messages for a
file that cannot be read, DUBU's own words written back by the export, and XLSX checked before
openpyxl parses it."""

from __future__ import annotations

import codecs
import datetime
import io
import re
import zipfile

import openpyxl
import pytest
import time_machine

from cases.models import Child
from dubu import exporter
from dubu.importer import import_file
from dubu.models import DubuMeasure, ImportRun, MappingProfile
from measures.models import Measure
from tests.dubu.conftest import HEADER, csv_bytes, row
from tests.factories import cpr_for

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0), tick=False):
        yield


def run(user, content, file_name="dubu.csv", **kwargs):
    return import_file(content=content, file_name=file_name, user=user, **kwargs).as_dict()


def messages(report) -> list[str]:
    return [e["message"] for e in report["errors"]]


# --- Text files -----------------------------------------------------------------------------------


def test_utf16_tab_separated_as_excel_saves_unicode_text_is_read(org, leader):
    """Excel's "Unicode text" (Unicode-tekst): UTF-16LE with a BOM, tab between columns, CRLF."""
    rows = [row(last="Bærentsen", provider="Familiecenteret, Herning")]
    text = "\r\n".join("\t".join(r) for r in [HEADER, *rows]) + "\r\n"
    content = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    report = run(leader, content, file_name="dubu.txt")
    assert report["committed"], report["errors"]
    assert Child.objects.get().last_name == "Bærentsen"
    assert Measure.objects.get().provider == "Familiecenteret, Herning"


def test_utf16_big_endian_and_without_bom_is_read(org, leader):
    text = "\r\n".join("\t".join(r) for r in [HEADER, row()]) + "\r\n"
    for content in (codecs.BOM_UTF16_BE + text.encode("utf-16-be"), text.encode("utf-16-le")):
        report = run(leader, content, dry_run=True)
        assert not report["errors"] and report["created"]["measures"] == 1


def test_header_names_match_without_regard_to_case_spaces_or_bom(org, leader):
    header = ["\ufeff dubu SAGS-ID", "cpr-NUMMER", "FORNAVN", "efternavn", "SagsBehandler", " DISTRIKT "]
    header += [h.upper() for h in HEADER[6:]]
    report = run(leader, csv_bytes([row()], header=header))
    assert report["committed"], report["errors"]
    assert Measure.objects.count() == 1


def test_an_error_names_the_column_as_the_file_writes_it(org, leader):
    header = [h.upper() for h in HEADER]
    report = run(leader, csv_bytes([row(start="2025-31-31")], header=header))
    assert [e["column"] for e in report["errors"]] == ["STARTDATO"]


def test_a_column_found_twice_is_an_error_on_the_header(org, leader):
    header = [*HEADER, "fornavn"]
    report = run(leader, csv_bytes([[*row(), "Ida"]], header=header))
    assert report["errors"] == [
        {"row": 1, "column": "Fornavn", "message": "Kolonnen står mere end én gang i filen."}
    ]


def test_a_semicolon_file_with_commas_in_its_values_is_read_by_semicolon(org, leader):
    report = run(leader, csv_bytes([row(provider="Hansen, Jensen og co.")], encoding="cp1252"))
    assert report["committed"], report["errors"]
    assert Measure.objects.get().provider == "Hansen, Jensen og co."


def test_an_undecodable_file_names_the_encodings_tried(org, leader):
    report = run(leader, b"\x81\x8d\x8f\x90\x9d;abc")
    assert report["errors"][0]["row"] == 0
    assert "UTF-8, UTF-16 og Windows-1252" in report["errors"][0]["message"]
    profile = MappingProfile.default()
    profile.encoding = "utf-8"
    profile.save()
    report = run(leader, csv_bytes([row()], encoding="cp1252").replace(b"Lund", b"L\xf8nd"))
    assert "(prøvede tegnsættene UTF-8)" in report["errors"][0]["message"]
    assert not ImportRun.objects.filter(committed=True).exists()


def test_a_binary_file_is_not_read_as_text(org, leader):
    report = run(leader, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert "kan ikke læses som tekst" in messages(report)[0]


def test_a_file_whose_separator_cannot_be_found_says_which_were_tried(org, leader):
    report = run(leader, b"DUBU sags-id|CPR-nummer|Fornavn\r\nD-1|x|y\r\n")
    assert report["errors"] == [
        {
            "row": 0,
            "column": "",
            "message": "Skilletegnet mellem kolonnerne kan ikke findes i overskriftsrækken; prøvede "
            "semikolon, komma og tabulator.",
        }
    ]


def test_the_date_error_lists_every_accepted_format(org, leader):
    report = run(leader, csv_bytes([row(start="1. september 2025")]))
    assert messages(report) == [
        "Ugyldig dato »1. september 2025«: skriv datoen som DD-MM-ÅÅÅÅ, DD.MM.ÅÅÅÅ, DD/MM/ÅÅÅÅ eller "
        "ÅÅÅÅ-MM-DD, eller som en datocelle i XLSX."
    ]
    for start in ("01-09-2025", "01.09.2025", "01/09/2025", "2025-09-01"):
        assert not run(leader, csv_bytes([row(start=start)]), dry_run=True)["errors"]


def test_blank_lines_count_towards_the_row_limit(org, leader, settings):
    settings.HERNING = {**settings.HERNING, "DUBU_MAX_ROWS": 5}
    content = csv_bytes([row()]) + b";;;\r\n" * 10
    report = run(leader, content)
    assert messages(report) == [
        "Filen har flere end 5 rækker under overskriften, tomme rækker medregnet. Slet de tomme rækker "
        "under dataene, eller del filen op."
    ]
    assert Child.objects.count() == 0


# --- What DUBU sent comes back --------------------------------------------------------------------


def _exported_rows(leader) -> list[list[str]]:
    text = exporter.export_csv(user=leader, profile=MappingProfile.default()).decode("utf-8-sig")
    return [line.split(";") for line in text.splitlines()[1:]]


def test_the_export_writes_dubus_own_words_back_as_received(org, leader):
    received = row(
        case_id="DUBU-00017",
        service="ANBRINGELSE",
        offer="kommunal plejefamilie",
        legal="BL § 46, stk. 1, nr. 3",
        start="01-02-2025",
    )
    report = run(
        leader,
        csv_bytes(
            [
                received,
                row(case_id="DUBU-00018", cpr=cpr_for(datetime.date(2012, 5, 6), 7), start="01-03-2025"),
            ]
        ),
    )
    assert report["committed"], report["errors"]
    assert DubuMeasure.objects.count() == 1  # the family-treatment row is what the table writes anyway
    exported = {r[0]: r for r in _exported_rows(leader)}
    assert exported["DUBU-00017"][6:9] == ["ANBRINGELSE", "kommunal plejefamilie", "BL § 46, stk. 1, nr. 3"]
    # Importing the export changes nothing: the words are the ones kept.
    content = exporter.export_csv(user=leader, profile=MappingProfile.default())
    again = run(leader, content)
    assert again["unchanged_rows"] == 2 and not again["errors"]


def test_new_words_from_dubu_replace_the_kept_ones_and_the_table_decides_what_it_allows(org, leader):
    first = row(service="Anbringelse", offer="Plejefamilie", legal="BL § 46", start="01-02-2025")
    run(leader, csv_bytes([first]))
    second = row(service="Anbringelse", offer="Kommunal plejefamilie", legal="BL § 46", start="01-02-2025")
    report = run(leader, csv_bytes([second]))
    assert report["updated_rows"] == 1 and report["committed"]
    assert DubuMeasure.objects.get().codes == ("Anbringelse", "Kommunal plejefamilie", "BL § 46")
    # The code table no longer reads the kept words as the measure's type: the table's are written.
    MappingProfile.default().code_mappings.filter(offer="Kommunal plejefamilie").delete()
    assert _exported_rows(leader)[0][6:8] == ["Anbringelse", "Plejefamilie"]


# --- XLSX checked before it is parsed -------------------------------------------------------------


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _with_sheet(content: bytes, write_sheet) -> bytes:
    """``content`` with its first sheet written by ``write_sheet(file)``, everything else kept."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf,
    ):
        for item in source.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with zf.open(item.filename, "w") as sheet:
                    write_sheet(sheet, source.read(item.filename))
            else:
                zf.writestr(item, source.read(item.filename))
    return out.getvalue()


@pytest.fixture
def no_parsing(monkeypatch):
    """openpyxl is never asked to open the file."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl parsed a file the checks should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def _refused(leader, content, tmp_path) -> list[str]:
    path = tmp_path / "dubu.xlsx"
    path.write_bytes(content)
    report = run(leader, path.read_bytes(), file_name="dubu.xlsx")
    assert not report["committed"] and report["rows"] == 0
    assert [e["row"] for e in report["errors"]] == [0]
    assert Child.objects.count() == 0
    return messages(report)


def _bomb(sheet, _original):
    for _ in range(100):  # 100 MB of spaces, about 100 KB packed
        sheet.write(b" " * MB)


def test_a_zip_bomb_is_refused_before_it_is_parsed(org, leader, tmp_path, no_parsing):
    content = _with_sheet(_xlsx([HEADER]), _bomb)
    assert len(content) < MB
    [message] = _refused(leader, content, tmp_path)
    assert message.startswith("XLSX-filen er pakket usædvanligt stærkt: en del fylder ")
    assert "(højst 100)" in message


def test_an_xlsx_unpacking_above_the_cap_is_refused(org, leader, tmp_path, no_parsing, settings):
    settings.HERNING = {**settings.HERNING, "DUBU_XLSX_MAX_RATIO": 10_000, "DUBU_XLSX_MAX_UNPACKED_MB": 50}
    content = _with_sheet(_xlsx([HEADER]), _bomb)
    assert _refused(leader, content, tmp_path) == [
        "XLSX-filen fylder 100 MB udpakket; højst 50 MB læses. Gem den som CSV, eller del den op."
    ]


def test_an_xlsx_of_too_many_parts_is_refused(org, leader, tmp_path, no_parsing, settings):
    settings.HERNING = {**settings.HERNING, "DUBU_XLSX_MAX_PARTS": 20}
    out = io.BytesIO(_xlsx([HEADER]))
    with zipfile.ZipFile(out, "a") as zf:
        for n in range(30):
            zf.writestr(f"xl/media/image{n}.png", b"x")
    assert _refused(leader, out.getvalue(), tmp_path) == [
        "XLSX-filen består af flere end 20 dele og læses ikke."
    ]


def test_a_million_blank_rows_are_refused_before_they_are_parsed(org, leader, tmp_path, no_parsing):
    def blank_rows(sheet, original):
        head, tail = original.split(b"</sheetData>")
        sheet.write(head)
        sheet.write(b"".join(b'<row r="%d"/>' % n for n in range(3, 1_000_003)))
        sheet.write(b"</sheetData>" + tail)

    content = _with_sheet(_xlsx([HEADER, row()]), blank_rows)
    assert _refused(leader, content, tmp_path) == [
        "Filen har flere end 100.000 rækker under overskriften, tomme rækker medregnet. Slet de tomme "
        "rækker under dataene, eller del filen op."
    ]


def test_one_cell_a_million_rows_down_is_refused_before_it_is_parsed(org, leader, tmp_path, no_parsing):
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    workbook.active.cell(row=1_000_000, column=1, value="x")
    out = io.BytesIO()
    workbook.save(out)
    [message] = _refused(leader, out.getvalue(), tmp_path)
    assert message.startswith("Filen har flere end 100.000 rækker under overskriften")


def test_an_xlsx_claiming_a_huge_size_is_read_for_its_rows_only(org, leader):
    """A sheet's dimension claiming every row and column of the sheet is not what is read."""

    def huge_dimension(sheet, original):
        sheet.write(re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', original))

    content = _with_sheet(_xlsx([HEADER, row()]), huge_dimension)
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    report = run(leader, content, file_name="dubu.xlsx")
    assert report["committed"], report["errors"]
    assert report["rows"] == 1
