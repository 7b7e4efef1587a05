"""Point 1: a daily snapshot of every case, idempotent per day, reconstructed for the past in bulk,
and never rewritten by a later correction."""

from __future__ import annotations

import datetime
import io
import time

import pytest
import time_machine
from django.core.management import CommandError, call_command

from cases.models import Case, CaseState, Child, Investigation
from evaluation import selectors
from evaluation.models import CaseSnapshot, SnapshotDay
from evaluation.periods import year
from evaluation.scope import Scope
from evaluation.services import CATCH_UP_DAYS, snapshot_backfill, snapshot_catch_up
from evaluation.tasks import take_snapshots
from herning.celery import beat_schedule
from measures.models import LadderStep, Measure
from measures.services import measure_end, measure_start
from tests.factories import HEARD, CaseFactory, cpr_for, measure_type

D = datetime.date


def _snapshot(case, day):
    return CaseSnapshot.objects.get(case=case, date=day)


@pytest.fixture
def case(org):
    return CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2025, 1, 1))


@time_machine.travel("2025-06-01 10:00 +02:00", tick=False)
def test_backfill_writes_one_row_per_open_case_and_day(org, case):
    CaseFactory(team=org.team_b, opened_on=D(2025, 3, 1))
    closed = CaseFactory(team=org.team_b, opened_on=D(2024, 12, 1))
    closed.state, closed.closed_on = CaseState.CLOSED, D(2025, 1, 11)
    closed.save()

    written = snapshot_backfill(municipality=org.municipality, start=D(2025, 1, 1), end=D(2025, 3, 31))

    # case: 90 days (Jan-Mar); the second: March, 31 days; the closed one: 1-10 January (closed on
    # the 11th, so not open that day)
    assert written == 90 + 31 + 10
    assert CaseSnapshot.objects.count() == written
    assert SnapshotDay.objects.filter(municipality=org.municipality).count() == 90
    assert not CaseSnapshot.objects.filter(case=closed, date=D(2025, 1, 11)).exists()


@time_machine.travel("2025-06-01 10:00 +02:00", tick=False)
def test_backfill_twice_writes_each_day_once(org, case):
    first = snapshot_backfill(municipality=org.municipality, start=D(2025, 1, 1), end=D(2025, 1, 31))
    again = snapshot_backfill(municipality=org.municipality, start=D(2025, 1, 1), end=D(2025, 2, 28))
    assert (first, again) == (31, 28)
    assert CaseSnapshot.objects.count() == 59


@time_machine.travel("2025-06-01 10:00 +02:00", tick=False)
def test_step_is_the_highest_active_measure_and_the_placement_is_its_category(org, case):
    treatment = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("family_treatment"),
        start_date=D(2025, 2, 1),
        decided_by=org.advisor,
    )
    measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("foster_family"),
        start_date=D(2025, 3, 1),
        decided_by=org.advisor,
    )
    measure_end(
        measure=treatment,
        end_date=D(2025, 3, 15),
        ending_reason=Measure.EndingReason.PLANNED,
        ended_by=org.advisor,
    )
    snapshot_backfill(municipality=org.municipality, start=D(2025, 1, 1), end=D(2025, 3, 31))

    january, february, march = (_snapshot(case, D(2025, m, 10)) for m in (1, 2, 3))
    assert (january.ladder_step, january.placement_category, january.state) == (
        None,
        "",
        CaseState.CLARIFICATION,
    )
    assert (february.ladder_step.number, february.placement_category) == (2, "")
    assert february.state == CaseState.MEASURES
    assert (march.ladder_step.number, march.placement_category) == (5, "foster_family")
    assert march.measure_type.code == "foster_family"
    assert (march.team, march.district, march.child) == (org.team_a, org.district_a, case.child)


