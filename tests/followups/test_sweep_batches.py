"""Issue 22, points 1 and 2: the full sweep as batches any worker may run, and the nightly run that
recomputes only what changed, with the same deadlines and reminders as a full recomputation.

The edits below are made with queryset ``update()``/``delete()``, which announce nothing
(``cases.obligations``): only the nightly sweep can notice them, through the input digests."""

from __future__ import annotations

import datetime
import io
import random

import psycopg
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cases.models import Case, CaseState, Investigation
from followups import sweep
from followups.models import (
    Deadline,
    DeadlineInput,
    FollowUp,
    FollowUpException,
    Reminder,
    RulePhase,
    SweepBatch,
    SweepRun,
)
from herning.organisation.models import Role, RoleAssignment, Team, User
from measures.models import Measure
from tests.faults.services import wait_for
from tests.followups.factories import deadline_rows, start_measure

pytestmark = pytest.mark.django_db


def deadline_table() -> set[tuple]:
    return deadline_rows({"id", "updated_at"})


def reminders() -> list[tuple]:
    return sorted(Reminder.objects.values_list("deadline_id", "due_on", "recipient_id", "kind"))


def next_dues() -> dict[int, datetime.date | None]:
    return dict(Measure.objects.values_list("pk", "next_followup_due"))


def nightly_equals_full_recomputation() -> SweepRun:
    """The nightly run, then a recomputation of everything that must find nothing left to do."""
    nightly = sweep.run(mode=SweepRun.Mode.FULL, dispatch=False)
    after_nightly = deadline_table(), reminders(), next_dues()
    full = sweep.run(mode=SweepRun.Mode.FULL, dispatch=False, recompute_all=True)
    assert (full.deadlines_changed, full.reminders_created, full.errors) == (0, 0, 0)
    assert (deadline_table(), reminders(), next_dues()) == after_nightly
    return nightly


# The sources that give input digests; the others (notifications, plans, ...) are recomputed nightly.
WITH_DIGESTS = ("measure", "placement_plan")


def rebuilt(run: SweepRun) -> int:
    """How many records of the sources with input digests the run's rebuild batches computed."""
    batches = run.batches.filter(phase=SweepBatch.Phase.REBUILD, source__in=WITH_DIGESTS)
    return sum(batches.values_list("checked", flat=True))


