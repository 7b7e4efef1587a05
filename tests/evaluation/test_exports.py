"""Point 10: every table as CSV and XLSX, exactly as shown, hidden cells hidden."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine
from openpyxl import load_workbook

from evaluation.figures import FIGURES

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        yield


@pytest.mark.parametrize("key", sorted(FIGURES))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_table_downloads_as_csv_and_xlsx(kora, login, key, fmt):
    response = login(kora.org.management).get(f"/evaluering/eksport/{key}.{fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{key}-2026-01-15.{fmt}"'


def test_csv_holds_the_table_as_shown(kora, login):
    content = login(kora.org.management).get("/evaluering/eksport/aarsboern.csv").content
    assert content.startswith("\ufeff".encode())  # so spreadsheet programs read æ, ø and å
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Anbringelsestype",
        "2025 – Årsbørn",
        "2025 – I % af alle anbragte",
        "2025 – Gns. anbragte",
    ]
    table = {r[0]: r[1:] for r in rows[1:] if r}
    assert rows[-2:] == [[], ["Dækning: 365 af 365 dage"]]  # what the figures rest on, after the table
    # 2438 child-days: / 365 = 6.68 child-years; / 365 days of 2025 = 6.68 placed on an average day
    assert table["Anbragte i alt"] == ["6.68", "100.0", "6.68"]
    assert table["Hjemmebaserede anbringelser"] == ["<3", "<3", "<3"]
    assert table["Institution (døgninstitution, opholdssted, sikret)"] == ["..", "..", ".."]


def test_xlsx_keeps_numbers_as_numbers_and_carries_the_notes(kora, login):
    content = login(kora.org.management).get("/evaluering/eksport/udgifter.xlsx").content
    book = load_workbook(io.BytesIO(content))
    sheet = book["Tabel"]
    assert sheet["A1"].value == "Udgifter til anbringelser"
    values = {row[0].value: [c.value for c in row[1:]] for row in sheet.iter_rows(min_row=3)}
    assert values["Anbragte i alt"] == [2991400, 447851]
    assert values["Netværkspleje"][0] == "<3"
    notes = [row[0].value for row in book["Noter"].iter_rows()]
    assert any("færre end 3 børn" in note for note in notes)


def test_export_follows_the_filter(kora, login):
    client = login(kora.org.management)
    team_b = client.get(f"/evaluering/eksport/klager.csv?team={kora.org.team_b.pk}").content.decode(
        "utf-8-sig"
    )
    assert "Team B" in team_b and "Team A" not in team_b


def test_export_with_a_bad_filter_says_what_is_wrong(kora, login):
    response = login(kora.org.management).get("/evaluering/eksport/aarsboern.csv?year_from=1999")
    assert response.status_code == 400
    assert "1999 er ikke en af de tilgængelige valgmuligheder" in response.content.decode()


def test_unknown_figure_or_format_is_not_found(kora, login):
    client = login(kora.org.management)
    assert client.get("/evaluering/eksport/findes-ikke.csv").status_code == 404
    assert client.get("/evaluering/eksport/aarsboern.pdf").status_code == 404
