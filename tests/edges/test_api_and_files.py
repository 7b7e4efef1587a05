"""Issue 11 point 4 at the API and the one upload (the DUBU file): values of the wrong JSON type,
bodies that are not JSON, dates that do not exist, and files of the wrong type or size are
refused with 400 and a message per field; nothing is stored; nothing reaches a 500."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cases.models import Case, Child, Notification
from dubu.models import ImportRun, MappingProfile
from measures.models import Measure
from network_meetings.models import NetworkMeeting
from tests.api.base import field_errors, problem
from tests.dubu.conftest import csv_bytes, row
from tests.factories import CaseFactory
from tests.fixtures import login_with_second_factor

STORED = (Child, Case, Notification, Measure, NetworkMeeting)


def counts():
    return [model.objects.count() for model in STORED]


@pytest.fixture
def api(org):
    return login_with_second_factor(APIClient(), org.team_leader)


@pytest.fixture
def case(org):
    return CaseFactory(team=org.team_a, advisor=org.advisor)


# (path, body, fields that must each carry a message)
WRONG_TYPES = [
    ("/api/v1/children/", {"cpr": 1234567890, "first_name": ["Maja"], "last_name": {"x": 1}, "district": "A"},
     {"cpr", "first_name", "last_name", "district"}),
    ("/api/v1/children/", {"cpr": "3102151234", "first_name": "<script>alert(1)</script>", "last_name": "L" * 500},
     {"cpr", "last_name"}),
    ("/api/v1/notifications/", {"cpr": True, "received_at": "i går", "notifier_kind": 5, "concern": ["x"]},
     {"received_at", "notifier_kind", "concern"}),
    ("/api/v1/measures/", {"case": "første", "measure_type": 7, "start_date": "2026-02-31"},
     {"case", "measure_type", "start_date"}),
    ("/api/v1/measures/", {"case": None, "measure_type": None, "start_date": "99999-01-01"},
     {"case", "measure_type", "start_date"}),
    ("/api/v1/network-meetings/", {"child": "x", "starts_at": 12, "ends_at": False, "kind": ["network"]},
     {"child", "starts_at", "ends_at", "kind"}),
]  # fmt: skip


@pytest.mark.parametrize(("path", "body", "fields"), WRONG_TYPES)
def test_wrong_json_types_get_400_with_a_message_per_field(api, org, case, path, body, fields):
    if path == "/api/v1/notifications/":
        api = login_with_second_factor(APIClient(), org.case_admin)  # who registers notifications
    before = counts()
    response = api.post(path, body, format="json")
    assert response.status_code == 400, response.content[:500]
    errors = field_errors(response)
    missing = {f for f in fields if f not in errors}
    assert not missing, f"no message for {missing}: {errors}"
    assert all(
        isinstance(errors[f], list) and all(isinstance(m, str) and m for m in errors[f]) for f in fields
    )
    assert counts() == before


@pytest.mark.parametrize(
    "raw",
    [
        b"{ikke json",
        b"[]",
        b'"en tekst"',
        b"null",
        b"\xff\xfe\x00",
        json.dumps({"cpr": "1" * 10_000}).encode(),
    ],
)
def test_a_body_that_is_not_the_expected_json_gets_400(api, case, raw):
    before = counts()
    response = api.post("/api/v1/children/", raw, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert problem(response)["detail"]
    assert counts() == before


def test_an_update_with_wrong_types_is_refused_and_changes_nothing(api, case):
    etag = api.get(f"/api/v1/cases/{case.pk}/").headers["ETag"]
    response = api.patch(
        f"/api/v1/cases/{case.pk}/",
        {"state": 3, "closed_on": "31/02/2026"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 400
    assert "state" in field_errors(response) or "closed_on" in field_errors(response)
    case.refresh_from_db()
    assert case.state == "clarification"


# --- The DUBU file, on the page and through the API ----------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WRONG_FILES = {
    "image": ("billede.png", PNG),
    "image named csv": ("dubu.csv", PNG),
    "program": ("dubu.exe", b"MZ\x90\x00" + b"\x00" * 100),
    "empty": ("dubu.csv", b""),
    "zip named xlsx": ("dubu.xlsx", b"PK\x03\x04" + b"\x00" * 40),
    "html": ("dubu.csv", b"<html><script>alert(1)</script></html>"),
}


@pytest.mark.parametrize("kind", list(WRONG_FILES))
def test_a_file_of_the_wrong_type_is_refused_on_the_page(org, login, kind):
    name, content = WRONG_FILES[kind]
    client = login(org.team_leader)
    before = counts()
    response = client.post(
        "/dubu/",
        {"file": SimpleUploadedFile(name, content), "profile": MappingProfile.default().pk},
    )
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "form-error-message" in html or "alert-error" in html or 'class="error' in html, html[:2000]
    assert "<script>alert(1)" not in html
    assert counts() == before
    assert not ImportRun.objects.filter(committed=True).exists()


@pytest.mark.parametrize("kind", list(WRONG_FILES))
def test_a_file_of_the_wrong_type_is_refused_by_the_api(org, api, kind):
    name, content = WRONG_FILES[kind]
    before = counts()
    response = api.post(
        "/api/v1/dubu/imports/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )
    assert response.status_code == 400, response.content[:300]
    assert problem(response)["errors"]
    assert counts() == before


def test_a_file_too_large_is_refused_on_the_page_and_by_the_api(org, login, api, settings):
    settings.HERNING = {**settings.HERNING, "DUBU_MAX_FILE_MB": 1}
    content = csv_bytes([row()]) + b"\r\n" * (1024 * 1024)
    page = login(org.team_leader).post(
        "/dubu/",
        {
            "file": SimpleUploadedFile("dubu.csv", content),
            "profile": MappingProfile.default().pk,
            "dry_run": "",
        },
    )
    # 413 since the upload is bounded before it is stored (tests/dubu/test_upload_limits.py).
    assert page.status_code == 413 and "Filen er for stor" in page.content.decode()
    response = api.post("/api/v1/dubu/imports/", {"file": io.BytesIO(content)}, format="multipart")
    assert response.status_code == 413
    assert problem(response)["code"] == "file_too_large"
    assert Child.objects.count() == 0