def random_edits(rng: random.Random) -> dict[str, list[int]]:
    """Edits of every kind of schedule input, none announced; returns the measures touched."""
    touched: dict[str, list[int]] = {}
    held = list(FollowUp.objects.order_by("pk").values_list("pk", "measure_id"))
    some = rng.sample(held, 6)
    FollowUp.objects.filter(pk=some[0][0]).update(held_on=timezone.localdate() - datetime.timedelta(days=3))
    FollowUp.objects.filter(pk=some[1][0]).update(child_conversation_held=False, no_conversation_ground="")
    FollowUp.objects.filter(pk=some[2][0]).delete()
    touched["followups"] = [m for _pk, m in some[:3]]
    today = timezone.localdate()
    running = list(
        Measure.objects.filter(actual_end__isnull=True, start_date__lt=today - datetime.timedelta(days=2))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    picked = rng.sample(running, 4)
    Measure.objects.filter(pk=picked[0]).update(start_date=timezone.localdate() - datetime.timedelta(days=40))
    Measure.objects.filter(pk=picked[1]).update(actual_end=timezone.localdate() - datetime.timedelta(days=1))
    case = Measure.objects.get(pk=picked[2]).case
    other = User.objects.filter(role_assignments__role=Role.ADVISOR).exclude(pk=case.advisor_id).first()
    Case.objects.filter(pk=case.pk).update(advisor=other)
    touched["measures"] = picked[:3]
    exception = (
        FollowUpException.objects.filter(state=FollowUpException.State.APPROVED).order_by("pk").first()
    )
    if exception is not None:
        FollowUpException.objects.filter(pk=exception.pk).update(state=FollowUpException.State.REJECTED)
        touched["exceptions"] = [exception.measure_id]
    investigation = Investigation.objects.order_by("pk").first()
    if investigation is not None:
        Investigation.objects.filter(pk=investigation.pk).update(completed_on=investigation.decided_on)
    # A rule of the municipality's rule set: every measure of its type is recomputed.
    phase = RulePhase.objects.order_by("pk").first()
    RulePhase.objects.filter(pk=phase.pk).update(every_amount=phase.every_amount + 1)
    # The deadline table itself tampered with, and a row lost.
    # (A row with reminders is a child's record and is never deleted: one without is.)
    rows = list(
        Deadline.objects.filter(is_open=True)
        .exclude(pk__in=Reminder.objects.values("deadline_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Deadline.objects.filter(pk=rows[0]).update(due_on=datetime.date(2030, 1, 1), fingerprint="x")
    Deadline.objects.filter(pk=rows[1]).delete()
    # A new team leader gets the escalations of the team's overdue deadlines.
    team = Team.objects.order_by("pk").first()
    newcomer = User.objects.filter(is_active=True).exclude(role_assignments__role=Role.TEAM_LEADER).last()
    RoleAssignment.objects.create(user=newcomer, role=Role.TEAM_LEADER, team=team)
    return touched


@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_the_nightly_run_skips_what_did_not_change_and_leaves_what_a_full_recomputation_would(db):
    call_command("seed_demo", stdout=io.StringIO())
    first = sweep.run(mode=SweepRun.Mode.FULL, dispatch=False)
    assert first.finished_at is not None and first.errors == 0
    assert DeadlineInput.objects.filter(source="measure").count() > 20

    # Nothing changed: every record with a digest is skipped, nothing is computed or written.
    quiet = nightly_equals_full_recomputation()
    assert quiet.deadlines_changed == quiet.reminders_created == 0
    assert quiet.records_skipped == DeadlineInput.objects.filter(source__in=WITH_DIGESTS).count()
    assert rebuilt(quiet) == 0
    assert not quiet.whole_window  # nothing the reminders depend on changed either

    rng = random.Random("issue 22")
    for _round in range(3):
        touched = random_edits(rng)
        edited = nightly_equals_full_recomputation()
        assert edited.deadlines_changed > 0 and edited.whole_window  # the new team leader
        assert edited.records_skipped < quiet.records_skipped
        skipped_again = sweep.run(mode=SweepRun.Mode.FULL, dispatch=False)
        assert skipped_again.deadlines_changed == skipped_again.reminders_created == 0
        assert touched["followups"] and touched["measures"]


def test_the_nightly_run_a_day_later_matches_a_full_recomputation(db):
    with time_machine.travel("2026-03-02 09:00 +01:00", tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        sweep.run(mode=SweepRun.Mode.FULL, dispatch=False)
    for days in (1, 30, 200):
        night = datetime.datetime(2026, 3, 2, 1, 30, tzinfo=datetime.UTC) + datetime.timedelta(days=days)
        with time_machine.travel(night, tick=False):
            if days != 30:
                random_edits(random.Random(days))
            # Days 30: nothing edited; only the reminder stages reached since are new.
            nightly = nightly_equals_full_recomputation()
            assert days != 30 or not nightly.whole_window


def test_a_full_sweep_runs_in_batches_and_the_last_finishes_it(org):
    today = timezone.localdate()
    for n in range(5):
        start_measure(org, "institution", today - datetime.timedelta(days=13 + n))
    Deadline.objects.all().delete()

    run = sweep.run(mode=SweepRun.Mode.FULL, dispatch=False, batch_size=2)
    batches = list(run.batches.order_by("pk"))
    assert {b.phase for b in batches} == {SweepBatch.Phase.REBUILD, SweepBatch.Phase.REMIND}
    assert len([b for b in batches if b.source == "measure"]) == 3  # 5 measures, 2 a batch
    assert all(b.done_at is not None for b in batches) and run.batches_total == len(batches)
    assert run.finished_at is not None
    assert run.deadlines_changed == Deadline.objects.count() > 0
    assert run.reminders_created == Reminder.objects.count() > 0


def test_the_ranges_cover_every_key_and_each_batch_closes_its_records_no_longer_open(org):
    from followups.deadlines import LAST_ID, covering_ranges
    from followups.obligation_sources import MeasureSource

    today = timezone.localdate()
    measures = [start_measure(org, "institution", today - datetime.timedelta(days=13 + n)) for n in range(7)]
    sweep.run(mode=SweepRun.Mode.FULL, dispatch=False, batch_size=2)
    kinds = MeasureSource.kinds
    assert Deadline.objects.filter(kind__in=kinds, source_id=measures[3].pk, is_open=True).exists()
    # Ended behind the sweep's back: below the first open key, between two batches' open keys
    # (the gap a range of open keys alone leaves) and above the last.
    ended = [measures[0].pk, measures[3].pk, measures[6].pk]
    Measure.objects.filter(pk__in=ended).update(actual_end=today - datetime.timedelta(days=1))

    run = sweep.run(mode=SweepRun.Mode.FULL, dispatch=False, batch_size=2)
    ranges = list(
        run.batches.filter(source="measure").order_by("first_id").values_list("first_id", "last_id")
    )
    assert ranges == [(1, measures[2].pk), (measures[2].pk + 1, LAST_ID)]
    assert not Deadline.objects.filter(kind__in=kinds, source_id__in=ended, is_open=True).exists()
    assert all(next_dues()[pk] is None for pk in ended)
    still = [m.pk for m in measures if m.pk not in ended]
    assert set(
        Deadline.objects.filter(kind__in=kinds, is_open=True).values_list("source_id", flat=True)
    ) == set(still)
    assert all(next_dues()[pk] is not None for pk in still)
    assert run.deadlines_changed >= len(ended)
    # With nothing open, one range covers every key (and its batch closes what is left).
    assert covering_ranges(Measure.objects.none().values_list("pk", flat=True), 2) == [(1, LAST_ID)]


def test_a_batch_delivered_twice_is_done_once(org):
    start_measure(org, "institution", timezone.localdate() - datetime.timedelta(days=13))
    run = sweep.start_full(now=timezone.now())
    batch = run.batches.get(source="measure")
    assert sweep.run_batch(batch.pk, dispatch=False) is True
    assert sweep.run_batch(batch.pk, dispatch=False) is False  # the second delivery finds it done
    for other in SweepBatch.objects.filter(run=run, done_at__isnull=True).order_by("pk"):
        sweep.run_batch(other.pk, dispatch=False)
    for other in SweepBatch.objects.filter(run=run, done_at__isnull=True).order_by("pk"):
        sweep.run_batch(other.pk, dispatch=False)  # the reminders, planned by the last rebuild batch
    written = reminders()
    assert written and len(written) == len(set(written))
    run.refresh_from_db()
    assert run.finished_at is not None


def test_a_batch_another_worker_holds_is_left_to_it(shipped_data, org):
    start_measure(org, "institution", timezone.localdate() - datetime.timedelta(days=13))
    run = sweep.start_full(now=timezone.now())
    batch = run.batches.get(source="measure")
    db = connection.settings_dict
    other = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    )
    try:
        # Another worker is in the middle of this batch: its row is locked.
        other.execute(f"SELECT 1 FROM {SweepBatch._meta.db_table} WHERE id = %s FOR UPDATE", [batch.pk])  # noqa: S608
        assert sweep.run_batch(batch.pk, dispatch=False) is False
        batch.refresh_from_db()
        assert batch.done_at is None
    finally:
        other.rollback()
        other.close()
    assert sweep.run_batch(batch.pk, dispatch=False) is True


def test_on_a_real_worker_the_batches_are_tasks_and_the_run_finishes(shipped_data, org, celery_worker_real):
    from followups.tasks import sweep as sweep_task

    today = timezone.localdate()
    for n in range(3):
        start_measure(org, "institution", today - datetime.timedelta(days=13 + n))
    expected = deadline_table()
    Deadline.objects.all().delete()
    # Without the e-mail delivery after the run: a delivery task still reading on the worker when
    # the test ends would hold the tables the test database's flush truncates.
    summary = sweep_task.delay(mode=SweepRun.Mode.FULL, dispatch=False).get(timeout=60)
    run = SweepRun.objects.get(pk=summary["run"])
    assert summary["batches"] >= 1 and run.distributed
    wait_for(
        lambda: SweepRun.objects.filter(pk=run.pk, finished_at__isnull=False).exists(),
        timeout=60,
        what="the worker to finish the sweep's batches",
    )
    run.refresh_from_db()
    assert {row[:2] for row in deadline_table()} == {row[:2] for row in expected}
    assert run.reminders_created == Reminder.objects.count() > 0


@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_the_nightly_run_recomputes_a_measure_whose_follow_up_got_a_value_where_it_had_none(db):
    """A NULL that becomes a date (the next follow-up agreed) changes the measure's digest."""
    call_command("seed_demo", stdout=io.StringIO())
    sweep.run(mode=SweepRun.Mode.FULL, dispatch=False)
    held = (
        FollowUp.objects.filter(next_agreed_on__isnull=True, measure__actual_end__isnull=True)
        .exclude(measure__case__state=CaseState.CLOSED)
        .order_by("pk")
    )
    followup = held.first()
    FollowUp.objects.filter(pk=followup.pk).update(
        next_agreed_on=timezone.localdate() + datetime.timedelta(days=9)
    )
    nightly = nightly_equals_full_recomputation()
    batches = nightly.batches.filter(phase=SweepBatch.Phase.REBUILD, source="measure")
    assert sum(batches.values_list("checked", flat=True)) >= 1
    assert nightly.records_skipped == DeadlineInput.objects.filter(source__in=WITH_DIGESTS).count() - 1


@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_a_batchs_digest_statements_are_planned_for_its_own_range_never_prepared(db):
    """A worker keeps its connection from batch to batch (herning/celery.py), and psycopg prepares
    a statement it has run five times on a connection; PostgreSQL's generic plan for the digest
    comparison, made without the range or the array, scanned whole tables (480-830 ms a batch).
    Each batch's range is written into its statements, so none is ever prepared."""
    from cases import obligations
    from followups.deadlines import rebuild_range

    call_command("seed_demo", stdout=io.StringIO())
    sweep.run(mode=SweepRun.Mode.FULL, dispatch=False)
    today, now = timezone.localdate(), timezone.now()
    source = obligations.sources()["measure"]
    ids = list(source.open_ids(today).order_by("pk"))[:8]
    assert len(ids) == 8

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    # A statement of a fixed text run eight times on the connection is prepared: psycopg does it
    # on this connection, so the check below can tell.
    for _ in range(8):
        Measure.objects.filter(pk=ids[0]).exists()
    assert any('"measures_measure"' in s for s in prepared())

    # Eight batches of one record each, the nightly way, on the same connection.
    for pk in ids:
        context = source.prepare(today)
        stats = rebuild_range("measure", pk, pk, today=today, now=now, context=context, skip_unchanged=True)
        assert stats.skipped == 1
    digests = [s for s in prepared() if "unnest" in s]
    assert digests == []
