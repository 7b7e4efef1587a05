"""The rest of a notification's chain (issue 17, point 8): the feedback to a professional notifier
on whether an investigation or a measure was started (SEL § 155 b, stk. 2 / Barnets Lov § 136),
the screening of the child's need for help (Barnets Lov § 18), and the working days of each
municipality (public holidays plus its own closed days) that the receipt counts in."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import Notification
from cases.permissions import Refused
from followups.models import Deadline, DeadlineKind
from herning.organisation.calendar import calendar_for, calendars_for
from herning.organisation.models import ClosedDay
from tests.api.base import field_errors
from tests.factories import CaseFactory, ChildFactory, MunicipalityFactory
from tests.fixtures import make_org
from tests.pages import with_folds

CPH = ZoneInfo("Europe/Copenhagen")
D = datetime.date


def at(*args):
    return datetime.datetime(*args, tzinfo=CPH)


def register(org, child=None, **extra):
    child = child or ChildFactory(municipality=org.municipality, district=org.district_a)
    fields = {
        "received_at": at(2026, 4, 1, 9, 0),
        "notifier_kind": Notification.NotifierKind.PROFESSIONAL,
        "notifier_name": "Lærer Hansen",
        "notifier_organisation": "Sunds Skole",
        "concern": "Barnet er bange for at gå hjem.",
        **extra,
    }
    return services.notification_register(child=child, registered_by=org.case_admin, **fields)


def on_known_case(org, **extra):
    """A notification on a child whose open case Alice advises."""
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    return register(org, case.child, **extra)


def row(kind, notification) -> Deadline:
    return Deadline.objects.for_system().get(kind=kind, source_id=notification.pk)


# --- Working days: per municipality ----------------------------------------------------------------


def test_a_new_municipality_starts_with_grundlovsdag_and_christmas_and_new_years_eve_closed(db):
    municipality = MunicipalityFactory()
    shipped = set(
        ClosedDay.objects.filter(municipality=municipality, year__isnull=True).values_list("month", "day")
    )
    assert shipped == {(6, 5), (12, 24), (12, 31)}
    calendar = calendar_for(municipality.pk)
    assert not calendar.is_working_day(D(2026, 6, 5))  # Grundlovsdag, a Friday
    assert not calendar.is_working_day(D(2026, 12, 24))  # a Thursday
    assert not calendar.is_working_day(D(2026, 12, 31))  # a Thursday
    assert calendar.is_working_day(D(2026, 12, 30))
    # Wed 23 December + 2 working days: 24 (closed), 25, 26 (holidays), 27 (Sunday) → 28, 29.
    assert calendar.add_working_days(D(2026, 12, 23), 2) == D(2026, 12, 29)


@time_machine.travel("2026-06-01 10:00 +02:00", tick=False)
def test_the_receipt_skips_the_shipped_grundlovsdag(org):
    notification = register(org, received_at=at(2026, 6, 1, 9, 0))
    # 2, 3, 4 June, (5 June Grundlovsdag closed), 8, 9, 10 June.
    assert notification.receipt_due_on == D(2026, 6, 10)


@time_machine.travel("2026-06-01 10:00 +02:00", tick=False)
def test_a_municipality_that_keeps_grundlovsdag_open_counts_it(org):
    ClosedDay.objects.filter(municipality=org.municipality, month=6, day=5).delete()
    notification = register(org, received_at=at(2026, 6, 1, 9, 0))
    assert notification.receipt_due_on == D(2026, 6, 9)


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_a_closed_day_added_by_one_municipality_moves_its_receipt_and_not_the_neighbours(org):
    other = make_org(name="Ikast-Brande Kommune", code="756", prefix="ikast_")
    ClosedDay.objects.create(municipality=org.municipality, name="Flyttedag", month=4, day=10, year=2026)
    here = register(org)
    there = register(other)
    # Easter: 2, 3, 6 April are holidays. Working days 7, 8, 9, 13, 14, 15 here (10 April closed),
    # 7, 8, 9, 10, 13, 14 in the neighbouring municipality.
    assert here.receipt_due_on == D(2026, 4, 15)
    assert there.receipt_due_on == D(2026, 4, 14)
    calendars = calendars_for([org.municipality.pk, other.municipality.pk])
    assert not calendars[org.municipality.pk].is_working_day(D(2026, 4, 10))
    assert calendars[other.municipality.pk].is_working_day(D(2026, 4, 10))
    assert calendars[org.municipality.pk].is_working_day(D(2027, 4, 9))  # a dated day: that year only


def test_the_calendars_of_a_sweep_are_read_in_one_query(org, django_assert_num_queries):
    other = make_org(name="Ikast-Brande Kommune", code="756", prefix="ikast_")
    with django_assert_num_queries(1):
        calendars = calendars_for([org.municipality.pk, other.municipality.pk])
    assert len(calendars) == 2


def test_a_closed_day_that_does_not_exist_is_refused(org):
    closed = ClosedDay(municipality=org.municipality, name="Fejl", month=2, day=30)
    with pytest.raises(ValidationError) as error:
        closed.full_clean()
    assert "day" in error.value.message_dict


# --- The feedback to a professional notifier --------------------------------------------------------


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_a_professional_notifier_is_owed_feedback_within_three_months(org):
    notification = on_known_case(org)
    assert notification.feedback_due_on == D(2026, 7, 1)
    deadline = row(DeadlineKind.FEEDBACK, notification)
    assert deadline.due_on == D(2026, 7, 1)
    assert deadline.rule == "Barnets Lov § 136"
    assert deadline.statutory
    assert deadline.responsible == org.advisor  # the case's advisor
    assert "senest 3 måneder efter" in deadline.explanation


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
@pytest.mark.parametrize("kind", [Notification.NotifierKind.PRIVATE, Notification.NotifierKind.ANONYMOUS])
def test_a_private_or_anonymous_notifier_is_owed_no_feedback(org, kind):
    extra = {"notifier_name": "", "notifier_organisation": ""} if kind == "anonymous" else {}
    notification = on_known_case(org, notifier_kind=kind, **extra)
    assert notification.feedback_due_on is None
    assert (
        not Deadline.objects.for_system()
        .filter(kind=DeadlineKind.FEEDBACK, source_id=notification.pk)
        .exists()
    )
    with pytest.raises(ValidationError):
        services.notification_feedback_sent(
            notification=notification,
            outcome=Notification.FeedbackOutcome.NOTHING,
            sent_on=D(2026, 4, 1),
            sent_by=org.advisor,
        )


@time_machine.travel("2023-11-30 10:00 +01:00", tick=False)
def test_a_notification_before_barnets_lov_cites_serviceloven_and_has_no_screening(org):
    notification = on_known_case(org, received_at=at(2023, 11, 30, 9, 0))
    assert notification.feedback_due_on == D(2024, 2, 29)  # 3 calendar months, a leap year
    assert row(DeadlineKind.FEEDBACK, notification).rule == "Serviceloven § 155 b, stk. 2"
    assert notification.screening_due_on is None
    assert (
        not Deadline.objects.for_system()
        .filter(kind=DeadlineKind.SCREENING, source_id=notification.pk)
        .exists()
    )


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_recording_the_feedback_keeps_the_deadline(org):
    notification = on_known_case(org)
    with pytest.raises(Refused):
        services.notification_feedback_sent(
            notification=notification,
            outcome=Notification.FeedbackOutcome.INVESTIGATION,
            sent_on=D(2026, 4, 1),
            sent_by=org.colleague,
        )
    with pytest.raises(ValidationError) as error:
        services.notification_feedback_sent(
            notification=notification, outcome="maybe", sent_on=D(2026, 4, 1), sent_by=org.advisor
        )
    assert "feedback_outcome" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.notification_feedback_sent(
            notification=notification,
            outcome=Notification.FeedbackOutcome.INVESTIGATION,
            sent_on=D(2026, 3, 31),
            sent_by=org.advisor,
        )
    assert "feedback_sent_on" in error.value.message_dict
    services.notification_feedback_sent(
        notification=notification,
        outcome=Notification.FeedbackOutcome.INVESTIGATION,
        sent_on=D(2026, 4, 1),
        sent_by=org.advisor,
    )
    notification.refresh_from_db()
    assert (notification.feedback_sent_on, notification.feedback_outcome) == (D(2026, 4, 1), "investigation")
    assert not row(DeadlineKind.FEEDBACK, notification).is_open
    assert notification.history.first().history_user == org.advisor
    with pytest.raises(ValidationError, match="allerede"):
        services.notification_feedback_sent(
            notification=notification,
            outcome=Notification.FeedbackOutcome.NOTHING,
            sent_on=D(2026, 4, 1),
            sent_by=org.advisor,
        )


# --- The screening (Barnets Lov § 18) ----------------------------------------------------------------


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_every_notification_gets_a_screening_deadline_in_the_municipalitys_working_days(org):
    private = on_known_case(org, notifier_kind=Notification.NotifierKind.PRIVATE)
    # The default: 6 working days after receipt (Easter: 7, 8, 9, 10, 13, 14 April).
    assert private.screening_due_on == D(2026, 4, 14)
    deadline = row(DeadlineKind.SCREENING, private)
    assert (deadline.due_on, deadline.rule, deadline.statutory) == (D(2026, 4, 14), "Barnets Lov § 18", False)
    assert deadline.responsible == org.advisor
    org.municipality.screening_working_days = 3
    org.municipality.save()
    sooner = on_known_case(org)
    assert sooner.screening_due_on == D(2026, 4, 9)


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_recording_the_screening_keeps_the_deadline(org):
    notification = on_known_case(org)
    with pytest.raises(Refused):
        services.notification_screen(
            notification=notification,
            outcome=Notification.ScreeningOutcome.CLARIFICATION,
            screened_on=D(2026, 4, 1),
            screened_by=org.duty_advisor,
        )
    with pytest.raises(ValidationError) as error:
        services.notification_screen(
            notification=notification, outcome="", screened_on=D(2026, 4, 1), screened_by=org.advisor
        )
    assert "screening_outcome" in error.value.message_dict
    services.notification_screen(
        notification=notification,
        outcome=Notification.ScreeningOutcome.CLARIFICATION,
        screened_on=D(2026, 4, 1),
        screened_by=org.team_leader,
    )
    notification.refresh_from_db()
    assert notification.screening_outcome == "clarification"
    assert notification.screened_by == org.team_leader
    assert not row(DeadlineKind.SCREENING, notification).is_open
    # The feedback to the professional is a deadline of its own, still open.
    assert row(DeadlineKind.FEEDBACK, notification).is_open


# --- The pages -------------------------------------------------------------------------------------


def test_the_advisor_records_screening_and_feedback_from_the_case_and_sees_them_on_my_day(org, login):
    notification = on_known_case(org, received_at=at(2026, 1, 5, 9, 0))
    client = login(org.advisor)
    day = client.get("/min-dag/").content.decode()
    screening_url = reverse("cases:notification_screening", args=[notification.pk])
    feedback_url = reverse("cases:notification_feedback", args=[notification.pk])
    assert screening_url in day and feedback_url in day
    case_page = with_folds(client, reverse("cases:case_detail", args=[notification.case_id]))
    assert screening_url in case_page and feedback_url in case_page

    response = client.post(screening_url, {"screening_outcome": "investigation", "screened_on": "2026-01-06"})
    assert response.status_code == 302
    bad = client.post(feedback_url, {"feedback_outcome": "", "feedback_sent_on": "2026-01-06"})
    assert bad.status_code == 200 and "feedback_outcome" in bad.content.decode()
    response = client.post(feedback_url, {"feedback_outcome": "measure", "feedback_sent_on": "2026-01-06"})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.screening_outcome == "investigation"
    assert notification.feedback_outcome == "measure"
    day = client.get("/min-dag/").content.decode()
    assert screening_url not in day and feedback_url not in day


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_the_team_overview_and_reminders_link_the_deadlines_to_their_pages(org):
    from followups.selectors import deadline_url

    notification = on_known_case(org)
    assert deadline_url(row(DeadlineKind.SCREENING, notification)) == reverse(
        "cases:notification_screening", args=[notification.pk]
    )
    assert deadline_url(row(DeadlineKind.FEEDBACK, notification)) == reverse(
        "cases:notification_feedback", args=[notification.pk]
    )


# --- The API ----------------------------------------------------------------------------------------


@time_machine.travel("2026-04-02 10:00 +02:00", tick=False)
def test_the_api_records_the_screening_and_the_feedback_as_the_page_does(org):
    from rest_framework.test import APIClient

    from tests.fixtures import login_with_second_factor

    notification = on_known_case(org)
    url = f"/api/v1/notifications/{notification.pk}/"

    def patch(user, body):
        client = login_with_second_factor(APIClient(), user)
        etag = client.get(url)["ETag"]
        return client.patch(url, body, format="json", HTTP_IF_MATCH=etag)

    # A step's fields come together; each is checked at its field.
    half = patch(org.advisor, {"screening_outcome": "clarification"})
    assert half.status_code == 400 and set(field_errors(half)) == {"screened_on"}
    wrong = patch(org.advisor, {"screening_outcome": "maybe", "screened_on": "2026-04-02"})
    assert wrong.status_code == 400 and set(field_errors(wrong)) == {"screening_outcome"}
    early = patch(org.advisor, {"feedback_outcome": "investigation", "feedback_sent_on": "2026-03-31"})
    assert early.status_code == 400 and "feedback_sent_on" in field_errors(early)
    # The duty advisor reads the notification but does not screen a case Alice advises.
    assert (
        patch(
            org.duty_advisor, {"screening_outcome": "clarification", "screened_on": "2026-04-02"}
        ).status_code
        == 403
    )
    response = patch(
        org.advisor,
        {
            "screening_outcome": "investigation",
            "screened_on": "2026-04-02",
            "feedback_outcome": "investigation",
            "feedback_sent_on": "2026-04-02",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["screened_on"], body["screening_outcome"]) == ("2026-04-02", "investigation")
    assert (body["feedback_sent_on"], body["feedback_outcome"]) == ("2026-04-02", "investigation")
    assert not row(DeadlineKind.SCREENING, notification).is_open
    assert not row(DeadlineKind.FEEDBACK, notification).is_open
    again = patch(org.advisor, {"screening_outcome": "no_further", "screened_on": "2026-04-02"})
    # Recorded once: the rule refuses a second screening, with its reason.
    assert again.status_code == 403 and "allerede screenet" in str(again.json())
