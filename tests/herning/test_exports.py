"""Issue 19, point 2: no export carries a formula, and none is kept by a cache.

Names that start a formula are written through the API (a child's first name) or the way their
owner writes them (a purpose typed into the access log, a team's name), then every export that
shows them is downloaded by someone who may, and every cell is read back as a spreadsheet reads it.
"""

from __future__ import annotations

import csv
import datetime
import io
import pathlib
import re

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from dubu.models import MappingProfile
from herning.audit.exports import build_export
from herning.audit.selectors import citizen_entries
from herning.audit.services import log_child_read
from herning.audit.views import citizen_table
from herning.core import spreadsheets
from tests.evaluation.conftest import kora  # noqa: F401  (the evaluation's figures, as a fixture)
from tests.factories import CaseFactory
from tests.fixtures import login_with_second_factor

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil","x")',
    "+1+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cells(response) -> list:
    """Every cell of the file as a spreadsheet program reads it."""
    if response["Content-Type"].startswith(XLSX):
        book = load_workbook(io.BytesIO(response.content))
        cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        assert all(cell.data_type != "f" for cell in cells), "a cell is stored as a formula"
        return [cell.value for cell in cells]
    text = response.content.decode("utf-8-sig")
    first = text.split("\r\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [value for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for value in row]


def _assert_inert(response, *, expected: list[str]):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(("text/csv", XLSX)), response["Content-Type"]
    assert "no-store" in [d.strip() for d in response["Cache-Control"].split(",")]
    assert response.get("Pragma") == "no-cache", dict(response.headers)
    assert response["Content-Disposition"].startswith("attachment;")
    values = [v for v in _cells(response) if isinstance(v, str)]
    assert not [v for v in values if v.startswith(spreadsheets.FORMULA_START)]
    for text in expected:
        assert "'" + text in values, f"{text!r} is not in the file, made inert: {values}"


@pytest.fixture
def hostile_children(org):
    """Five children in team A named through the API's PATCH, as an advisor would."""
    client = login_with_second_factor(APIClient(), org.advisor)
    children = []
    for name in HOSTILE:
        case = CaseFactory(team=org.team_a, advisor=org.advisor)
        url = f"/api/v1/children/{case.child.pk}/"
        response = client.patch(
            url, {"first_name": name}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"]
        )
        assert response.status_code == 200, response.content
        children.append(case.child)
    return children


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_dubu_export_through_the_api_makes_names_inert(org, hostile_children, fmt):
    client = login_with_second_factor(APIClient(), org.team_leader)
    _assert_inert(client.get(f"/api/v1/dubu/export/?file_format={fmt}"), expected=HOSTILE[:4])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_dubu_export_on_the_page_makes_names_inert(org, login, hostile_children, fmt):
    _assert_inert(
        login(org.team_leader).get(f"/dubu/udtraek/?file_format={fmt}&profile={MappingProfile.default().pk}"),
        expected=HOSTILE[:4],
    )


def test_the_dubu_round_trip_gives_back_the_names_as_typed(org, hostile_children):
    from dubu.exporter import export_csv
    from dubu.models import MappingProfile
    from dubu.reader import read_table

    table = read_table(export_csv(user=org.team_leader, profile=MappingProfile.default()), file_name="x.csv")
    column = MappingProfile.default().columns()["first_name"]
    assert {values[column] for _n, values in table.rows} >= {name.strip() for name in HOSTILE}


def test_the_access_log_export_makes_a_typed_purpose_inert(org, login):
    """The citizen's export is offered as CSV (and PDF); its table as XLSX through the same door."""
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    for purpose in HOSTILE:
        log_child_read(user=org.advisor, child=case.child, channel="page", purpose=purpose, case=case)
    response = login(org.data_protection).post(
        "/adgangslog/indsigt/", {"cpr": case.child.formatted_cpr, "fmt": "csv"}
    )
    _assert_inert(response, expected=HOSTILE[:4])
    entries = citizen_entries(user=org.data_protection, cpr=case.child.cpr, start=None, end=None)
    table = citizen_table(entries, cpr=case.child.cpr, start=None, end=None)
    _assert_inert(build_export(table, fmt="xlsx", filename="adgangslog"), expected=HOSTILE[:4])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_evaluation_exports_make_a_team_name_inert(kora, login, fmt):  # noqa: F811
    team = kora.org.team_b
    team.name = HOSTILE[0]
    team.save(update_fields=["name"])
    response = login(kora.org.management).get(f"/evaluering/eksport/klager.{fmt}?team={team.pk}")
    _assert_inert(response, expected=[])


def test_numbers_and_dates_stay_numbers_and_dates():
    day = datetime.date(2026, 1, 5)
    rows = [["navn", "tal", "dato"], ["-Ida", -3, day]]
    book = load_workbook(io.BytesIO(spreadsheets.xlsx_bytes(rows, title="t")))
    values = [c.value for c in next(book.active.iter_rows(min_row=2))]
    assert values[:2] == ["'-Ida", -3]
    assert values[2].date() == day
    text = spreadsheets.csv_bytes(rows).decode("utf-8-sig")
    assert text.splitlines()[1] == "'-Ida;-3;2026-01-05"


# --- No export bypasses the helper ---------------------------------------------------------------

ROOT = pathlib.Path(__file__).resolve().parents[2]
HELPER = ROOT / "herning" / "core" / "spreadsheets.py"
WRITERS = re.compile(r"csv\.writer\(|csv\.DictWriter\(|\bWorkbook\(|xlsxwriter|\.to_csv\(|\.to_excel\(")
SKIPPED = {".venv", "node_modules", "tests", "benchmarks", "var", ".git"}


def test_no_product_code_writes_a_spreadsheet_outside_the_helper():
    bypasses = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in ROOT.rglob("*.py")
        if not SKIPPED & set(path.relative_to(ROOT).parts) and path != HELPER
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if WRITERS.search(line)
    ]
    assert not bypasses, "write spreadsheets through herning.core.spreadsheets: " + ", ".join(bypasses)
