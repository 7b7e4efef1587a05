"""The statistics API for BI tools (issue 21, point 9): the same tables as the pages and their
exports, the pages' access rule, hidden cells marked and without their values."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine

from evaluation.figures import FIGURES
from tests.access import AccessMatrix, outcome_for_all
from tests.api.base import field_errors, problem
from tests.matrix import api

pytestmark = pytest.mark.usefixtures("frozen")
ALLOWED = {"management": 200, "team_leader": 200, "other_team_leader": 200}


@pytest.fixture
def frozen():
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        yield


class TestStatisticsList(AccessMatrix):
    url = "/api/v1/statistics/"
    expected = api(outcome_for_all(403, **ALLOWED))


class TestStatisticDetail(AccessMatrix):
    """Without any snapshot yet, those who may read figures are told there is nothing to fetch
    (400); the others are refused before that (403)."""

    url = "/api/v1/statistics/trappe-nu/"
    expected = api(outcome_for_all(403, **dict.fromkeys(ALLOWED, 400)))


def test_the_list_names_each_figure_a_person_may_read(kora, login):
    management = login(kora.org.management).get("/api/v1/statistics/").json()
    keys = [f["key"] for f in management]
    assert sorted(keys) == sorted(FIGURES)  # every figure, each once
    years = next(f for f in management if f["key"] == "aarsboern")
    assert {"year_from", "year_to", "granularity", "team", "district", "period_from", "period_to"} <= set(
        years["parameters"]
    )
    assert years["url"].endswith("/api/v1/statistics/aarsboern/")

    team_leader = login(kora.org.team_leader).get("/api/v1/statistics/").json()
    assert "sammenligning" not in [f["key"] for f in team_leader]  # the comparison is management's


def _csv(client, key: str, query: str = "") -> dict[str, list[str]]:
    content = client.get(f"/evaluering/eksport/{key}.csv{query}").content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    rows = rows[: rows.index([])]  # the table; what the file says about itself follows
    return {r[0]: r[1:] for r in rows[1:]}


def _as_exported(cell: dict) -> str:
    if cell["suppressed"]:
        return cell["mark"]
    value = cell["value"]
    return "" if value is None else str(value)


@pytest.mark.parametrize("key", ["aarsboern", "udgifter", "trappe", "rettidighed"])
def test_a_figure_is_the_table_of_the_page_and_its_export(kora, login, key):
    client = login(kora.org.management)
    answer = client.get(f"/api/v1/statistics/{key}/")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    exported = _csv(client, key)
    assert {row["label"]: [_as_exported(c) for c in row["cells"]] for row in data["rows"]} == exported
    assert data["suppression_rule"].startswith("Tallene viser aldrig en enkelt person")
    assert data["scope"] == "Herning Kommune"
    assert data["notes"]  # the definitions under the table


def test_hidden_cells_are_marked_and_carry_no_value(kora, login):
    data = login(kora.org.management).get("/api/v1/statistics/aarsboern/").json()
    rows = {row["label"]: row["cells"] for row in data["rows"]}
    # 2438 child-days / 365 (tests/evaluation/test_exports.py reads the same from the CSV)
    assert rows["Anbragte i alt"][0] == {"value": 6.68, "display": "6,68", "suppressed": False, "mark": ""}
    hidden = rows["Hjemmebaserede anbringelser"][0]
    assert hidden == {"value": None, "display": "<3", "suppressed": True, "mark": "<3"}
    assert rows["Institution (døgninstitution, opholdssted, sikret)"][0]["mark"] == ".."


def test_period_aliases_are_the_pages_years(kora, login):
    client = login(kora.org.management)
    by_years = client.get("/api/v1/statistics/aarsboern/?year_from=2025&year_to=2025").json()
    by_period = client.get("/api/v1/statistics/aarsboern/?period_from=2025-01-01&period_to=2025").json()
    assert by_period["rows"] == by_years["rows"]
    assert (by_period["period_start"], by_period["period_end"]) == ("2025-01-01", "2025-12-31")


def test_a_team_leader_reads_their_own_team_only(kora, login):
    client = login(kora.org.team_leader)
    own = client.get(f"/api/v1/statistics/aarsboern/?team={kora.org.team_a.pk}")
    assert own.status_code == 200
    assert own.json()["scope"] != "Herning Kommune"
    other = client.get(f"/api/v1/statistics/aarsboern/?team={kora.org.team_b.pk}")
    assert other.status_code == 404
    comparison = client.get("/api/v1/statistics/sammenligning/")
    assert comparison.status_code == 403


def test_unknown_and_bad_parameters_answer_400_at_the_parameter(kora, login):
    client = login(kora.org.management)
    unknown = client.get("/api/v1/statistics/aarsboern/?yaer_from=2025")
    assert unknown.status_code == 400
    assert "yaer_from" in field_errors(unknown)
    assert problem(unknown)["errors"][0]["in"] == "query"
    # The same check as every list's: the message names what this figure takes.
    message = problem(unknown)["errors"][0]["message"]
    assert "year_from" in message and "period_from" in message and "lang" not in message
    bad = client.get("/api/v1/statistics/aarsboern/?period_from=last-year")
    assert bad.status_code == 400
    assert "period_from" in field_errors(bad)
    assert client.get("/api/v1/statistics/no-such-figure/").status_code == 404
