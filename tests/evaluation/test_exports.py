"""Point 10: every table as CSV and XLSX, exactly as shown, hidden cells hidden."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.utils import timezone
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
    everything = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    rows = everything[: everything.index([])]  # the table; what the file says about itself follows
    assert ["Dækning", "Dækning: 365 af 365 dage"] in everything  # what the figures rest on
    assert rows[0] == [
        "Anbringelsestype",
        "2025 – Årsbørn",
        "2025 – I % af alle anbragte",
        "2025 – Gns. anbragte",
    ]
    table = {r[0]: r[1:] for r in rows[1:] if r}
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


def _about_csv(content: bytes) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    start = rows.index(["Om tallene"])
    assert rows[start - 1] == []  # the table ends with an empty row before the description
    about: dict[str, list[str]] = {}
    for label, value in rows[start + 1 :]:
        about.setdefault(label, []).append(value)
    return about


def test_a_csv_says_what_it_holds_below_the_table(kora, login):
    """Issue 21 point 7: scope, period, definitions, the suppression rule and when it was made."""
    content = (
        login(kora.org.management)
        .get("/evaluering/eksport/aarsboern.csv?year_from=2025&year_to=2025")
        .content
    )
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][0] == "Anbringelsestype"  # the table still starts at the first row
    about = _about_csv(content)
    assert about["Figur"] == ["Anbragte årsbørn pr. anbringelsestype"]
    assert about["Kommune"] == ["Herning Kommune"]
    assert about["Udsnit"] == ["Hele kommunen"]
    assert about["Periode"] == ["2025-01-01 – 2025-12-31"]
    assert about["Udtrukket"] == ["2026-01-15 10:00"]
    assert about["Diskretion"][0].startswith("Tallene viser aldrig en enkelt person")
    assert about["Definition"]  # the table's notes, each on its own row


def test_an_export_names_the_team_it_covers(kora, login):
    client = login(kora.org.team_leader)
    content = client.get(
        f"/evaluering/eksport/aarsboern.csv?year_from=2025&year_to=2025&team={kora.org.team_a.pk}"
    ).content
    about = _about_csv(content)
    assert about["Kommune"] == ["Herning Kommune"]
    assert "Team A" in about["Udsnit"][0]


def test_a_period_the_data_does_not_fill_is_called_partial():
    """A year chosen while its data ends in June says so beside the period."""
    from evaluation.exports import About
    from evaluation.tables import Table

    about = About(
        title="Anbragte årsbørn",
        source="KORA",
        municipality="Herning Kommune",
        scope="Herning Kommune",
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        data_from=datetime.date(2024, 1, 1),
        data_to=datetime.date(2025, 6, 30),
        made_at=timezone.now(),
    )
    rows = {label: value for label, value in about.rows(Table("t", "r", ["a"])) if label != "Definition"}
    assert rows["Periode"] == "2025-01-01 – 2025-12-31 (delvis: data til 2025-06-30)"
    assert rows["Udsnit"] == "Hele kommunen"


def test_an_xlsx_carries_what_it_holds_on_its_own_sheet(kora, login):
    content = login(kora.org.management).get("/evaluering/eksport/udgifter.xlsx").content
    sheet = load_workbook(io.BytesIO(content))["Om tallene"]
    about = {row[0].value: row[1].value for row in sheet.iter_rows()}
    assert about["Kommune"] == "Herning Kommune"
    assert about["Figur"] == "Udgifter til anbringelser"
    assert about["Udtrukket"] == "2026-01-15 10:00"
