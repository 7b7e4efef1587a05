"""Retries do not duplicate (issue 18, point 4): a POST sent again with the same ``Idempotency-Key``
gets the first answer and writes nothing; the key is the caller's own, kept for a day, refused for
another request (422) and while its first request runs (409)."""

from __future__ import annotations

import datetime
import json

import psycopg
import pytest
import time_machine
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from herning.api.idempotency import IdempotentMixin, lock_id, purge_expired
from herning.api.models import ApiToken, IdempotencyKey
from measures.models import Measure
from tests.api.base import problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/measures/"
KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def client_for(user) -> APIClient:
    _, token = ApiToken.issue(user=user, name="integration", read_only=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def start_body(case, day: datetime.date | None = None) -> dict:
    return {
        "case": case.pk,
        "measure_type": "mst",
        "start_date": (day or datetime.date(2026, 3, 2)).isoformat(),
        "decision_basis": "with_consent",
        "hearing_omitted": "age_maturity",
        "hearing_omitted_note": "Barnet er 2 år.",
    }


def post(client, body, key=KEY, **extra):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(URL, body, format="json", **headers, **extra)


def measures(case) -> int:
    return Measure.objects.for_system().filter(case=case).count()


def test_a_retry_gets_the_first_answer_and_writes_nothing(org, scenario):
    client = client_for(org.advisor)
    first = post(client, start_body(scenario.case))
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    history = Measure.history.count()
    # The same request again, its JSON keys in another order: the same request.
    again = client.generic(
        "POST",
        URL,
        json.dumps(dict(reversed(start_body(scenario.case).items()))),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert again.status_code == 201
    assert again.content == first.content
    assert (again["ETag"], again["Content-Type"]) == (first["ETag"], first["Content-Type"])
    assert again["Idempotent-Replayed"] == "true"
    assert measures(scenario.case) == 1
    assert Measure.history.count() == history
    # Without the key the same request is a new one, refused as a repeat of the running measure.
    assert post(client, start_body(scenario.case), key=None).status_code == 400


def test_the_draft_s_quoted_key_is_the_same_key(org, scenario):
    client = client_for(org.advisor)
    assert post(client, start_body(scenario.case), key=f'"{KEY}"').status_code == 201
    assert post(client, start_body(scenario.case))["Idempotent-Replayed"] == "true"


def test_the_same_key_with_another_request_answers_422_and_writes_nothing(org, scenario):
    client = client_for(org.advisor)
    assert post(client, start_body(scenario.case)).status_code == 201
    other = post(client, start_body(scenario.case, datetime.date(2026, 3, 3)))
    assert other.status_code == 422
    body = problem(other, 422)
    assert (body["code"], body["errors"]) == ("idempotency_key_reused", [])
    assert "Idempotency-Key" in body["detail"]
    assert measures(scenario.case) == 1


@pytest.mark.parametrize("key", ["", "a b", "x" * 256, "nøgle", 'a"b'])
def test_a_bad_key_answers_400_at_the_header_and_writes_nothing(org, scenario, key):
    response = post(client_for(org.advisor), start_body(scenario.case), key=key)
    assert response.status_code == 400
    (error,) = problem(response, 400)["errors"]
    assert (error["field"], error["in"], error["code"]) == (
        "Idempotency-Key",
        "header",
        "idempotency_key_invalid",
    )
    assert "pointer" not in error
    assert measures(scenario.case) == 0
    assert not IdempotencyKey.objects.exists()


def test_a_refusal_is_not_kept_so_the_corrected_request_may_use_the_key(org, scenario):
    client = client_for(org.advisor)
    body = start_body(scenario.case)
    del body["decision_basis"]
    assert post(client, body).status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert post(client, start_body(scenario.case)).status_code == 201
    assert measures(scenario.case) == 1


def test_a_key_is_the_callers_own(org, scenario):
    assert post(client_for(org.advisor), start_body(scenario.case)).status_code == 201
    # The team leader's same key is another key: neither a replay of Alice's answer nor a 422.
    leaders = post(client_for(org.team_leader), start_body(scenario.case, datetime.date(2026, 3, 3)))
    assert leaders.status_code == 201
    assert "Idempotent-Replayed" not in leaders
    assert measures(scenario.case) == 2


def test_the_session_user_has_keys_too(org, scenario):
    from tests.fixtures import login_with_second_factor

    client = login_with_second_factor(APIClient(), org.advisor)
    assert post(client, start_body(scenario.case)).status_code == 201
    assert post(client, start_body(scenario.case))["Idempotent-Replayed"] == "true"
    assert measures(scenario.case) == 1


def test_a_key_is_kept_for_24_hours(org, scenario, _now):
    client = client_for(org.advisor)
    assert post(client, start_body(scenario.case)).status_code == 201
    _now.shift(datetime.timedelta(hours=23, minutes=59))
    assert post(client, start_body(scenario.case))["Idempotent-Replayed"] == "true"
    assert purge_expired() == 0
    _now.shift(datetime.timedelta(minutes=2))
    # A day later the key is free: another request under it is a new write, not a 422.
    later = post(client, start_body(scenario.case, datetime.date(2026, 3, 3)))
    assert later.status_code == 201
    assert "Idempotent-Replayed" not in later
    assert measures(scenario.case) == 2
    assert IdempotencyKey.objects.count() == 1  # the expired answer gave way to the new one


def test_the_purge_deletes_the_answers_older_than_a_day(org, scenario, _now):
    client = client_for(org.advisor)
    post(client, start_body(scenario.case))
    _now.shift(datetime.timedelta(hours=12))
    post(client, start_body(scenario.case, datetime.date(2026, 3, 3)), key="second")
    _now.shift(datetime.timedelta(hours=12, minutes=1))
    assert purge_expired() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["second"]


@pytest.fixture
def other_connection():
    """A second connection to the test database: another request in flight, as far as
    PostgreSQL can tell."""
    s = connection.settings_dict
    with psycopg.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"] or 5432
    ) as conn:
        conn.autocommit = True
        yield conn


def test_a_key_whose_first_request_still_runs_answers_409_and_writes_nothing(org, scenario, other_connection):
    client = client_for(org.advisor)
    # The first request with the key holds its lock until it commits.
    other_connection.execute("SELECT pg_advisory_lock(%s)", [lock_id(org.advisor.pk, KEY)])
    busy = post(client, start_body(scenario.case))
    assert busy.status_code == 409
    assert measures(scenario.case) == 0
    other_connection.execute("SELECT pg_advisory_unlock(%s)", [lock_id(org.advisor.pk, KEY)])
    assert post(client, start_body(scenario.case)).status_code == 201
    assert post(client, start_body(scenario.case))["Idempotent-Replayed"] == "true"
    assert measures(scenario.case) == 1


def test_the_kept_answer_is_written_with_the_write(org, scenario, monkeypatch):
    """A write that fails after the service ran leaves no answer kept, and no write."""
    from measures import api as measures_api

    def broken(self, instance):
        raise RuntimeError("the connection dropped")

    monkeypatch.setattr(measures_api.MeasureViewSet, "reread", broken)
    client = client_for(org.advisor)
    client.raise_request_exception = False
    assert post(client, start_body(scenario.case)).status_code == 500
    assert measures(scenario.case) == 0
    assert not IdempotencyKey.objects.exists()


def test_a_dubu_file_sent_again_is_not_imported_twice(org):
    from tests.dubu.conftest import csv_bytes, row

    client = client_for(org.team_leader)
    content = csv_bytes([row()])

    def send():
        # A new multipart boundary each time, as a client's retry would send it.
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(
            "/api/v1/dubu/imports/",
            {"file": SimpleUploadedFile("dubu.csv", content)},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY=KEY,
        )

    first = send()
    assert first.status_code == 201, first.content
    again = send()
    assert (again.status_code, again.content) == (201, first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert Measure.objects.for_system().count() == 1


def _api_views(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_post_of_the_api_takes_an_idempotency_key():
    posting = []
    for route, view in _api_views(get_resolver()):
        cls = getattr(view, "cls", None)
        if not route.startswith("api/v1/") or cls is None:
            continue
        actions = getattr(view, "actions", None)
        takes_post = "post" in actions if actions is not None else hasattr(cls, "post")
        if takes_post and "post" in cls.http_method_names:
            posting.append(route)
            assert issubclass(cls, IdempotentMixin), route
    assert len(posting) >= 15  # the resources' creates and their actions
