"""The reminder sweep: each reminder exactly once, stages in order, escalation to the team leader,
at-least-once e-mail from the outbox, broken records skipped, and a sweep interrupted half-way or a
flushed broker losing nothing (on the real database and a real worker)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from followups import sweep
from followups.delivery import deliver_pending
from followups.models import Deadline, DeadlineKind, Reminder, SweepRun
from followups.tasks import deliver_reminders
from followups.tasks import sweep as sweep_task
from tests.followups.factories import start_measure

D = datetime.date


def followup_deadline(measure) -> Deadline:
    return Deadline.objects.get(kind=DeadlineKind.FOLLOWUP, source_id=measure.pk)


def reminder_keys():
    return sorted(Reminder.objects.values_list("deadline_id", "due_on", "recipient__username", "kind"))


@pytest.mark.django_db
def test_a_sweep_run_twice_sends_each_reminder_once(org):
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        measure = start_measure(org, "institution", D(2026, 1, 5))  # first follow-up 19 Jan
    with time_machine.travel("2026-01-12 08:00 +01:00", tick=False):  # 7 days before
        first = sweep.run(dispatch=False)
        deliver_pending()
        second = sweep.run(dispatch=False)
        deliver_pending()
    deadline = followup_deadline(measure)
    assert reminder_keys() == [(deadline.pk, D(2026, 1, 19), "alice", "before_7")]
    assert (first.reminders_created, second.reminders_created) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [org.advisor.email]
    child = measure.case.child
    assert (
        message.subject
        == f"[Herning] Frist om 7 dage: Opfølgning – {child.full_name} (sag {measure.case_id})"
    )
    assert "19. januar 2026" in message.body
    assert "første opfølgning efter 2 uger" in message.body
    assert f"/opfoelgning/indsats/{measure.pk}/" in message.body
    # The e-mail names the child, never its CPR number.
    for text in (message.body, message.alternatives[0][0]):
        assert child.full_name in text and child.cpr not in text and child.cpr[:6] not in text


@pytest.mark.django_db
def test_stages_follow_one_another_and_overdue_escalates_to_the_team_leader(org):
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        measure = start_measure(org, "institution", D(2026, 1, 5))
    deadline = followup_deadline(measure)
    for moment in (
        "2026-01-12 08:00 +01:00",  # 7 days before
        "2026-01-12 12:00 +01:00",  # nothing new the same day
        "2026-01-18 00:05 +01:00",  # the day before
        "2026-01-19 07:00 +01:00",  # the day itself
        "2026-01-20 00:01 +01:00",  # overdue
        "2026-01-25 10:00 +01:00",  # still overdue: nothing more
    ):
        with time_machine.travel(moment, tick=False):
            sweep.run(dispatch=False)
    assert reminder_keys() == [
        (deadline.pk, D(2026, 1, 19), "alice", "before_1"),
        (deadline.pk, D(2026, 1, 19), "alice", "before_7"),
        (deadline.pk, D(2026, 1, 19), "alice", "due"),
        (deadline.pk, D(2026, 1, 19), "alice", "overdue"),
        (deadline.pk, D(2026, 1, 19), "tl", "escalation"),
    ]
    # The leader of the other team hears nothing.
    assert not Reminder.objects.filter(recipient=org.other_team_leader).exists()


@pytest.mark.django_db
def test_escalation_mail_names_the_person_responsible(org):
    # A team leader who chose a mail per escalation (the default is the daily digest,
    # tests/followups/test_escalation_digest.py).
    from followups.services import reminder_settings_update

    reminder_settings_update(user=org.team_leader, escalations_immediately=True)
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        start_measure(org, "institution", D(2026, 1, 5))
    with time_machine.travel("2026-01-20 09:00 +01:00", tick=False):
        sweep.run(dispatch=False)
        deliver_pending()
    escalation = next(m for m in mail.outbox if m.to == [org.team_leader.email])
    assert escalation.subject.startswith("[Herning] Overskredet frist i dit team: Opfølgning")
    assert "Alice" in escalation.body


@pytest.mark.django_db
def test_without_a_responsible_advisor_the_team_leader_is_reminded(org):
    from tests.factories import CaseFactory

    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        case = CaseFactory(team=org.team_a, advisor=None)
        measure = start_measure(org, "institution", D(2026, 1, 5), case=case)
    with time_machine.travel("2026-01-18 09:00 +01:00", tick=False):
        sweep.run(dispatch=False)
    assert reminder_keys() == [(followup_deadline(measure).pk, D(2026, 1, 19), "tl", "before_1")]


@pytest.mark.django_db
def test_a_deadline_arriving_inside_the_window_is_reminded_at_once(org):
    with time_machine.travel("2026-01-16 09:00 +01:00", tick=False):
        measure = start_measure(org, "institution", D(2026, 1, 5))  # due 19 Jan, three days away
        sweep.run(dispatch=False)
    assert reminder_keys() == [(followup_deadline(measure).pk, D(2026, 1, 19), "alice", "before_7")]


@pytest.mark.django_db
def test_the_incremental_sweep_looks_only_at_what_changed_or_reached_a_stage(org):
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        for _ in range(3):
            start_measure(org, "institution", D(2026, 1, 5))
    with time_machine.travel("2026-01-12 08:00 +01:00", tick=False):
        first = sweep.run(dispatch=False)
        again = sweep.run(dispatch=False)
        full = sweep.run(mode=SweepRun.Mode.FULL, dispatch=False)
    assert first.deadlines_checked == 3  # the three follow-ups 7 days ahead
    assert (again.deadlines_checked, again.reminders_created) == (0, 0)
    # The full sweep computes all 12 deadlines again (3 follow-up kinds and the plan each placement
    # made due, BL § 91) and re-checks the 3 inside a reminder window.
    assert (full.deadlines_checked, full.reminders_created, full.deadlines_changed) == (12 + 3, 0, 0)


@pytest.mark.django_db
def test_one_broken_deadline_is_logged_and_skipped(org, caplog):
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        measure = start_measure(org, "institution", D(2026, 1, 5))
    broken = followup_deadline(measure)
    # A date no reminder window can be computed for (a faulty import, say).
    Deadline.objects.filter(pk=broken.pk).update(due_on=datetime.date.min)
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        other = start_measure(org, "short_term_placement", D(2026, 1, 1))  # due 29 Jan
    with time_machine.travel("2026-01-22 09:00 +01:00", tick=False):
        run = sweep.run(dispatch=False)
        now = timezone.now()
    assert run.errors == 1
    assert f"Deadline {broken.pk}" in caplog.text
    assert [k[3] for k in reminder_keys()] == ["before_7"]
    assert Reminder.objects.get().deadline == followup_deadline(other)
    broken.refresh_from_db()
    assert broken.next_check_at == now + sweep.RETRY_BROKEN_AFTER


@pytest.mark.django_db
def test_a_bad_address_is_retried_later_and_does_not_hold_up_the_others(org, caplog):
    org.colleague.email = "bob@kommune.example\nBcc: x@example.org"
    org.colleague.save()
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        start_measure(org, "institution", D(2026, 1, 5), advisor=org.colleague)
        start_measure(org, "institution", D(2026, 1, 5))
    with time_machine.travel("2026-01-12 08:00 +01:00", tick=False):
        sweep.run(dispatch=False)
        assert deliver_pending() == 1
    assert [m.to for m in mail.outbox] == [[org.advisor.email]]
    failed = Reminder.objects.get(recipient=org.colleague)
    assert (failed.email_state, failed.email_attempts) == (Reminder.EmailState.PENDING, 1)
    # Tried again later (2 minutes after the first attempt, then longer each time).
    assert failed.next_attempt_at == datetime.datetime(2026, 1, 12, 7, 2, tzinfo=datetime.UTC)
    assert "could not be e-mailed" in caplog.text
    assert "bob@kommune" not in caplog.text


@pytest.mark.django_db
def test_a_reminder_to_someone_without_an_address_stays_in_the_app(org):
    org.advisor.email = ""
    org.advisor.save()
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        start_measure(org, "institution", D(2026, 1, 5))
    with time_machine.travel("2026-01-12 08:00 +01:00", tick=False):
        sweep.run(dispatch=False)
        deliver_pending()
    assert Reminder.objects.get().email_state == Reminder.EmailState.NO_ADDRESS
    assert mail.outbox == []


# --- On the real worker and the real Redis broker -----------------------------------------------


def _measures_due_tomorrow(org, n):
    today = timezone.localdate()
    return [start_measure(org, "institution", today - datetime.timedelta(days=13)) for _ in range(n)]


class _Killed(Exception):
    """Stands for the worker dying after a batch was committed."""


def test_a_sweep_interrupted_half_way_then_rerun_sends_every_reminder_exactly_once(
    shipped_data, org, celery_worker_real
):
    measures = _measures_due_tomorrow(org, 6)

    def kill_after_first_batch(sender, run, processed, **kwargs):
        raise _Killed

    sweep.batch_committed.connect(kill_after_first_batch)
    try:
        with pytest.raises(_Killed):
            sweep.run(batch_size=2)
    finally:
        sweep.batch_committed.disconnect(kill_after_first_batch)
    assert Reminder.objects.count() == 2  # the first batch was committed before the "crash"

    summary = sweep_task.delay().get(timeout=60)
    assert summary["reminders"] == 4
    assert deliver_reminders.delay().get(timeout=60) >= 0  # queued after the sweep's own delivery

    expected = sorted((followup_deadline(m).pk, "alice", "before_1") for m in measures)
    assert sorted(Reminder.objects.values_list("deadline_id", "recipient__username", "kind")) == expected
    assert set(Reminder.objects.values_list("email_state", flat=True)) == {Reminder.EmailState.SENT}
    sent_ids = sorted(int(m.extra_headers["X-Herning-Reminder"]) for m in mail.outbox)
    assert sent_ids == sorted(Reminder.objects.values_list("pk", flat=True))  # each e-mailed exactly once


def test_reminders_whose_task_was_lost_are_delivered_after_the_next_sweep(
    shipped_data, org, celery_worker_real
):
    _measures_due_tomorrow(org, 2)
    # The sweep wrote the outbox, but its message to the worker was lost (a flushed Redis).
    sweep.run(dispatch=False)
    assert Reminder.objects.filter(email_state=Reminder.EmailState.PENDING).count() == 2
    assert mail.outbox == []
    sweep_task.delay().get(timeout=60)  # nothing new to remind; it asks for delivery again
    deliver_reminders.delay().get(timeout=60)
    assert Reminder.objects.filter(email_state=Reminder.EmailState.SENT).count() == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_full_sweep_notices_reconfigured_reminder_days(org, settings):
    with time_machine.travel("2026-01-02 09:00 +01:00", tick=False):
        measure = start_measure(org, "short_term_placement", D(2026, 1, 1))  # due 29 Jan
        sweep.run(dispatch=False)
    assert not Reminder.objects.exists()  # 7 days before is 22 Jan
    settings.HERNING = {**settings.HERNING, "REMINDER_DAYS_BEFORE": [14, 7, 1]}
    with time_machine.travel("2026-01-16 09:00 +01:00", tick=False):
        assert sweep.run(dispatch=False).reminders_created == 0  # the stored check says 22 Jan
        sweep.run(mode=SweepRun.Mode.FULL, dispatch=False)
    assert reminder_keys() == [(followup_deadline(measure).pk, D(2026, 1, 29), "alice", "before_14")]


@pytest.mark.django_db
def test_reminders_fall_on_the_right_local_day_across_the_spring_dst_change(org):
    # Short-term placement from 2 March: every 4 weeks, first 30 March, the Monday after the
    # night clocks go forward (29 March 2026).
    with time_machine.travel("2026-03-02 09:00 +01:00", tick=False):
        measure = start_measure(org, "short_term_placement", D(2026, 3, 2))
    deadline = followup_deadline(measure)
    assert deadline.due_on == D(2026, 3, 30)
    with time_machine.travel(datetime.datetime(2026, 3, 29, 21, 30, tzinfo=datetime.UTC), tick=False):
        sweep.run(dispatch=False)  # 23:30 summer time on Sunday 29 March
    assert [k[3] for k in reminder_keys()] == ["before_1"]
    with time_machine.travel(datetime.datetime(2026, 3, 29, 22, 30, tzinfo=datetime.UTC), tick=False):
        sweep.run(dispatch=False)  # 00:30 on Monday 30 March
    assert sorted(k[3] for k in reminder_keys()) == ["before_1", "due"]


@pytest.mark.django_db
def test_a_reminder_for_a_deadline_met_before_it_was_mailed_is_not_sent(org):
    from tests.followups.factories import hold

    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        measure = start_measure(org, "institution", D(2026, 1, 5))
    with time_machine.travel("2026-01-18 09:00 +01:00", tick=False):
        sweep.run(dispatch=False)  # "due tomorrow" written to the outbox
        hold(measure, D(2026, 1, 18), by=org.advisor)  # and met before the worker mailed it
        deliver_pending()
    assert mail.outbox == []
    assert Reminder.objects.get().email_state == Reminder.EmailState.OBSOLETE
