"""Recording a follow-up and the exceptions that need a team leader's approval."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import Goal, JournalNote
from followups import engine, selectors, services
from followups.models import Deadline, DeadlineKind, ExceptionKind, FollowUpException, GoalReview
from measures.models import Measure
from tests.followups.factories import hold, plan_with_goals, start_measure

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-03-10 10:00 +01:00", tick=False):
        yield


def test_a_follow_up_with_a_child_conversation_is_journaled_as_boernesamtale(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    followup = hold(measure, D(2026, 1, 19), by=org.advisor, participants="Barnet, pædagog")
    note = followup.journal_note
    assert note.heading == JournalNote.Heading.CHILD_CONVERSATION
    assert note.get_heading_display() == "Børnesamtale"
    assert (note.case, note.occurred_on, note.written_by) == (measure.case, D(2026, 1, 19), org.advisor)
    assert "Børnesamtale afholdt." in note.text
    assert "Deltagere: Barnet, pædagog" in note.text


def test_without_a_child_conversation_a_reason_is_required_and_the_heading_is_opfoelgning(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    with pytest.raises(ValidationError) as error:
        hold(measure, D(2026, 1, 19), by=org.advisor, child_conversation_held=False)
    assert "no_conversation_reason" in error.value.error_dict
    followup = hold(
        measure,
        D(2026, 1, 19),
        by=org.advisor,
        child_conversation_held=False,
        no_conversation_reason="Barnet var syg.",
    )
    assert followup.journal_note.heading == JournalNote.Heading.FOLLOW_UP
    assert "Ingen børnesamtale: Barnet var syg." in followup.journal_note.text


def test_each_goal_is_reviewed_with_its_status_kept_in_history_and_new_goals_join_the_plan(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    plan, (goal,) = plan_with_goals(measure.case, by=org.advisor)
    followup = hold(
        measure,
        D(2026, 1, 19),
        by=org.advisor,
        goal_reviews=[
            services.GoalReviewInput(goal=goal, status=Goal.Status.IN_PROGRESS, note="Mødt 4 af 5 dage")
        ],
        new_goals=[
            services.NewGoalInput(
                what="Spiser morgenmad",
                who="Barnet og pædagog",
                how_measured="Hver dag",
                by_when=D(2026, 6, 1),
            )
        ],
    )
    goal.refresh_from_db()
    assert (goal.status, goal.status_note) == (Goal.Status.IN_PROGRESS, "Mødt 4 af 5 dage")
    assert [h.status for h in goal.history.order_by("history_date")] == [
        Goal.Status.NOT_STARTED,
        Goal.Status.IN_PROGRESS,
    ]
    assert GoalReview.objects.get(follow_up=followup).status == Goal.Status.IN_PROGRESS
    assert plan.goals.filter(what="Spiser morgenmad").exists()
    assert "Spiser morgenmad" in followup.journal_note.text


def test_a_next_date_later_than_the_rule_allows_needs_a_reason(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    # The rule allows 6 weeks after 19 Jan: 2 Mar.
    with pytest.raises(ValidationError) as error:
        hold(measure, D(2026, 1, 19), by=org.advisor, next_agreed_on=D(2026, 3, 16))
    assert "2. marts 2026" in str(error.value.error_dict["later_than_rule_reason"])
    hold(
        measure,
        D(2026, 1, 19),
        by=org.advisor,
        next_agreed_on=D(2026, 3, 16),
        later_than_rule_reason="Familien er bortrejst.",
    )
    deadline = Deadline.objects.get(kind=DeadlineKind.FOLLOWUP, source_id=measure.pk)
    assert deadline.due_on == D(2026, 3, 16)
    assert "aftalt ved opfølgningen 19. januar 2026" in deadline.explanation
    # An earlier date needs no reason.
    hold(measure, D(2026, 3, 9), by=org.advisor, next_agreed_on=D(2026, 4, 1))


def test_the_first_follow_up_under_barnets_lov_decides_the_cadence_with_reasons(org):
    measure = start_measure(org, "preventive", D(2026, 1, 5))
    with pytest.raises(ValidationError) as error:
        hold(measure, D(2026, 2, 2), by=org.advisor, cadence_reason="")
    assert "Barnets Lov § 95, stk. 3" in str(error.value.error_dict["cadence_reason"])
    followup = hold(
        measure,
        D(2026, 2, 2),
        by=org.advisor,
        statutory_cadence_months=4,
        cadence_reason="Ung i god trivsel.",
    )
    assert followup.statutory_cadence_months == 4
    assert Deadline.objects.get(kind=DeadlineKind.LEGAL_FOLLOWUP, source_id=measure.pk).due_on == D(
        2026, 6, 2
    )
    assert "hver 4. måned: Ung i god trivsel." in followup.journal_note.text


def test_the_default_cadence_is_six_months_when_none_is_given(org):
    measure = start_measure(org, "preventive", D(2026, 1, 5))
    followup = hold(measure, D(2026, 2, 2), by=org.advisor)
    assert followup.statutory_cadence_months == 6


def test_deciding_to_end_the_measure_ends_it(org):
    measure = start_measure(org, "mst", D(2026, 1, 5))
    with pytest.raises(ValidationError):
        hold(measure, D(2026, 3, 2), by=org.advisor, decision="end")
    hold(measure, D(2026, 3, 2), by=org.advisor, decision="end", ending_reason=Measure.EndingReason.GOALS_MET)
    measure.refresh_from_db()
    assert (measure.actual_end, measure.ending_reason) == (D(2026, 3, 2), Measure.EndingReason.GOALS_MET)
    assert not Deadline.objects.filter(
        source_id=measure.pk, kind=DeadlineKind.FOLLOWUP, is_open=True
    ).exists()


def test_only_the_advisor_and_the_team_leader_record_follow_ups(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    for person in (org.colleague, org.outsider, org.other_team_leader, org.management):
        with pytest.raises(PermissionDenied):
            hold(measure, D(2026, 1, 19), by=person)
    hold(measure, D(2026, 1, 19), by=org.team_leader)


def test_a_follow_up_cannot_be_dated_in_the_future_or_before_the_start(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    for day in (D(2026, 3, 11), D(2026, 1, 4)):
        with pytest.raises(ValidationError) as error:
            hold(measure, day, by=org.advisor, today=D(2026, 3, 10))
        assert "held_on" in error.value.error_dict


# --- Exceptions -------------------------------------------------------------------------------


def _municipal_after(measure, day):
    data = selectors.schedule_for_measure(measure, D(2026, 3, 10), until=D(2027, 6, 30))
    return [i for i in data.municipal if i.due_date >= day], data.statutory


def test_an_exception_relaxes_nothing_until_the_team_leader_approves_it(org):
    measure = start_measure(org, "foster_family", D(2025, 1, 6))
    exc = services.exception_request(
        measure=measure,
        kind=ExceptionKind.CHILDHOOD_FOSTER,
        reason="Barnet trives og skal blive.",
        requested_by=org.advisor,
    )
    pending, statutory_before = _municipal_after(measure, D(2026, 3, 10))
    assert pending and statutory_before
    assert all(i.allowed_forms == (engine.MEETING,) and i.child_conversation_required for i in pending)

    services.exception_decide(exception=exc, approve=True, decided_by=org.team_leader, reason="Enig.")
    relaxed, statutory_after = _municipal_after(measure, D(2026, 3, 10))
    assert [i.due_date for i in relaxed] == [i.due_date for i in pending]
    assert all(i.allowed_forms == (engine.MEETING, engine.PHONE, engine.MAIL) for i in relaxed)
    assert not any(i.child_conversation_required for i in relaxed)
    # The statutory follow-ups and supervisory visits are all still there, unrelaxed.
    assert [(i.due_date, i.obligation) for i in statutory_after] == [
        (i.due_date, i.obligation) for i in statutory_before
    ]
    assert all(i.child_conversation_required for i in statutory_after)


def test_approval_records_who_when_and_why(org):
    measure = start_measure(org, "boarding_school", D(2026, 1, 5))
    exc = services.exception_request(
        measure=measure,
        kind=ExceptionKind.BOARDING_SCHOOL,
        reason="Efterskole i Thy.",
        requested_by=org.advisor,
    )
    services.exception_decide(
        exception=exc, approve=True, decided_by=org.team_leader, reason="Ok, telefon er fint."
    )
    exc.refresh_from_db()
    assert exc.state == FollowUpException.State.APPROVED
    assert exc.decided_by == org.team_leader
    assert exc.decided_at.isoformat().startswith("2026-03-10T09:00")
    assert exc.decision_reason == "Ok, telefon er fint."
    assert exc.history.count() == 2


def test_only_the_team_leader_of_the_cases_team_decides(org):
    measure = start_measure(org, "boarding_school", D(2026, 1, 5))
    exc = services.exception_request(
        measure=measure, kind=ExceptionKind.BOARDING_SCHOOL, reason="Efterskole.", requested_by=org.advisor
    )
    for person in (org.advisor, org.colleague, org.other_team_leader, org.management):
        with pytest.raises(PermissionDenied):
            services.exception_decide(exception=exc, approve=True, decided_by=person, reason="Ja")
    with pytest.raises(ValidationError):
        services.exception_decide(exception=exc, approve=True, decided_by=org.team_leader, reason=" ")
    services.exception_decide(exception=exc, approve=False, decided_by=org.team_leader, reason="Ikke nu.")
    assert FollowUpException.objects.get().state == FollowUpException.State.REJECTED
    with pytest.raises(ValidationError):
        services.exception_decide(exception=exc, approve=True, decided_by=org.team_leader, reason="Alligevel")


def test_an_exception_must_fit_the_measure(org):
    measure = start_measure(org, "preventive", D(2026, 1, 5))
    with pytest.raises(ValidationError):
        services.exception_request(
            measure=measure, kind=ExceptionKind.CHILDHOOD_FOSTER, reason="x", requested_by=org.advisor
        )
    placement = start_measure(org, "institution", D(2026, 1, 5))
    services.exception_request(
        measure=placement, kind=ExceptionKind.FAR_AWAY, reason="120 km væk", requested_by=org.advisor
    )
    with pytest.raises(ValidationError):  # one active request per kind
        services.exception_request(
            measure=placement, kind=ExceptionKind.FAR_AWAY, reason="igen", requested_by=org.advisor
        )


def test_a_revoked_exception_no_longer_relaxes(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    exc = services.exception_request(
        measure=measure, kind=ExceptionKind.FAR_AWAY, reason="Langt væk", requested_by=org.advisor
    )
    services.exception_decide(exception=exc, approve=True, decided_by=org.team_leader, reason="Ja")
    relaxed, _ = _municipal_after(measure, D(2026, 3, 10))
    assert relaxed[0].allowed_forms == (engine.MEETING, engine.PHONE)
    services.exception_revoke(exception=exc, revoked_by=org.team_leader, reason="Flyttet tættere på")
    plain, _ = _municipal_after(measure, D(2026, 3, 10))
    assert plain[0].allowed_forms == (engine.MEETING,)
