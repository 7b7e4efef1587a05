"""``/api/v1/investigations/``: read, with the day the municipality became aware, the four
months from it and the interim assessment (Barnets Lov § 20, stk. 3; docs/api.md); read as the
case is, and logged as every read of a child's data is."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from cases import services
from herning.audit.models import AccessLog
from tests.api.base import field_errors, results
from tests.cases.factories import NotificationFactory
from tests.factories import CaseFactory, MunicipalityFactory, TeamFactory, staff
from tests.fixtures import login_with_second_factor

pytestmark = pytest.mark.django_db

D = datetime.date
# The request (session, the person with their roles and apps, throttle…; the session is written at most once
# a minute), the count, the page and one statement for the access log (and its bookkeeping): the
# same for one investigation or many.
LIST_QUERIES = 5


def _investigation(org, *, received="2026-03-03 09:30 +01:00"):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 3, 3))
    with time_machine.travel(received, tick=False):
        NotificationFactory(case=case, registered_by=org.case_admin)
    with time_machine.travel("2026-03-13 10:00 +01:00", tick=False):
        return services.investigation_open(case=case, decided_on=D(2026, 3, 13), decided_by=org.advisor)


def _client(user):
    return login_with_second_factor(APIClient(), user)


@time_machine.travel("2026-07-06 10:00 +02:00", tick=False)
def test_the_detail_names_aware_on_the_deadline_and_the_interim_assessment(org):
    investigation = _investigation(org)
    url = f"/api/v1/investigations/{investigation.pk}/"
    body = _client(org.advisor).get(url).json()
    assert body["case"] == investigation.case_id
    assert (body["aware_on"], body["decided_on"], body["due_on"]) == (
        "2026-03-03",
        "2026-03-13",
        "2026-07-03",
    )
    assert (body["finished_on"], body["interim_assessment_due_on"], body["interim_assessed_on"]) == (
        None,
        "2026-07-03",
        None,
    )
    services.investigation_record_interim(
        investigation=investigation, assessed_on=D(2026, 7, 6), text="Afventer PPR.", assessed_by=org.advisor
    )
    body = _client(org.team_leader).get(url).json()
    assert (body["interim_assessed_on"], body["interim_assessed_by"], body["interim_assessment"]) == (
        "2026-07-06",
        org.advisor.pk,
        "Afventer PPR.",
    )
    entry = AccessLog.objects.filter(user=org.team_leader).get()
    assert (entry.child_id, entry.case_id, entry.channel, entry.what) == (
        investigation.case.child_id,
        investigation.case_id,
        "api",
        url,
    )


@time_machine.travel("2026-06-01 10:00 +02:00", tick=False)
def test_an_investigation_finished_in_time_owes_no_interim_assessment(org):
    investigation = _investigation(org)
    services.investigation_complete(
        investigation=investigation,
        completed_on=D(2026, 6, 1),
        conclusion="Støtte.",
        completed_by=org.advisor,
    )
    body = _client(org.advisor).get(f"/api/v1/investigations/{investigation.pk}/").json()
    assert (body["finished_on"], body["interim_assessment_due_on"]) == ("2026-06-01", None)


def test_the_list_costs_the_same_queries_for_one_or_many_and_logs_each_child(org, django_assert_num_queries):
    client = _client(org.advisor)
    first = _investigation(org)
    with django_assert_num_queries(LIST_QUERIES):
        assert [r["id"] for r in results(client.get("/api/v1/investigations/"))] == [first.pk]
    more = [_investigation(org) for _ in range(4)]
    before = AccessLog.objects.count()
    with django_assert_num_queries(LIST_QUERIES):
        rows = results(client.get("/api/v1/investigations/"))
    assert {r["id"] for r in rows} == {i.pk for i in [first, *more]}
    assert AccessLog.objects.count() - before == 5


def test_another_municipality_gets_404_and_an_empty_list(org):
    investigation = _investigation(org)
    other = MunicipalityFactory(name="Ikast-Brande", code="756")
    team = TeamFactory(district__municipality=other)
    stranger = staff(username="ikast", municipality=other, roles=[("team_leader", team)])
    client = _client(stranger)
    assert client.get(f"/api/v1/investigations/{investigation.pk}/").status_code == 404
    assert results(client.get("/api/v1/investigations/")) == []


def test_the_schema_documents_the_investigations(org):
    schema = _client(org.advisor).get("/api/schema/?format=json").json()
    assert "/api/v1/investigations/" in schema["paths"]
    assert "/api/v1/investigations/{id}/" in schema["paths"]
    fields = schema["components"]["schemas"]["Investigation"]["properties"]
    for name in (
        "id",
        "case",
        "aware_on",
        "decided_on",
        "due_on",
        "finished_on",
        "interim_assessment_due_on",
    ):
        assert name in fields
    # No create: opened on the case page; two actions correct aware_on and record the assessment.
    assert "post" not in schema["paths"]["/api/v1/investigations/"]
    assert "post" in schema["paths"]["/api/v1/investigations/{id}/aware-on/"]
    assert "post" in schema["paths"]["/api/v1/investigations/{id}/interim-assessment/"]


@time_machine.travel("2026-07-06 10:00 +02:00", tick=False)
def test_aware_on_is_corrected_with_a_reason_and_the_deadline_follows(org):
    investigation = _investigation(org)
    url = f"/api/v1/investigations/{investigation.pk}/aware-on/"
    client = _client(org.advisor)
    refused = client.post(url, {"aware_on": "2026-03-20"}, format="json")
    assert refused.status_code == 400
    assert set(field_errors(refused)) == {"reason"}
    after_decision = client.post(url, {"aware_on": "2026-03-20", "reason": "Forkert dato"}, format="json")
    assert after_decision.status_code == 400 and "aware_on" in field_errors(after_decision)
    response = client.post(url, {"aware_on": "2026-02-24", "reason": "Skolen ringede først"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["aware_on"], body["aware_on_reason"], body["due_on"]) == (
        "2026-02-24",
        "Skolen ringede først",
        "2026-06-24",
    )
    investigation.refresh_from_db()
    assert investigation.history.first().aware_on == D(2026, 2, 24)


@time_machine.travel("2026-07-06 10:00 +02:00", tick=False)
def test_the_interim_assessment_is_recorded_once_through_the_api(org):
    investigation = _investigation(org)
    url = f"/api/v1/investigations/{investigation.pk}/interim-assessment/"
    client = _client(org.advisor)
    assert set(field_errors(client.post(url, {"assessed_on": "2026-07-06"}, format="json"))) == {"text"}
    future = client.post(url, {"assessed_on": "2026-07-07", "text": "x"}, format="json")
    assert future.status_code == 400 and "assessed_on" in field_errors(future)
    response = client.post(url, {"assessed_on": "2026-07-06", "text": "Afventer PPR."}, format="json")
    assert response.status_code == 200
    assert (response.json()["interim_assessed_on"], response.json()["interim_assessed_by"]) == (
        "2026-07-06",
        org.advisor.pk,
    )
    again = client.post(url, {"assessed_on": "2026-07-06", "text": "Igen"}, format="json")
    assert again.status_code == 400
    investigation.refresh_from_db()
    assert investigation.interim_assessment == "Afventer PPR."
