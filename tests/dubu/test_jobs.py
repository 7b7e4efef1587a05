"""Big imports do not hit the web server's timeout (issue 18, point 7): a file from
``HERNING_DUBU_BACKGROUND_FROM_KB`` up is kept for a Celery job, the API answers 202 with the job
(the import run) and the page follows it with a progress bar; the import itself is the same, all
or nothing. The runs a team leader sees are those of their own teams."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cases.models import Child
from dubu import jobs
from dubu.models import ImportRun, ImportUpload, MappingProfile
from dubu.tasks import import_job
from herning.organisation.models import Role
from tests.dubu.conftest import csv_bytes, row
from tests.factories import cpr_for, staff
from tests.fixtures import login_with_second_factor

pytestmark = pytest.mark.django_db

CPR_SHAPED = re.compile(r"\d{6}-?\d{4}")


@pytest.fixture
def in_background(settings):
    """Every file sent through the page or the API is imported by a job."""
    settings.HERNING = {**settings.HERNING, "DUBU_BACKGROUND_FROM_KB": 0}


def _upload(content=None, name="dubu.csv"):
    return SimpleUploadedFile(name, content or csv_bytes([row()]), content_type="text/csv")


def _api(user):
    return login_with_second_factor(APIClient(), user)


def _post(client, content=None, *, name="dubu.csv", **fields):
    return client.post(
        "/api/v1/dubu/imports/", {"file": _upload(content, name), **fields}, format="multipart"
    )


def _queued_job(callbacks) -> int:
    """The run id of the one task sent on commit (tests run in a transaction never committed)."""
    assert len(callbacks) == 1
    assert callbacks[0].func == import_job.delay
    return callbacks[0].args[0]


def test_a_small_file_is_still_imported_within_the_request(org):
    response = _post(_api(org.team_leader))
    assert response.status_code == 201
    assert Child.objects.count() == 1
    assert ImportRun.objects.get().state == ImportRun.State.DONE


def test_a_large_file_answers_202_with_the_job_and_the_job_imports_it(
    org, in_background, django_capture_on_commit_callbacks
):
    client = _api(org.team_leader)
    with django_capture_on_commit_callbacks() as callbacks:
        response = _post(client)
    assert response.status_code == 202
    job = response.json()
    assert (job["state"], job["progress"], job["counts"], job["report"]) == ("queued", 0, None, None)
    assert response["Location"] == f"/api/v1/dubu/imports/{job['id']}/"
    assert not Child.objects.exists()  # nothing until the worker has run
    assert ImportUpload.objects.filter(run_id=job["id"]).exists()

    assert jobs.run_import_job(_queued_job(callbacks)) == ImportRun.State.DONE

    job = client.get(response["Location"]).json()
    assert (job["state"], job["progress"], job["committed"]) == ("done", 100, True)
    assert job["counts"] == {
        "rows": 1,
        "created_rows": 1,
        "updated_rows": 0,
        "unchanged_rows": 0,
        "bad_rows": 0,
    }
    assert job["report"]["created"]["children"] == 1
    assert job["finished_at"]
    assert Child.objects.count() == 1
    assert not ImportUpload.objects.exists()  # the file (CPR numbers) is gone with the job


def test_a_job_with_bad_rows_writes_nothing_and_reports_every_bad_row(
    org, in_background, django_capture_on_commit_callbacks
):
    content = csv_bytes(
        [row(), row(case_id="D-2", district="Atlantis"), row(case_id="D-3", start="32-01-2025")]
    )
    with django_capture_on_commit_callbacks() as callbacks:
        _post(_api(org.team_leader), content)
    jobs.run_import_job(_queued_job(callbacks))
    run = ImportRun.objects.get()
    assert (run.state, run.committed, run.report["bad_rows"]) == ("done", False, 2)
    assert [e["row"] for e in run.report["errors"]] == [3, 4]
    assert not Child.objects.exists()
    assert not ImportUpload.objects.exists()


def test_a_job_run_twice_imports_once(org, in_background, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _post(_api(org.team_leader))
    run_id = _queued_job(callbacks)
    assert jobs.run_import_job(run_id) == "done"
    assert jobs.run_import_job(run_id) == "done"
    assert Child.objects.count() == 1
    assert import_job.apply(args=[run_id]).get() == "done"  # the task, as a worker runs it
    assert jobs.run_import_job(run_id + 1000) == "gone"


def test_the_job_reports_its_progress_stage_by_stage(
    org, in_background, django_capture_on_commit_callbacks, monkeypatch
):
    seen = []
    monkeypatch.setattr(jobs._ProgressWriter, "write", lambda self, percent: seen.append(percent))
    with django_capture_on_commit_callbacks() as callbacks:
        _post(_api(org.team_leader))
    jobs.run_import_job(_queued_job(callbacks))
    assert seen == sorted(set(seen))
    assert seen[0] <= 10 and seen[-1] >= 95 and len(seen) >= 6


def test_the_progress_is_written_where_others_see_it_during_the_import(org, transactional_db, shipped_data):
    """On a connection of its own: the import's writes are one transaction, and progress written
    inside it would be seen only at its end (or never, when it rolls back)."""
    from django.db import transaction

    run = ImportRun.objects.create(
        user=org.team_leader,
        municipality=org.municipality,
        profile=MappingProfile.default(),
        file_name="dubu.csv",
        state=ImportRun.State.RUNNING,
        progress=0,
    )
    writer = jobs._ProgressWriter(run.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        writer(40)
        writer(30)  # never backwards
        assert ImportRun.objects.get(pk=run.pk).progress == 40
        raise RuntimeError("the import rolls back")
    writer.close()
    assert ImportRun.objects.get(pk=run.pk).progress == 40


def test_a_job_whose_importer_lost_the_role_fails_and_writes_nothing(
    org, in_background, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        _post(_api(org.team_leader))
    org.team_leader.role_assignments.all().delete()
    assert jobs.run_import_job(_queued_job(callbacks)) == "failed"
    run = ImportRun.objects.get()
    assert run.report["errors"][0]["message"] == "Kun teamledere udveksler data med DUBU."
    assert not Child.objects.exists()
    assert not ImportUpload.objects.exists()


def test_a_job_that_breaks_fails_plainly_without_logging_the_file(
    org, in_background, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    cpr = cpr_for(__import__("datetime").date(2014, 2, 3), 5)

    def broken(**kwargs):
        raise ValueError(f"row with {cpr}")

    monkeypatch.setattr(jobs, "run_import", broken)
    with django_capture_on_commit_callbacks() as callbacks:
        _post(_api(org.team_leader))
    assert jobs.run_import_job(_queued_job(callbacks)) == "failed"
    run = ImportRun.objects.get()
    assert (run.state, run.progress, run.committed) == ("failed", 100, False)
    assert "intet fra filen er gemt" in run.report["errors"][0]["message"]
    assert cpr not in caplog.text and "ValueError" in caplog.text
    assert not ImportUpload.objects.exists()


def test_a_job_whose_task_was_lost_is_sent_again(
    org, in_background, django_capture_on_commit_callbacks, monkeypatch
):
    import datetime

    from django.utils import timezone

    sent = []
    monkeypatch.setattr(import_job, "delay", sent.append)
    with django_capture_on_commit_callbacks():
        _post(_api(org.team_leader))
    run = ImportRun.objects.get()
    assert jobs.requeue_stale() == 0
    assert jobs.requeue_stale(now=timezone.now() + datetime.timedelta(minutes=11)) == 1
    assert sent == [run.pk]


def test_a_repeat_with_the_same_idempotency_key_gets_the_same_202(
    org, in_background, django_capture_on_commit_callbacks
):
    client = _api(org.team_leader)
    content = csv_bytes([row()])
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.post(
            "/api/v1/dubu/imports/",
            {"file": _upload(content)},
            format="multipart",
            headers={"Idempotency-Key": "dubu-1"},
        )
        again = client.post(
            "/api/v1/dubu/imports/",
            {"file": _upload(content)},
            format="multipart",
            headers={"Idempotency-Key": "dubu-1"},
        )
    assert (first.status_code, again.status_code) == (202, 202)
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert json.loads(again.content)["id"] == first.json()["id"]
    assert ImportRun.objects.count() == 1
    assert len(callbacks) == 1


def test_the_report_never_holds_a_cpr_number(org, in_background, django_capture_on_commit_callbacks):
    cpr = cpr_for(__import__("datetime").date(2014, 2, 3), 5)
    header = [
        "DUBU sags-id",
        "CPR-nummer",
        "Fornavn",
        "Efternavn",
        "Sagsbehandler",
        "Distrikt",
        "Ydelse",
        "Tilbud",
        "Lovhjemmel",
        "Startdato",
        "Slutdato",
        "Leverandør",
        f"Seneste opfølgning {cpr}",
    ]
    content = csv_bytes([row(cpr=cpr), row(case_id="D-2", cpr=cpr.replace("-", "")[:9] + "x")], header=header)
    with django_capture_on_commit_callbacks() as callbacks:
        _post(_api(org.team_leader), content, name=f"udtraek {cpr}.csv")
    jobs.run_import_job(_queued_job(callbacks))
    run = ImportRun.objects.get()
    stored = json.dumps(run.report) + run.file_name
    assert run.report["rows"] == 2
    assert not CPR_SHAPED.search(stored), stored


def test_a_team_leader_sees_the_runs_of_their_own_teams_only(org, in_background):
    client = _api(org.team_leader)
    _post(client)
    run = ImportRun.objects.get()
    assert list(run.teams.all()) == [org.team_a]
    co_leader = staff(username="tl2", municipality=org.municipality, roles=[(Role.TEAM_LEADER, org.team_a)])
    other = _api(org.other_team_leader)
    assert other.get(f"/api/v1/dubu/imports/{run.pk}/").status_code == 404
    assert other.get("/api/v1/dubu/imports/").json()["results"] == []
    assert _api(co_leader).get(f"/api/v1/dubu/imports/{run.pk}/").status_code == 200
    assert [r["id"] for r in client.get("/api/v1/dubu/imports/").json()["results"]] == [run.pk]
    assert (
        login_with_second_factor(__import__("django.test").test.Client(), org.other_team_leader)
        .get(f"/dubu/import/{run.pk}/")
        .status_code
        == 404
    )


def test_the_page_follows_a_background_import_with_a_progress_bar(
    org, login, in_background, django_capture_on_commit_callbacks
):
    client = login(org.team_leader)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/dubu/", {"file": _upload(), "profile": MappingProfile.default().pk})
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dubu/import/{run.pk}/"

    page = client.get(response["Location"]).content.decode()
    assert '<progress max="100" value="0"' in page
    assert f'hx-get="/dubu/import/{run.pk}/"' in page and 'hx-trigger="every 2s"' in page
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div id="import-run"') and "<progress" in fragment

    jobs.run_import_job(_queued_job(callbacks))
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and "<progress" not in fragment
    assert "Importen er gemt" in fragment
    assert Child.objects.count() == 1