@time_machine.travel("2025-06-01 10:00 +02:00", tick=False)
def test_reconstructed_state_follows_investigations_measures_and_aftercare(org, case):
    Investigation.objects.create(
        case=case,
        decided_on=D(2025, 1, 10),
        aware_on=D(2025, 1, 10),
        deadline=D(2025, 5, 10),
        completed_on=D(2025, 2, 1),
        decided_by=org.advisor,
    )
    measure = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("own_room"),
        start_date=D(2025, 2, 1),
        decided_by=org.advisor,
    )
    measure_end(
        measure=measure,
        end_date=D(2025, 4, 30),
        ending_reason=Measure.EndingReason.TURNED_18,
        ended_by=org.advisor,
    )
    Case.objects.filter(pk=case.pk).update(state=CaseState.AFTERCARE)
    snapshot_backfill(municipality=org.municipality, start=D(2025, 1, 1), end=D(2025, 5, 31))

    states = {
        d: _snapshot(case, d).state for d in (D(2025, 1, 5), D(2025, 1, 20), D(2025, 3, 1), D(2025, 5, 15))
    }
    assert states == {
        D(2025, 1, 5): CaseState.CLARIFICATION,  # before the investigation
        D(2025, 1, 20): CaseState.INVESTIGATION,
        D(2025, 3, 1): CaseState.MEASURES,
        D(2025, 5, 15): CaseState.AFTERCARE,  # measures ended, the case is in aftercare now
    }


def test_a_later_correction_does_not_rewrite_past_figures(org, case):
    with time_machine.travel("2025-03-01 10:00 +01:00", tick=False):
        measure = measure_start(
            hearing=HEARD,
            case=case,
            measure_type=measure_type("institution"),
            start_date=D(2025, 1, 1),
            decided_by=org.advisor,
        )
        snapshot_backfill(municipality=org.municipality, start=D(2025, 1, 1), end=D(2025, 2, 28))
    scope = Scope(municipality_id=org.municipality.pk)
    before = selectors.placements(scope, [year(2025)])[0].days["institution"]

    with time_machine.travel("2025-04-01 10:00 +02:00", tick=False):
        # The institution turns out to have ended in January; the record is corrected later.
        Measure.objects.filter(pk=measure.pk).update(actual_end=D(2025, 1, 20), ending_reason="planned")
        snapshot_catch_up()
        snapshot_backfill(municipality=org.municipality, start=D(2025, 1, 1), end=D(2025, 2, 28))

    assert before == 59  # January and February
    # The nights of March the worker missed are reconstructed as the records stood each night
    # (issue 21 point 2): the institution was still recorded as running, until the last night,
    # 31 March, which is read as the case is now.
    assert selectors.placements(scope, [year(2025)])[0].days["institution"] == 59 + 30
    assert _snapshot(case, D(2025, 2, 10)).ladder_step.number == 6


def test_nightly_run_takes_yesterday_with_the_case_as_it_is(org, case):
    Case.objects.filter(pk=case.pk).update(state=CaseState.INVESTIGATION)
    with time_machine.travel("2025-05-02 00:30 +02:00", tick=False):
        written = snapshot_catch_up()
    row = CaseSnapshot.objects.get()
    assert written == 1
    assert (row.date, row.case, row.state, row.ladder_step) == (
        D(2025, 5, 1),
        case,
        CaseState.INVESTIGATION,
        None,
    )
    assert SnapshotDay.objects.get().method == SnapshotDay.Method.NIGHTLY


def test_nightly_run_twice_writes_once(org, case):
    with time_machine.travel("2025-05-02 00:30 +02:00", tick=False):
        assert snapshot_catch_up() == 1
        assert snapshot_catch_up() == 0
    assert CaseSnapshot.objects.count() == 1


def test_nightly_run_fills_missed_nights_within_the_window(org, case):
    with time_machine.travel("2025-03-02 00:30 +01:00", tick=False):
        snapshot_catch_up()  # 1 March
    with time_machine.travel("2025-03-07 00:30 +01:00", tick=False):
        assert snapshot_catch_up() == 5  # 2-6 March: the worker was down for four nights
    with time_machine.travel("2025-06-01 00:30 +02:00", tick=False):
        snapshot_catch_up()
    days = list(SnapshotDay.objects.order_by("date").values_list("date", flat=True))
    assert days[:6] == [D(2025, 3, d) for d in range(1, 7)]
    # After a long outage only the last CATCH_UP_DAYS nights are reconstructed.
    assert days[6] == D(2025, 5, 31) - datetime.timedelta(days=CATCH_UP_DAYS)
    assert days[-1] == D(2025, 5, 31)


