"""Issue 19, point 9: every date a request reads by is bounded (1900 to ten years ahead).

On the API a date outside is a 400 naming the parameter; on a page a form error (or, for the slot
calendar's week, today's week); never a 500 and never unbounded work. A date inside still works.
"""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.api.base import field_errors
from tests.factories import CaseFactory
from tests.fixtures import login_with_second_factor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

BOUNDS_MESSAGE = "Datoen skal ligge mellem 01.01.1900 og 15.01.2036."


@pytest.fixture
def frozen():
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def api(org):
    CaseFactory(team=org.team_a, advisor=org.advisor)
    return login_with_second_factor(APIClient(), org.advisor)


API_PARAMETERS = [
    ("/api/v1/cases/", "opened_after"),
    ("/api/v1/cases/", "opened_before"),
    ("/api/v1/investigations/", "due_before"),
    ("/api/v1/measures/", "started_after"),
    ("/api/v1/measures/", "started_before"),
    ("/api/v1/measures/", "followup_due_before"),
    ("/api/v1/ladder-movements/", "date_after"),
    ("/api/v1/ladder-movements/", "date_before"),
    ("/api/v1/followups/", "due_after"),
    ("/api/v1/followups/", "due_before"),
    ("/api/v1/followups/", "until"),
]


@pytest.mark.parametrize(("url", "parameter"), API_PARAMETERS)
@pytest.mark.parametrize("day", ["9999-12-31", "2036-01-16", "1899-12-31"])
def test_an_api_date_out_of_bounds_is_a_400_naming_the_parameter(api, url, parameter, day):
    response = api.get(url, {parameter: day})
    assert response.status_code == 400
    assert field_errors(response) == {parameter: [BOUNDS_MESSAGE]}


@pytest.mark.parametrize(("url", "parameter"), API_PARAMETERS)
@pytest.mark.parametrize("day", ["2036-01-15", "1900-01-01", "2026-01-15"])
def test_an_api_date_within_bounds_works(api, url, parameter, day):
    assert api.get(url, {parameter: day}).status_code == 200


def test_the_schedule_preview_bounds_start_and_until(api):
    url = "/api/v1/schedule-preview/"
    far = api.get(url, {"measure_type": "institution", "start": "9999-12-31", "until": "9999-12-31"})
    assert far.status_code == 400
    assert field_errors(far) == {"start": [BOUNDS_MESSAGE], "until": [BOUNDS_MESSAGE]}
    near = api.get(url, {"measure_type": "institution", "start": "2026-01-01", "until": "2026-12-31"})
    assert near.status_code == 200


def test_a_page_size_beyond_the_cap_is_cut_to_the_cap(api, org):
    response = api.get("/api/v1/cases/", {"page_size": 10**9})
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 500


# --- Pages -----------------------------------------------------------------------------------------


def test_the_access_log_search_and_export_give_a_form_error(org, login):
    client = login(org.data_protection)
    for url, data in [("/adgangslog/", {}), ("/adgangslog/indsigt/", {"cpr": "0101124000", "fmt": "csv"})]:
        response = client.post(url, {**data, "start": "2026-01-01", "end": "9999-12-31"})
        assert response.status_code == 200
        assert BOUNDS_MESSAGE in response.content.decode()
    assert client.post("/adgangslog/", {"start": "2026-01-01", "end": "2026-01-15"}).status_code == 200


def test_the_meeting_figures_give_a_form_error(org, login):
    client = login(org.management)
    response = client.get("/netvaerksmoeder/noegletal/", {"start": "2026-01-01", "end": "9999-12-31"})
    assert response.status_code == 200
    assert BOUNDS_MESSAGE in response.content.decode()
    assert (
        client.get("/netvaerksmoeder/noegletal/", {"start": "2025-01-01", "end": "2025-12-31"}).status_code
        == 200
    )


def test_the_sdq_cohort_gives_a_form_error(org, login):
    client = login(org.management)
    response = client.get("/evaluering/trivsel/", {"after_end": "9999-12-31"})
    assert response.status_code == 200
    assert BOUNDS_MESSAGE in response.content.decode()


@pytest.mark.parametrize("week", ["9999-W52", "1899-W01", "2026-W10"])
def test_the_slot_calendar_never_fails_on_a_far_week(org, login, week):
    response = login(org.team_leader).get(
        "/netvaerksmoeder/faste-tider/", {"team": org.team_a.pk, "uge": week}
    )
    assert response.status_code == 200
