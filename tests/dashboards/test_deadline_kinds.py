"""The two deadline kinds this issue adds to the follow-up engine: agreements from network meetings
(owned by a member of staff) and the handover meeting of a case moved to another district. Each is
a row of ``Deadline`` kept in sync from its record, like the others."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases import services as case_services
from followups import deadlines, sweep
from followups.models import Deadline, DeadlineKind, Reminder
from followups.selectors import deadline_url, my_deadlines, team_deadlines
from network_meetings import services
from network_meetings.models import Participant
from tests.factories import CaseFactory
from tests.network_meetings.factories import add, caseless_child, plan


@pytest.fixture
def meeting(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    start = timezone.now() - datetime.timedelta(hours=1)
    return plan(
        case.child, planned_by=org.advisor, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )


def agreement_row(agreement):
    return Deadline.objects.get(kind=DeadlineKind.AGREEMENT, source_id=agreement.pk)


def test_a_staff_agreement_is_a_deadline_of_its_owner(org, meeting):
    psychologist = add(meeting, function=Participant.Function.PSYCHOLOGIST, user=org.psychologist)
    due = timezone.localdate() + datetime.timedelta(days=5)
    agreement = services.agreement_add(
        meeting=meeting, by=org.advisor, text="Observation i klassen", owner=psychologist, due_on=due
    )
    row = agreement_row(agreement)
    assert (row.responsible, row.due_on, row.case, row.team, row.statutory) == (
        org.psychologist,
        due,
        meeting.case,
        org.team_a,
        False,
    )
    assert f"møde nr. {meeting.pk}" in row.explanation and f"meeting no. {meeting.pk}" in row.explanation_en
    # The agreement's words may name the child; the explanation goes into reminder e-mails.
    assert "Observation" not in row.explanation + row.explanation_en


def test_an_agreement_of_someone_outside_the_staff_is_no_deadline(org, meeting):
    parent = add(meeting, function=Participant.Function.PARENT, name="Mor")
    agreement = services.agreement_add(
        meeting=meeting, by=org.advisor, text="Morgenrutine", owner=parent, due_on=timezone.localdate()
    )
    assert not Deadline.objects.filter(kind=DeadlineKind.AGREEMENT, source_id=agreement.pk).exists()


def test_done_removed_and_cancelled_agreements_close_their_deadline(org, meeting):
    owner = meeting.participants.get(user=org.advisor)
    today = timezone.localdate()
    done = services.agreement_add(meeting=meeting, by=org.advisor, text="Ring", owner=owner, due_on=today)
    removed = services.agreement_add(meeting=meeting, by=org.advisor, text="Skriv", owner=owner, due_on=today)
    services.agreement_mark_done(agreement=done, by=org.advisor)
    removed_pk = removed.pk
    services.agreement_remove(agreement=removed, by=org.advisor)
    assert not agreement_row(done).is_open
    assert not Deadline.objects.get(kind=DeadlineKind.AGREEMENT, source_id=removed_pk).is_open

    later = plan(meeting.child, planned_by=org.advisor)
    owner = later.participants.get(user=org.advisor)
    pending = services.agreement_add(meeting=later, by=org.advisor, text="Besøg", owner=owner, due_on=today)
    assert agreement_row(pending).is_open
    services.meeting_cancel(meeting=later, by=org.advisor)
    assert not agreement_row(pending).is_open


def test_an_agreement_of_a_meeting_without_a_case_is_seen_by_its_owner(org):
    meeting = plan(caseless_child(org), planned_by=org.advisor)
    owner = meeting.participants.get(user=org.advisor)
    agreement = services.agreement_add(
        meeting=meeting, by=org.advisor, text="Tal med skolen", owner=owner, due_on=timezone.localdate()
    )
    row = agreement_row(agreement)
    assert row.case is None
    assert row in my_deadlines(org.advisor)
    assert row not in my_deadlines(org.outsider)


def test_the_rebuild_agrees_with_the_trigger(org, meeting):
    owner = meeting.participants.get(user=org.advisor)
    agreement = services.agreement_add(
        meeting=meeting, by=org.advisor, text="Ring", owner=owner, due_on=timezone.localdate()
    )
    moved = case_services.case_transfer(case=meeting.case, to_team=org.team_b, transferred_by=org.advisor)
    before = {
        (d.kind, d.source_id): (d.due_on, d.responsible_id, d.explanation, d.is_open)
        for d in Deadline.objects.filter(kind__in=[DeadlineKind.AGREEMENT, DeadlineKind.HANDOVER])
    }
    Deadline.objects.filter(kind__in=[DeadlineKind.AGREEMENT, DeadlineKind.HANDOVER]).delete()
    deadlines.rebuild(sources=["agreement", "handover"])
    after = {
        (d.kind, d.source_id): (d.due_on, d.responsible_id, d.explanation, d.is_open)
        for d in Deadline.objects.filter(kind__in=[DeadlineKind.AGREEMENT, DeadlineKind.HANDOVER])
    }
    assert after == before
    assert set(before) == {(DeadlineKind.AGREEMENT, agreement.pk), (DeadlineKind.HANDOVER, moved.pk)}


def test_an_overdue_handover_reminds_the_giving_advisor_and_the_receiving_team_leader(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    moved = case_services.case_transfer(
        case=case, to_team=org.team_b, transferred_by=org.advisor, handover_due_on=timezone.localdate()
    )
    row = Deadline.objects.get(kind=DeadlineKind.HANDOVER, source_id=moved.pk)
    sweep.run(now=timezone.now() + datetime.timedelta(days=2), dispatch=False)
    kinds = set(Reminder.objects.filter(deadline=row).values_list("recipient__username", "kind"))
    assert ("alice", "overdue") in kinds and ("tl_b", "escalation") in kinds
    assert deadline_url(row) == f"/flytninger/{moved.pk}/overlevering/"
    assert row in team_deadlines(org.other_team_leader, now=timezone.now())


def test_a_list_sharing_one_book_of_paths_links_each_kind_where_one_alone_does():
    """``deadline_url`` with one ``KeyedPaths`` for a whole list (Min dag, the reminders, the deadline
    tables) gives each row the address it gives alone: a shared book never lends one kind's
    address to another."""
    from django.urls import reverse

    from herning.core.paths import KeyedPaths

    handled_at = {
        "followup": "followups:measure_schedule",
        "legal_followup": "followups:measure_schedule",
        "supervision": "followups:measure_schedule",
        "handover": "cases:handover_record",
        "interim_assessment": "cases:investigation_interim",
        "screening": "cases:notification_screening",
        "feedback": "cases:notification_feedback",
    }
    paths = KeyedPaths()
    for _round in range(2):
        for n, kind in enumerate(DeadlineKind.values):
            deadline = Deadline(pk=1000 + n, kind=kind, source_id=500 + n)
            alone = deadline_url(deadline)
            assert deadline_url(deadline, paths) == alone, kind
            if kind in handled_at:
                assert alone == reverse(handled_at[kind], args=[500 + n]), kind
            else:
                assert alone == reverse("followups:deadlines") + f"#frist-{1000 + n}", kind