def test_the_nightly_task_is_scheduled_in_code():
    entry = beat_schedule()["evaluation-snapshots"]
    assert entry["task"] == "evaluation.tasks.take_snapshots"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {30})


def test_the_nightly_task_runs_on_a_real_worker(celery_worker_real, org):
    CaseFactory(team=org.team_a, opened_on=D(2020, 1, 1))
    assert take_snapshots.delay().get(timeout=60) == 1
    assert take_snapshots.delay().get(timeout=60) == 0
    assert CaseSnapshot.objects.count() == 1


@time_machine.travel("2026-01-15 10:00 +01:00", tick=False)
def test_two_years_of_250_cases_are_written_in_bulk(org):
    """The demo's back-fill: 2 years x 250 cases in one pass, a few seconds on PostgreSQL."""
    children = Child.objects.bulk_create(
        Child(
            municipality=org.municipality,
            district=org.district_a,
            first_name="Barn",
            last_name=str(i),
            cpr=cpr_for(D(2012, 1, 1) + datetime.timedelta(days=i), i),
            birth_date=D(2012, 1, 1) + datetime.timedelta(days=i),
            legal_sex="F",
        )
        for i in range(250)
    )
    cases = Case.objects.bulk_create(
        Case(
            child=child,
            municipality=org.municipality,
            district=org.district_a,
            team=org.team_a,
            state=CaseState.MEASURES,
            opened_on=D(2023, 1, 1),
        )
        for child in children
    )
    types = [measure_type(code) for code in ("foster_family", "institution", "preventive", "own_room")]
    Measure.objects.bulk_create(
        Measure(
            case=c,
            measure_type=types[i % 4],
            start_date=D(2023, 6, 1) + datetime.timedelta(days=i),
            legal_basis=types[i % 4].legal_basis,
            decided_by=org.advisor,
        )
        for i, c in enumerate(cases)
    )
    started = time.perf_counter()
    written = snapshot_backfill(municipality=org.municipality, start=D(2024, 1, 15), end=D(2026, 1, 14))
    elapsed = time.perf_counter() - started
    assert written == 250 * 731  # 2024 is a leap year
    assert elapsed < 30, f"{elapsed:.1f} s"
    assert (
        CaseSnapshot.objects.filter(date=D(2025, 1, 1), ladder_step=LadderStep.objects.get(number=6)).count()
        == 63
    )


def test_backfill_command_reconstructs_past_days(org, case):
    out = io.StringIO()
    with time_machine.travel("2025-02-01 10:00 +01:00", tick=False):
        call_command("backfill_snapshots", "--fra", "2025-01-01", "--kommune", "657", stdout=out)
        with pytest.raises(CommandError, match="Kun dage, der er gået"):
            call_command("backfill_snapshots", "--fra", "2025-01-01", "--til", "2025-02-01")
    assert "31 øjebliksbilleder skrevet" in out.getvalue()


def test_the_nightly_run_refreshes_the_planners_statistics_of_what_it_wrote(org, case):
    """Without fresh statistics the planner chose a plan that took 35 s for the follow-up figures
    at national scale after the first nightly computation: the nightly run analyzes the tables it
    rewrote in bulk (the rows of its own transaction count, as ANALYZE sees them)."""
    from django.db import connection

    def estimated(table):
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return cursor.fetchone()[0]

    with time_machine.travel("2025-05-02 00:30 +02:00", tick=False):
        snapshot_catch_up()
    assert CaseSnapshot.objects.for_system().count() == 1
    assert estimated(CaseSnapshot._meta.db_table) == 1
    assert estimated(SnapshotDay._meta.db_table) == SnapshotDay.objects.count()
