"""Finding a child by CPR number without putting the number in an address (issue 18, point 3):
``POST /api/v1/children/lookup/`` with the number in the body; a CPR number in an API address is a
JSON 400 that does not echo it."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from herning.audit.models import AccessLog
from tests.api.base import field_errors, problem
from tests.factories import CaseFactory, MunicipalityFactory, TeamFactory, cpr_for, staff
from tests.fixtures import login_with_second_factor

pytestmark = pytest.mark.django_db
URL = "/api/v1/children/lookup/"


def _client(user):
    return login_with_second_factor(APIClient(), user)


@pytest.fixture
def ida(org):
    return CaseFactory(
        team=org.team_a, advisor=org.advisor, child__cpr=cpr_for(datetime.date(2014, 2, 3), 5)
    ).child


def test_the_advisor_finds_the_child_by_cpr_in_the_body_and_the_read_is_logged(org, ida):
    response = _client(org.advisor).post(
        URL,
        {"cpr": f"{ida.cpr[:6]}-{ida.cpr[6:]}", "purpose": "Opslag fra DUBU-synkronisering"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["cpr"]) == (ida.pk, f"{ida.cpr[:6]}-••••")
    entry = AccessLog.objects.get(user=org.advisor)
    assert (entry.child_id, entry.channel, entry.purpose, entry.what) == (
        ida.pk,
        "api",
        "Opslag fra DUBU-synkronisering",
        URL,
    )


def test_a_child_one_may_not_see_and_a_number_nobody_has_answer_the_same_404(org, ida):
    other = MunicipalityFactory(name="Ikast-Brande", code="756")
    stranger = staff(
        username="ikast",
        municipality=other,
        roles=[("team_leader", TeamFactory(district__municipality=other))],
    )
    hidden = _client(stranger).post(URL, {"cpr": ida.cpr}, format="json")
    nobody = _client(stranger).post(URL, {"cpr": cpr_for(datetime.date(2015, 3, 4), 7)}, format="json")
    assert hidden.status_code == nobody.status_code == 404
    assert hidden.json() == nobody.json()
    assert not AccessLog.objects.exists()


def test_a_bad_number_is_a_field_error(org):
    response = _client(org.advisor).post(URL, {"cpr": "3213"}, format="json")
    assert response.status_code == 400 and set(field_errors(response)) == {"cpr"}
    assert _client(org.advisor).post(URL, {}, format="json").status_code == 400


def test_a_cpr_number_in_an_api_address_is_a_problem_400_that_does_not_echo_it(org, ida):
    client = _client(org.advisor)
    for query in (f"?cpr={ida.cpr}", f"?q=Anna+{ida.cpr[:6]}-{ida.cpr[6:]}", f"?search={ida.cpr}"):
        response = client.get(f"/api/v1/children/{query}")
        assert response.status_code == 400, query
        assert problem(response, 400)["code"] == "cpr_in_query_string"
        assert ida.cpr not in response.content.decode() and ida.cpr[6:] not in response.content.decode()
    # Other numbers still pass.
    assert client.get("/api/v1/children/?ordering=id&page=1").status_code == 200


def test_the_lookup_is_in_the_schema_as_a_post(org):
    schema = _client(org.advisor).get("/api/schema/?format=json").json()
    assert "post" in schema["paths"]["/api/v1/children/lookup/"]
