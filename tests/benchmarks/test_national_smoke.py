"""The national benchmark at a tiny scale: the generator, then one short run of the load harness
against a live gunicorn serving the test database (issue 10, point 7)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db.models import Count

from benchmarks import run_national
from benchmarks.generator import SCALES, generate
from cases.models import Case, Child, Goal, JournalNote, Notification, Plan
from followups.models import FollowUp
from herning.organisation.models import Municipality, Role, RoleAssignment
from measures.models import LadderMovement, Measure

pytestmark = pytest.mark.usefixtures("shipped_data")


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def test_generator_builds_the_national_shape_at_a_tiny_scale():
    scale = SCALES["small"]
    generated = generate(scale)
    assert generated.municipalities == Municipality.objects.filter(name__startswith="Benchmark").count() == 3
    assert RoleAssignment.objects.filter(role=Role.TEAM_LEADER).count() == generated.teams == scale.teams
    assert RoleAssignment.objects.filter(role=Role.ADVISOR).count() == generated.advisors == 6 * 4
    assert Child.objects.count() == Case.objects.count() == scale.children
    assert Measure.objects.count() == scale.measures
    assert FollowUp.objects.count() == scale.followups
    assert JournalNote.objects.count() == scale.journal_notes
    assert Plan.objects.count() == Notification.objects.count() == scale.children
    assert Goal.objects.count() == scale.children * scale.goals_per_plan
    assert LadderMovement.objects.count() == scale.measures
    # Every case has exactly one or two open measures, the earlier ones ended; every advisor has
    # the same number of cases (the national shape puts each at the cap).
    open_measures = Measure.objects.filter(actual_end__isnull=True)
    per_case = open_measures.values("case").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(per_case) == {1, 2}
    assert open_measures.values("case").distinct().count() == scale.children
    loads = {
        Case.objects.filter(advisor_id=a).count() for a in Case.objects.values_list("advisor_id", flat=True)
    }
    assert loads == {scale.children // generated.advisors}
    # Every tracked record has its creation row in its history, as one saved by the application
    # has: the API's updated_at reads it.
    for model in (Child, Case, Measure, FollowUp, JournalNote, LadderMovement, Notification, Plan, Goal):
        history = model.history.model
        assert history.objects.filter(history_type="+").count() == model.objects.count(), model
        assert not model.objects.exclude(pk__in=history.objects.values("id")).exists(), model
    assert generated.history_rows >= Child.objects.count() + FollowUp.objects.count()
    # Dated when the record was written, where it keeps that moment.
    note = JournalNote.objects.order_by("pk").first()
    assert note.history.get().history_date == note.written_at


def test_load_harness_measures_every_endpoint_against_a_live_gunicorn(tmp_path, monkeypatch):
    generated = generate(SCALES["small"])
    monkeypatch.setenv("REDIS_URL", settings.REDIS_URL)
    args = run_national.parse(
        [
            "--scale=small",
            "--requests=6",
            "--people=2",
            "--clients=2",
            "--workers=1",
            "--threads=4",
            "--server-env=test",
            f"--var-dir={tmp_path / 'var'}",
            "--dubu-rows=30",
            # The sweeps in this process (the shared sweep on real workers: tests/faults).
            "--sweep-workers=",
            f"--plans={tmp_path / 'plans'}",
            f"--results={tmp_path / 'RESULTS.md'}",
        ]
    )
    report, text = run_national.measure(args, _database_url(), counts=vars(generated), build_seconds=1.0)

    rows = {row.endpoint.slug: row for row in report["web"]}
    assert set(rows) == {e.slug for e in run_national.endpoints()}
    for row in rows.values():
        sample = row.sample
        assert sample.errors == [], (row.endpoint.label, sample.errors[:3])
        assert sample.count == 6
        # Warmed up unmeasured: a read 8 times per person (2 people, one per client), so that each
        # web process has met each person; the write once per client, not to add rows.
        assert len(sample.warming) == (2 if row.endpoint.kind == "write" else 8 * 2), row.endpoint.label
        assert all(ms > 0 for ms in sample.warming)
        assert all(0 < ms < 30_000 for ms in sample.app), row.endpoint.label
        assert all(0 <= db <= app for db, app in zip(sample.db, sample.app, strict=True))
        assert min(sample.queries) > 0
        assert len(row.floor) == 6 and all(ms > 0 for ms in row.floor)
        assert (tmp_path / "plans" / f"{row.endpoint.slug}.txt").read_text().count("Planning Time") >= 1
    # A list or dashboard costs the same number of queries whoever asks.
    for slug in ("my_day", "team", "case_list", "api_cases", "api_measures"):
        assert len(set(rows[slug].sample.queries)) == 1, (slug, rows[slug].sample.queries)
    # The follow-ups were really recorded through the page.
    assert FollowUp.objects.filter(summary="Barnet trives bedre i skolen.").count() >= 6

    for endpoint in run_national.endpoints():
        line = next(line for line in text.splitlines() if line.startswith(f"| {endpoint.label} |"))
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[2] == "6" and float(cells[3]) > 0 and cells[-1] == "0"
        # A read is marked against its floor (p50 within 3 × the floor + 10 ms); a write is not.
        mark = "" if endpoint.kind == "write" else " [✓✗]"
        assert re.fullmatch(rf"[\d.]+×{mark}", cells[11]), cells[11]
        assert re.fullmatch(r"[\d.]+ \((2|16)\)", cells[13]), cells[13]
    assert len(report["sweeps"]) == 6 and all(r[4].errors == 0 for r in report["sweeps"])
    assert "| Full sweep, first run" in text and "| Incremental sweep again, nothing changed" in text
    nightly = next(r for r in report["sweeps"] if r[0].startswith("Full sweep, nothing changed"))
    assert nightly[4].records_skipped > 0 and nightly[4].deadlines_changed == 0
    imports, _export = report["dubu"]
    assert imports[1][2]["created_rows"] == 30 and imports[1][2]["bad_rows"] == 0
    assert "| First import: everything new |" in text
    assert "## Machine" in text and "PostgreSQL 1" in text and "Load average" in text
    assert re.search(r"\(steal\): \d+\.\d %", text) and re.search(
        r"Speed reference .*: \d+ ms before, \d+ ms after", text
    )
    # Issue 22, point 6: a web process's peak resident memory, measured (a Django process holds
    # tens of MB at least) and stated with its target.
    assert 30 < report["server"]["peak_mb"] < 2_000
    assert re.search(r"Peak resident memory of one web process .*: \d+ MB [✓✗] \(target < 250 MB\)", text)


def test_cpu_per_request_reads_every_endpoint_logged_in():
    """The one-request-at-a-time view of the endpoints (``benchmarks.cpu_per_request``) logs its
    people in as the site does: every page answers with itself, not the redirect to the login
    page (which it did, reading one query, while its session named a backend the settings do not
    list)."""
    from benchmarks import cpu_per_request

    generate(SCALES["small"])
    results = cpu_per_request.measure(rounds=1, count=2)
    assert set(results) == {e.slug for e in run_national.endpoints()}
    for endpoint in run_national.endpoints():
        row = results[endpoint.slug]
        # A page reads the session and the person, then its own data (the login page reads one).
        assert min(row["queries"]) > (3 if endpoint.kind != "api" else 2), (endpoint.slug, row)
        assert row["cpu_ms"] > 0


def test_the_pages_alone_are_refused_on_a_database_no_full_sweep_has_run_on(db):
    """Their deadlines are written by the first full sweep: without it the pages read an empty table."""
    from django.utils import timezone

    from followups.models import SweepRun

    with pytest.raises(SystemExit, match="No full sweep has run"):
        run_national._require_a_full_sweep()
    SweepRun.objects.create(mode=SweepRun.Mode.INCREMENTAL, finished_at=timezone.now())
    SweepRun.objects.create(mode=SweepRun.Mode.FULL)  # started, not finished
    with pytest.raises(SystemExit):
        run_national._require_a_full_sweep()
    SweepRun.objects.create(mode=SweepRun.Mode.FULL, finished_at=timezone.now())
    run_national._require_a_full_sweep()
