"""An oversized DUBU upload is refused before any of it reaches a disk (issue 19): from its
Content-Length before the body is read, or while it streams in; a 413 problem under ``/api/``,
the form's error on the page. A file within the limit is kept in memory, never in a temporary
file (it holds CPR numbers)."""

from __future__ import annotations

import pytest
from django.core.files import uploadhandler
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cases.models import Child
from dubu.models import ImportRun, MappingProfile
from dubu.uploads import FORM_OVERHEAD_BYTES
from tests.api.base import problem
from tests.dubu.conftest import csv_bytes, row
from tests.fixtures import login_with_second_factor

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


@pytest.fixture
def no_temporary_files(settings, tmp_path, monkeypatch):
    """A limit of 1 MB (below Django's 2.5 MB in memory, so Django's own handlers would write these
    files to a temporary file), and a record of every temporary upload file opened."""
    settings.HERNING = {**settings.HERNING, "DUBU_MAX_FILE_MB": 1}
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    opened = []
    real = uploadhandler.TemporaryUploadedFile

    def recording(*args, **kwargs):
        opened.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(uploadhandler, "TemporaryUploadedFile", recording)
    yield opened
    assert not opened, "a temporary upload file was created"
    assert not list(tmp_path.iterdir())


def _big(size: int) -> SimpleUploadedFile:
    content = csv_bytes([row()])
    return SimpleUploadedFile("dubu.csv", content + b"x" * (size - len(content)), content_type="text/csv")


def _api(user):
    return login_with_second_factor(APIClient(), user)


@pytest.mark.parametrize(
    "size", [3 * MB, MB + FORM_OVERHEAD_BYTES // 2], ids=["by-content-length", "streaming"]
)
def test_api_refuses_an_oversized_file_with_a_413_problem(org, no_temporary_files, size):
    response = _api(org.team_leader).post("/api/v1/dubu/imports/", {"file": _big(size)}, format="multipart")
    assert response.status_code == 413
    body = problem(response)
    assert body["code"] == "file_too_large"
    assert body["detail"] == "Filen er for stor (højst 1 MB)."
    assert not ImportRun.objects.exists()


def test_api_still_refuses_others_before_looking_at_the_size(org, no_temporary_files):
    response = _api(org.advisor).post("/api/v1/dubu/imports/", {"file": _big(3 * MB)}, format="multipart")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "size", [3 * MB, MB + FORM_OVERHEAD_BYTES // 2], ids=["by-content-length", "streaming"]
)
def test_page_refuses_an_oversized_file_with_the_forms_error(org, login, no_temporary_files, size):
    client = login(org.team_leader)
    response = client.post("/dubu/", {"file": _big(size), "profile": MappingProfile.default().pk})
    assert response.status_code == 413
    assert "Filen er for stor (højst 1 MB)." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_file_within_the_limit_is_imported_from_memory(org, login, no_temporary_files):
    content = csv_bytes([row()])
    content += b"\r\n" * ((MB - 100 - len(content)) // 2)  # blank lines: 1 MB, still one row
    client = login(org.team_leader)
    response = client.post(
        "/dubu/",
        {
            "file": SimpleUploadedFile("dubu.csv", content, content_type="text/csv"),
            "profile": MappingProfile.default().pk,
        },
    )
    assert response.status_code in (200, 302), response.content[:300]
    api = _api(org.team_leader).post(
        "/api/v1/dubu/imports/",
        {"file": SimpleUploadedFile("dubu.csv", content, content_type="text/csv"), "dry_run": "true"},
        format="multipart",
    )
    assert api.status_code in (200, 202), api.content[:300]


def test_the_page_checks_csrf_for_a_file_it_reads(org, client):
    """The page's CSRF check moved behind the bound; it still holds."""
    from django.test import Client

    csrf_client = login_with_second_factor(Client(enforce_csrf_checks=True), org.team_leader)
    response = csrf_client.post(
        "/dubu/",
        {"file": SimpleUploadedFile("dubu.csv", csv_bytes([row()])), "profile": MappingProfile.default().pk},
    )
    assert response.status_code == 403
    assert not Child.objects.exists()
