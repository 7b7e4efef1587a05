"""The three ways in: ``POST /api/v1/dubu/imports/``, the page, ``import_dubu``; and the exports."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from cases.models import Child
from dubu.models import MappingProfile
from tests.access import AccessMatrix, outcome_for_all
from tests.api.base import problem
from tests.dubu.conftest import csv_bytes, row
from tests.fixtures import PERSONAS, login_with_second_factor

pytestmark = pytest.mark.django_db


def _upload(content=None, name="dubu.csv"):
    return SimpleUploadedFile(name, content or csv_bytes([row()]), content_type="text/csv")


def _api(user):
    return login_with_second_factor(APIClient(), user)


def test_api_dry_run_answers_200_with_the_report_and_writes_nothing(org):
    response = _api(org.team_leader).post(
        "/api/v1/dubu/imports/", {"file": _upload(), "dry_run": "true"}, format="multipart"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["created"]["children"], body["created_rows"]) == (True, 1, 1)
    assert not Child.objects.exists()


def test_api_import_answers_201_and_400_with_the_errors(org):
    client = _api(org.team_leader)
    assert client.post("/api/v1/dubu/imports/", {"file": _upload()}, format="multipart").status_code == 201
    assert Child.objects.count() == 1
    bad = client.post(
        "/api/v1/dubu/imports/", {"file": _upload(csv_bytes([row(district="Atlantis")]))}, format="multipart"
    )
    body = problem(bad, 400)
    assert (body["code"], body["detail"]) == (
        "dubu_import_refused",
        "Filen blev ikke indlæst: 1 række er forkert. Intet er skrevet.",
    )
    assert body["errors"][0] == {
        "field": "Distrikt",
        "in": "file",
        "row": 2,
        "code": "bad_row",
        "message": "Ukendt distrikt »Atlantis«.",
    }
    # The whole report rides along, as a dry run shows it.
    assert (body["report"]["bad_rows"], body["report"]["committed"]) == (1, False)
    runs = client.get("/api/v1/dubu/imports/").json()["results"]
    assert [r["committed"] for r in runs] == [False, True]


def test_api_without_a_file_is_a_400_naming_the_field(org):
    response = _api(org.team_leader).post("/api/v1/dubu/imports/", {"dry_run": "true"}, format="multipart")
    assert problem(response, 400)["errors"] == [
        {
            "field": "file",
            "in": "body",
            "pointer": "#/file",
            "code": "required",
            "message": "Ingen medsendt fil.",
        }
    ]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p not in ("team_leader", "other_team_leader")])
def test_api_import_and_export_are_for_team_leaders(org, persona):
    client = _api(getattr(org, persona))
    assert client.post("/api/v1/dubu/imports/", {"file": _upload()}, format="multipart").status_code == 403
    assert client.get("/api/v1/dubu/export/").status_code == 403
    assert client.get("/api/v1/dubu/imports/").status_code == 403


def test_api_export_in_both_formats(org):
    client = _api(org.team_leader)
    client.post("/api/v1/dubu/imports/", {"file": _upload()}, format="multipart")
    csv = client.get("/api/v1/dubu/export/")
    assert csv.status_code == 200 and csv["Content-Type"] == "text/csv"
    assert b"D-1001" in csv.content
    xlsx = client.get("/api/v1/dubu/export/", {"file_format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert client.get("/api/v1/dubu/export/", {"file_format": "pdf"}).status_code == 400


class TestExchangePageAccess(AccessMatrix):
    url = "/dubu/"
    expected = outcome_for_all(403, team_leader=200, other_team_leader=200)


def test_page_shows_the_dry_run_report(org, login):
    client = login(org.team_leader)
    response = client.post(
        "/dubu/",
        {
            "file": _upload(csv_bytes([row(), row(case_id="D-2", district="Atlantis")])),
            "profile": MappingProfile.default().pk,
            "dry_run": "on",
        },
    )
    assert response.status_code == 200, response.content[:500]
    page = response.content.decode()
    assert "Prøvekørsel: det ville ske" in page
    assert "Ukendt distrikt »Atlantis«." in page
    assert not Child.objects.exists()


def test_page_import_with_bad_rows_says_nothing_was_saved(org, login):
    client = login(org.team_leader)
    response = client.post(
        "/dubu/",
        {"file": _upload(csv_bytes([row(district="Atlantis")])), "profile": MappingProfile.default().pk},
    )
    assert response.status_code == 400
    assert "Intet er gemt" in response.content.decode()


def test_page_export_downloads_a_file(org, login):
    response = login(org.team_leader).get(
        "/dubu/udtraek/", {"profile": MappingProfile.default().pk, "file_format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="dubu-udtraek-')


def test_command_imports_with_dry_run_and_reports(org, tmp_path):
    path = tmp_path / "dubu.csv"
    path.write_bytes(csv_bytes([row()]))
    out = io.StringIO()
    call_command("import_dubu", str(path), "--dry-run", "--user", org.team_leader.username, stdout=out)
    assert "Prøvekørsel: 1 rækker" in out.getvalue()
    assert not Child.objects.exists()
    call_command("import_dubu", str(path), "--user", org.team_leader.username, stdout=io.StringIO())
    assert Child.objects.count() == 1


def test_command_refuses_bad_rows_with_an_error(org, tmp_path):
    path = tmp_path / "dubu.csv"
    path.write_bytes(csv_bytes([row(district="Atlantis")]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_dubu", str(path), "--user", org.team_leader.username, stdout=out)
    assert "Række 2, Distrikt: Ukendt distrikt »Atlantis«." in out.getvalue()


def test_command_needs_a_user_who_leads_a_team(org, tmp_path, settings):
    path = tmp_path / "dubu.csv"
    path.write_bytes(csv_bytes([row()]))
    with pytest.raises(CommandError):
        call_command("import_dubu", str(path), stdout=io.StringIO())
    settings.HERNING = {**settings.HERNING, "DUBU_USER": org.advisor.username}
    with pytest.raises(CommandError):
        call_command("import_dubu", str(path), stdout=io.StringIO())


def test_export_command_writes_the_file(org, tmp_path):
    path = tmp_path / "ud.xlsx"
    call_command("export_dubu", str(path), "--user", org.team_leader.username, stderr=io.StringIO())
    assert path.read_bytes()[:2] == b"PK"


def test_anonymous_api_is_401():
    assert APIClient().post("/api/v1/dubu/imports/", {}).status_code == 401


def test_the_importer_and_exporter_ask_the_rule_themselves(org, tmp_path):
    """The team-leader rule is an action (``DUBU_IMPORT`` / ``DUBU_EXPORT``) the importer and the
    exporter ask, whoever calls them: the page, the API, a command or a task."""
    from cases.permissions import Action, Refused
    from dubu import exporter
    from dubu.importer import import_file
    from dubu.models import ImportRun

    for who in (org.advisor, org.case_admin, org.management):
        with pytest.raises(Refused) as refused:
            import_file(content=csv_bytes([row()]), file_name="dubu.csv", user=who, dry_run=True)
        assert (refused.value.action, str(refused.value)) == (
            Action.DUBU_IMPORT,
            "Kun teamledere udveksler data med DUBU.",
        )
        with pytest.raises(Refused) as refused:
            exporter.export_rows(user=who, profile=MappingProfile.default())
        assert refused.value.action == Action.DUBU_EXPORT
    assert not ImportRun.objects.exists()
    path = tmp_path / "ud.csv"
    with pytest.raises(CommandError, match=r"Kun teamledere udveksler data med DUBU\."):
        call_command("export_dubu", str(path), "--user", org.advisor.username, stderr=io.StringIO())
    assert not path.exists()


def test_the_page_and_the_api_translate_the_refusal(org, login):
    response = login(org.advisor).get("/dubu/")
    assert response.status_code == 403
    assert "Kun teamledere udveksler data med DUBU." in response.content.decode()
    response = _api(org.advisor).get("/api/v1/dubu/export/")
    assert problem(response, 403)["detail"] == "Kun teamledere udveksler data med DUBU."
