"""Recording a follow-up and the exceptions that need a team leader's approval."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import Goal, JournalNote
from followups import engine, selectors, services
from followups.models import (
    Deadline,
    DeadlineKind,
    ExceptionKind,
    FollowUpException,
    GoalReview,
    LaterDate,
)
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
    assert [h.status for h in goal.history.order_by("history_date", "history_id")] == [
        Goal.Status.NOT_STARTED,
        Goal.Status.IN_PROGRESS,
    ]
    assert GoalReview.objects.get(follow_up=followup).status == Goal.Status.IN_PROGRESS
    assert plan.goals.filter(what="Spiser morgenmad").exists()
    assert "Spiser morgenmad" in followup.journal_note.text


def _followup_deadline(measure):
    return Deadline.objects.get(kind=DeadlineKind.FOLLOWUP, source_id=measure.pk)


def _later_request(org, measure):
    """A follow-up held 19 Jan with the next date agreed for 16 Mar; the rule allows 2 Mar."""
    return hold(
        measure,
        D(2026, 1, 19),
        by=org.advisor,
        today=D(2026, 3, 10),
        next_agreed_on=D(2026, 3, 16),
        later_than_rule_reason="Familien er bortrejst.",
    )


def test_a_next_date_later_than_the_rule_allows_needs_a_reason(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    # The rule allows 6 weeks after 19 Jan: 2 Mar.
    with pytest.raises(ValidationError) as error:
        hold(measure, D(2026, 1, 19), by=org.advisor, next_agreed_on=D(2026, 3, 16))
    assert "2. marts 2026" in str(error.value.error_dict["later_than_rule_reason"])
    followup = _later_request(org, measure)
    assert (followup.later_state, followup.later_rule_date) == (LaterDate.REQUESTED, D(2026, 3, 2))
    assert "afventer teamlederens godkendelse" in followup.journal_note.text


def test_a_later_date_without_approval_leaves_the_deadline_at_the_rules_date(
    org, django_capture_on_commit_callbacks
):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        _later_request(org, measure)
    deadline = _followup_deadline(measure)
    assert deadline.due_on == D(2026, 3, 2)
    assert "16. marts 2026 afventer teamlederens godkendelse" in deadline.explanation
    # The team leader of the case's team is told (and nobody else).
    assert [m.to for m in mail.outbox] == [[org.team_leader.email]]
    assert "16. marts 2026" in mail.outbox[0].body and "2. marts 2026" in mail.outbox[0].body
    assert measure.case.child.cpr not in mail.outbox[0].body


def test_after_the_team_leaders_approval_the_deadline_moves_and_the_history_keeps_it(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    followup = _later_request(org, measure)
    services.later_date_decide(
        followup=followup, approve=True, decided_by=org.team_leader, reason="Ok, ferien er aftalt."
    )
    deadline = _followup_deadline(measure)
    assert deadline.due_on == D(2026, 3, 16)
    assert f"udsat efter aftale, godkendt af {org.team_leader} 10. marts 2026" in deadline.explanation
    followup.refresh_from_db()
    assert (followup.later_state, followup.later_decided_by) == (LaterDate.APPROVED, org.team_leader)
    assert followup.later_decision_reason == "Ok, ferien er aftalt."
    states = [h.later_state for h in followup.history.order_by("history_date")]
    assert states == [LaterDate.REQUESTED, LaterDate.APPROVED]
    assert followup.history.latest().history_user == org.team_leader
    # The measure's page shows the same.
    item = selectors.schedule_for_measure(measure, D(2026, 3, 10)).next_municipal
    assert item.due_date == D(2026, 3, 16)
    assert "udsat efter aftale, godkendt af" in item.explanation_da
    with pytest.raises(ValidationError):  # decided once
        services.later_date_decide(followup=followup, approve=False, decided_by=org.team_leader, reason="x")


def test_a_refused_later_date_keeps_the_rules_date(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    followup = _later_request(org, measure)
    with pytest.raises(ValidationError):
        services.later_date_decide(followup=followup, approve=False, decided_by=org.team_leader, reason=" ")
    services.later_date_decide(
        followup=followup, approve=False, decided_by=org.team_leader, reason="Hold reglens frist."
    )
    deadline = _followup_deadline(measure)
    assert deadline.due_on == D(2026, 3, 2)
    assert "er afvist af teamlederen" in deadline.explanation
    followup.refresh_from_db()
    assert followup.later_state == LaterDate.REFUSED


def test_only_the_team_leader_of_the_cases_team_approves_a_later_date(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    followup = _later_request(org, measure)
    for person in (org.advisor, org.colleague, org.outsider, org.other_team_leader, org.management):
        with pytest.raises(PermissionDenied):
            services.later_date_decide(followup=followup, approve=True, decided_by=person, reason="Ja")
    assert _followup_deadline(measure).due_on == D(2026, 3, 2)


def test_a_date_on_or_before_the_rules_date_needs_no_approval(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    followup = hold(
        measure, D(2026, 1, 19), by=org.advisor, today=D(2026, 3, 10), next_agreed_on=D(2026, 3, 2)
    )
    assert followup.later_state == ""
    assert _followup_deadline(measure).due_on == D(2026, 3, 2)
    hold(measure, D(2026, 3, 9), by=org.advisor, next_agreed_on=D(2026, 4, 1))
    assert _followup_deadline(measure).due_on == D(2026, 4, 1)
    assert selectors.pending_later_dates_for(org.team_leader) == []


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
        measure=placement,
        kind=ExceptionKind.FAR_AWAY,
        reason="120 km væk",
        requested_by=org.advisor,
        distance_km=120,
        youth_age=16,
    )
    with pytest.raises(ValidationError):  # one active request per kind
        services.exception_request(
            measure=placement,
            kind=ExceptionKind.FAR_AWAY,
            reason="igen",
            requested_by=org.advisor,
            distance_km=120,
            youth_age=16,
        )


def test_a_revoked_exception_no_longer_relaxes(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    exc = services.exception_request(
        measure=measure,
        kind=ExceptionKind.FAR_AWAY,
        reason="Langt væk",
        requested_by=org.advisor,
        distance_km=90,
        youth_age=17,
    )
    services.exception_decide(exception=exc, approve=True, decided_by=org.team_leader, reason="Ja")
    relaxed, _ = _municipal_after(measure, D(2026, 3, 10))
    assert relaxed[0].allowed_forms == (engine.MEETING, engine.PHONE)
    services.exception_revoke(exception=exc, revoked_by=org.team_leader, reason="Flyttet tættere på")
    plain, _ = _municipal_after(measure, D(2026, 3, 10))
    assert plain[0].allowed_forms == (engine.MEETING,)


def test_the_far_away_exception_rests_on_the_distance_and_the_young_persons_age(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))

    def ask(**facts):
        return services.exception_request(
            measure=measure,
            kind=ExceptionKind.FAR_AWAY,
            reason="Langt væk",
            requested_by=org.advisor,
            **facts,
        )

    for facts, fields in (
        ({}, {"distance_km", "youth_age"}),
        ({"distance_km": 50, "youth_age": 16}, {"distance_km"}),  # "mere end 50 km"
        ({"distance_km": 80, "youth_age": 12}, {"youth_age"}),  # a child, not a young person
        ({"distance_km": 80, "youth_age": 23}, {"youth_age"}),
    ):
        with pytest.raises(ValidationError) as error:
            ask(**facts)
        assert set(error.value.error_dict) == fields
    exc = ask(distance_km=51, youth_age=15)
    assert (exc.distance_km, exc.youth_age) == (51, 15)
    assert exc.history.get().distance_km == 51
    # The other exceptions record neither.
    school = start_measure(org, "boarding_school", D(2026, 1, 5))
    other = services.exception_request(
        measure=school,
        kind=ExceptionKind.BOARDING_SCHOOL,
        reason="Efterskole.",
        requested_by=org.advisor,
        distance_km=200,
        youth_age=16,
    )
    assert (other.distance_km, other.youth_age) == (None, None)


def test_the_childhood_exception_leaves_the_first_years_follow_ups_alone(org):
    start = D(2026, 1, 5)
    measure = start_measure(org, "foster_family", start)
    exc = services.exception_request(
        measure=measure,
        kind=ExceptionKind.CHILDHOOD_FOSTER,
        reason="Barnet bliver i plejefamilien.",
        requested_by=org.advisor,
    )
    # Approved two months in, it still waits for the first year to end.
    services.exception_decide(exception=exc, approve=True, decided_by=org.team_leader, reason="Enig.")
    data = selectors.schedule_for_measure(measure, D(2026, 3, 10), until=D(2027, 12, 31))
    first_year = [i for i in data.municipal if i.due_date < D(2027, 1, 5)]
    later = [i for i in data.municipal if i.due_date >= D(2027, 1, 5)]
    assert first_year and later
    assert all(
        i.allowed_forms == (engine.MEETING,) and i.child_conversation_required and not i.relaxed_by
        for i in first_year
    )
    assert all(i.allowed_forms == (engine.MEETING, engine.PHONE, engine.MAIL) for i in later)
    assert all(not i.child_conversation_required for i in later)
    assert all(i.child_conversation_required and not i.relaxed_by for i in data.statutory)
