"""``updated_at`` and ``updated_after`` on the last three lists that lacked them (issue 18, point 2:
"every resource has updated_at ... and an updated_after filter"): the measure types (the catalog,
from each type's history), the access requests (changed once, when decided) and a token's webhooks
(their own stored time). Times are travelled to days after now, past what the database holds."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from cases import services as case_services
from measures.models import MeasureType
from tests.api.base import problem, results
from tests.api.test_webhook_api import NEW, URL, issue
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime.now(datetime.UTC).replace(hour=9, minute=0, second=0, microsecond=0)


def _at(days: int) -> datetime.datetime:
    return TODAY + datetime.timedelta(days=days)


def _travel(days: int):
    return time_machine.travel(_at(days), tick=False)


def _moment(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def test_a_measure_type_moves_with_its_catalog_entry(org):
    _token, client = issue(org.team_leader, read_only=True)
    edited, other = MeasureType.objects.filter(is_active=True).order_by("code")[:2]
    with _travel(3):
        edited.description = f"{edited.description} Beskrivelsen er rettet."
        edited.save()
    rows = {row["code"]: row for row in results(client.get("/api/v1/measure-types/", {"page_size": 200}))}
    assert _moment(rows[edited.code]["updated_at"]) == _at(3)
    assert _moment(rows[other.code]["updated_at"]) < _at(0)
    changed = results(client.get("/api/v1/measure-types/", {"updated_after": _at(2).isoformat()}))
    assert [row["code"] for row in changed] == [edited.code]
    detail = client.get(f"/api/v1/measure-types/{edited.code}/").json()
    assert _moment(detail["updated_at"]) == _at(3)


def test_an_access_request_moves_when_it_is_decided(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    with _travel(1):
        asked = case_services.access_request_create(
            child=case.child, requested_by=org.outsider, purpose="Skolen har ringet om barnet."
        )
    _token, client = issue(org.team_leader)
    listed = results(client.get("/api/v1/access-requests/"))
    assert [(r["id"], _moment(r["updated_at"])) for r in listed] == [(asked.pk, _at(1))]
    assert results(client.get("/api/v1/access-requests/", {"updated_after": _at(2).isoformat()})) == []
    with _travel(4):
        case_services.access_request_decide(request=asked, decided_by=org.team_leader, grant=False)
    detail = client.get(f"/api/v1/access-requests/{asked.pk}/").json()
    assert _moment(detail["updated_at"]) == _at(4)


def test_a_webhook_moves_with_its_own_change(org):
    _token, client = issue(org.advisor)
    with _travel(1):
        first = client.post(URL, NEW, format="json").json()
        second = client.post(URL, {**NEW, "url": "https://hooks.example.org/other"}, format="json").json()
    with _travel(5):
        etag = client.get(f"{URL}{second['id']}/")["ETag"]
        assert (
            client.patch(
                f"{URL}{second['id']}/", {"kinds": []}, format="json", HTTP_IF_MATCH=etag
            ).status_code
            == 200
        )
    changed = results(client.get(URL, {"updated_after": _at(2).isoformat()}))
    assert [row["id"] for row in changed] == [second["id"]]
    assert {row["id"] for row in results(client.get(URL))} == {first["id"], second["id"]}


@pytest.mark.parametrize("url", ["/api/v1/measure-types/", "/api/v1/access-requests/", URL])
def test_updated_after_is_refused_as_on_every_resource(org, url):
    _token, client = issue(org.team_leader)
    for wrong in ("yesterday", "0001-01-01T00:00:00+01:00"):
        assert (
            problem(client.get(url, {"updated_after": wrong}), 400)["errors"][0]["field"] == "updated_after"
        )
    assert problem(client.get(url, {"stat": "x"}), 400)["errors"][0]["field"] == "stat"
