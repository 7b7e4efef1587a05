"""GET /api/v1/schedule-preview/: the engine's dates for a new measure, by the municipality's rule set."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from followups.models import MunicipalityRuleSet, RuleSet
from followups.presets import HVIDOVRE
from tests.api.base import field_errors

URL = "/api/v1/schedule-preview/"
pytestmark = pytest.mark.django_db


def test_preview_of_an_institution_placement(login, org):
    response = login(org.advisor).get(
        URL, {"measure_type": "institution", "start": "2026-01-05", "until": "2026-04-30"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["measure_type"], body["rule_set"]) == ("institution", "Herningmodellen 1.0")
    assert [(i["due_date"], i["kind"]) for i in body["items"]] == [
        ("2026-01-19", "municipal"),
        ("2026-03-02", "municipal"),
        ("2026-04-05", "statutory"),
        ("2026-04-13", "municipal"),
    ]
    first = body["items"][0]
    assert first["rule"] == "Herningmodellen 1.0"
    assert first["explanation"].startswith(
        "Anbringelse på døgninstitution / opholdssted startede 5. januar 2026; regel:"
    )
    assert body["items"][2]["rule"] == "Barnets Lov § 95"


def test_preview_follows_accept_language(login, org):
    response = login(org.advisor).get(
        URL, {"measure_type": "mst", "start": "2026-01-05", "until": "2026-02-28"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["items"][0]["explanation"].startswith("MST / MST-CM started 5 January 2026; rule:")


def test_preview_uses_the_municipalitys_rule_set(login, org):
    MunicipalityRuleSet.objects.create(
        municipality=org.municipality, rule_set=RuleSet.objects.get(name=HVIDOVRE)
    )
    body = (
        login(org.advisor)
        .get(URL, {"measure_type": "preventive", "start": "2026-01-05", "until": "2026-04-30"})
        .json()
    )
    assert body["rule_set"] == HVIDOVRE
    assert [i["due_date"] for i in body["items"] if i["kind"] == "municipal"] == ["2026-02-02", "2026-04-02"]


def test_preview_cites_the_law_of_each_due_date(login, org):
    client = login(org.advisor)
    # 1 Sep 2023 + 3 months = 1 Dec 2023: Serviceloven § 70.
    body = client.get(
        URL, {"measure_type": "preventive", "start": "2023-09-01", "until": "2023-12-31"}
    ).json()
    assert [i["rule"] for i in body["items"] if i["kind"] == "statutory"] == ["Serviceloven § 70"]
    # 1 Oct 2023 + 3 months = 1 Jan 2024: a follow-up owed under Barnets Lov § 95.
    body = client.get(
        URL, {"measure_type": "preventive", "start": "2023-10-01", "until": "2024-01-31"}
    ).json()
    assert [i["rule"] for i in body["items"] if i["kind"] == "statutory"] == ["Barnets Lov § 95"]


def test_bad_input_gets_400_with_danish_field_messages(login, org):
    client = login(org.advisor)
    response = client.get(URL, {"measure_type": "rumraket", "start": "5/1/2026"})
    assert response.status_code == 400
    errors = field_errors(response)
    assert errors["measure_type"] == ["Ukendt indsatstype: rumraket."]
    assert errors["start"] == ["Datoen skal skrives ÅÅÅÅ-MM-DD."]
    assert errors["until"] == ["Angiv slutdatoen for oversigten (until)."]
    response = client.get(URL, {"measure_type": "mst", "start": "2026-05-01", "until": "2026-04-01"})
    assert field_errors(response) == {"until": ["Slutdatoen skal ligge efter startdatoen."]}
    response = client.get(URL, {"measure_type": "mst", "start": "2010-05-01", "until": "2021-04-01"})
    assert field_errors(response) == {"until": ["Oversigten kan højst gå 10 år frem."]}
    # Beyond ten years from today is the bound of every date a request reads by (issue 19).
    response = client.get(URL, {"measure_type": "mst", "start": "2026-05-01", "until": "9999-12-31"})
    assert response.status_code == 400
    assert field_errors(response)["until"][0].startswith("Datoen skal ligge mellem 01.01.1900 og ")


def test_preview_needs_a_login(client, org):
    assert (
        client.get(URL, {"measure_type": "mst", "start": "2026-01-05", "until": "2026-03-01"}).status_code
        == 401  # the API answers 401 with a Bearer challenge
    )


def test_the_endpoint_is_described_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/schedule-preview/"]["get"]
    assert operation["operationId"] == "schedule_preview"
    assert {p["name"] for p in operation["parameters"]} == {"measure_type", "start", "until"}
    assert "items" in str(operation["responses"]["200"])
