"""Issue 11 point 3: the database connection lost during a DUBU import leaves nothing
half-written. Another connection ends the import's session (``pg_terminate_backend``, as a
restart, a failover or an administrator does) at a chosen point inside the import's write; the
import is one transaction, so PostgreSQL rolls all of it back, the person is told plainly, and a
rerun imports the file."""

from __future__ import annotations

import datetime

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from cases.models import Case, Child
from dubu import importer
from dubu.importer import CONNECTION_LOST, import_file
from dubu.models import ImportRun, MappingProfile
from followups.models import Deadline, FollowUp
from measures import bulk as measure_bulk
from measures.models import Measure
from tests.dubu.conftest import csv_bytes, row
from tests.factories import cpr_for

ROWS = 6


def dubu_file() -> bytes:
    return csv_bytes(
        [
            row(
                case_id=f"D-{2000 + n}",
                cpr=cpr_for(datetime.date(2013, 1, 1) + datetime.timedelta(days=40 * n), n),
                first=f"Barn{n}",
                last_followup="01-10-2025",
            )
            for n in range(ROWS)
        ]
    )


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Child, Case, Measure, FollowUp, Deadline)}


def terminate_own_session() -> None:
    """End this process's database session from another connection."""
    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


POINTS = {
    # Children and cases are written; the measures are next.
    "after the cases": (measure_bulk, "measures_start"),
    # Every row is written; the deadlines are announced (and, in the tests, computed), then the
    # transaction commits.
    "before the commit": (importer.obligations, "changed"),
}


@pytest.fixture(params=list(POINTS))
def cut_at(request, monkeypatch):
    """Cut the connection the first time the import reaches the chosen point; returns what the
    import had written by then, seen from inside its own transaction."""
    module, name = POINTS[request.param]
    real = getattr(module, name)
    seen: dict[str, dict] = {}

    def cut(*args, **kwargs):
        if not seen:
            seen["inside"] = counts()
            terminate_own_session()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, cut)
    yield seen
    monkeypatch.setattr(module, name, real)


def test_a_connection_lost_mid_import_leaves_nothing_and_a_rerun_imports_the_file(
    shipped_data, org, cut_at, monkeypatch
):
    before = counts()
    report = import_file(content=dubu_file(), file_name="dubu.csv", user=org.team_leader)

    assert cut_at["inside"]["Case"] == before["Case"] + ROWS  # the cut came mid-write
    assert not report.committed
    assert [e.message for e in report.errors] == [str(CONNECTION_LOST)]
    assert counts() == before  # nothing half-written
    run = ImportRun.objects.get()
    assert not run.committed and run.report["errors"][0]["message"] == str(CONNECTION_LOST)

    monkeypatch.undo()
    again = import_file(content=dubu_file(), file_name="dubu.csv", user=org.team_leader)
    assert again.committed and not again.errors
    after = counts()
    assert after["Case"] == before["Case"] + ROWS and after["Measure"] == before["Measure"] + ROWS


def test_the_import_page_says_what_happened_instead_of_failing(shipped_data, org, login, monkeypatch):
    real = importer.obligations.changed
    cut_once = []

    def cut(*args, **kwargs):
        if not cut_once:
            cut_once.append(True)
            terminate_own_session()
        return real(*args, **kwargs)

    client = login(org.team_leader)
    monkeypatch.setattr(importer.obligations, "changed", cut)
    response = client.post(
        "/dubu/",
        {
            "file": SimpleUploadedFile("dubu.csv", dubu_file(), "text/csv"),
            "profile": MappingProfile.default().pk,
        },
    )
    monkeypatch.undo()
    assert response.status_code == 400
    assert str(CONNECTION_LOST) in response.content.decode()
    assert Case.objects.count() == 0
