"""Intake (Herningmodellen 1.0 "Håndtering af nye underretninger"): the notification goes to the duty
advisor of the child's district, is assessed within 24 hours, a professional notifier gets a
receipt within six working days, and the team leader or the case's advisor is told."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases import services
from cases.models import CaseState, Notification
from herning.organisation.models import DutyShift
from tests.factories import ChildFactory

CPH = ZoneInfo("Europe/Copenhagen")
D = datetime.date


def at(*args):
    return datetime.datetime(*args, tzinfo=CPH)


@pytest.fixture
def child(org):
    return ChildFactory(municipality=org.municipality, district=org.district_a)


def register(org, child, **extra):
    fields = {
        "received_at": at(2026, 4, 1, 9, 0),
        "notifier_kind": Notification.NotifierKind.PROFESSIONAL,
        "notifier_name": "Lærer Hansen",
        "notifier_organisation": "Sunds Skole",
        "concern": "Barnet er bange for at gå hjem.",
        **extra,
    }
    return services.notification_register(child=child, registered_by=org.case_admin, **fields)


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_a_notification_before_easter_gets_its_24_hour_and_6_working_day_deadlines(
    org, child, outbox, django_capture_on_commit_callbacks
):
    DutyShift.objects.create(district=org.district_a, date=D(2026, 4, 1), advisor=org.duty_advisor)
    with django_capture_on_commit_callbacks(execute=True):
        notification = register(org, child)
    notification.refresh_from_db()
    # 24 real hours, though 2 April is Maundy Thursday.
    assert notification.assessment_due_at == at(2026, 4, 2, 9, 0)
    # Thu 2, Fri 3, Sat 4, Sun 5, Mon 6 April are not working days: 7, 8, 9, 10, 13, 14.
    assert notification.receipt_due_on == D(2026, 4, 14)
    assert notification.duty_advisor == org.duty_advisor
    assert notification.district == org.district_a
    assert [m.to for m in outbox] == [[org.duty_advisor.email]]
    assert "02.04.2026 kl. 09:00" in outbox[0].body
    assert child.cpr not in outbox[0].body and child.first_name not in outbox[0].body


@time_machine.travel("2026-03-06 17:00 +01:00", tick=False)
def test_a_notification_on_a_friday_is_assessed_by_saturday_and_receipted_by_the_next_monday_week(org, child):
    notification = register(org, child, received_at=at(2026, 3, 6, 16, 0))
    assert notification.assessment_due_at == at(2026, 3, 7, 16, 0)
    # Mon 9, Tue 10, Wed 11, Thu 12, Fri 13, Mon 16 March.
    assert notification.receipt_due_on == D(2026, 3, 16)


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_an_unknown_child_gets_a_new_case_without_an_advisor_in_the_districts_team(org, child):
    notification = register(org, child)
    case = notification.case
    assert (case.state, case.advisor, case.team) == (CaseState.NOTIFICATION, None, org.team_a)
    assert case.legal_basis.citation == "SEL § 155 / BL § 136"
    assert notification.advisor_informed_at is None


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_a_known_childs_notification_joins_the_open_case_and_the_advisor_gets_a_copy(
    org, child, outbox, django_capture_on_commit_callbacks
):
    case = services.case_open(child=child, opened_by=org.advisor, advisor=org.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        notification = register(
            org, child, notifier_kind=Notification.NotifierKind.PRIVATE, notifier_organisation=""
        )
    assert notification.case == case
    assert notification.advisor_informed_at is not None
    assert notification.receipt_due_on is None  # only a professional gets a receipt
    assert [org.advisor.email] in [m.to for m in outbox]


def test_a_professional_notifier_is_never_anonymous(org, child):
    with pytest.raises(ValidationError) as error:
        register(org, child, notifier_name="", notifier_organisation="")
    assert set(error.value.error_dict) == {"notifier_name", "notifier_organisation"}
    assert not Notification.objects.exists()


def test_an_anonymous_notification_keeps_no_notifier_details(org, child):
    n = register(
        org,
        child,
        notifier_kind=Notification.NotifierKind.ANONYMOUS,
        notifier_name="Nabo",
        notifier_phone="1",
    )
    assert (n.notifier_name, n.notifier_phone) == ("", "")


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_a_notification_cannot_be_received_in_the_future(org, child):
    with pytest.raises(ValidationError) as error:
        register(org, child, received_at=at(2026, 4, 1, 12, 0))
    assert "received_at" in error.value.error_dict


# The first minutes of a day in Copenhagen are still the day before in UTC: 1 January of the year 1
# at 00:19 local time is before the first day a datetime can hold once converted (CI found a 500
# on the intake page at 00:19). A date that old is refused with a field message, by the service.
@pytest.mark.parametrize(
    "received_at",
    [
        at(1, 1, 1, 0, 19),
        datetime.datetime(1, 1, 1, 23, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
        at(1899, 12, 31, 23, 59),
    ],
    ids=["year-1-local-midnight", "year-1-west-of-utc", "before-1900"],
)
@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_a_notification_received_before_1900_is_refused_not_overflowed(org, child, received_at):
    with pytest.raises(ValidationError) as error:
        register(org, child, received_at=received_at)
    assert "01.01.1900" in error.value.error_dict["received_at"][0].messages[0]
    assert not Notification.objects.for_system().exists()


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_a_notification_received_on_the_first_day_of_1900_is_kept(org, child):
    notification = register(org, child, received_at=at(1900, 1, 1, 0, 30))
    assert notification.received_at == at(1900, 1, 1, 0, 30)


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_the_assessment_of_an_unknown_child_goes_to_the_team_leader_for_distribution(
    org, child, outbox, django_capture_on_commit_callbacks
):
    notification = register(org, child)
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_assess(
            notification=notification,
            acute_danger=False,
            action="Talt med skolen.",
            assessed_by=org.duty_advisor,
        )
    notification.refresh_from_db()
    assert (notification.acute_danger, notification.assessed_by) == (False, org.duty_advisor)
    assert notification.assessed_at == at(2026, 4, 1, 10, 0)
    assert [m.to for m in outbox] == [[org.team_leader.email]]
    assert "fordeling" in outbox[0].subject
    with pytest.raises(ValidationError):
        services.notification_assess(
            notification=notification, acute_danger=True, action="Igen", assessed_by=org.duty_advisor
        )


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_the_assessment_needs_the_danger_answered_and_what_was_done(org, child):
    notification = register(org, child)
    with pytest.raises(ValidationError) as error:
        services.notification_assess(
            notification=notification, acute_danger=None, action=" ", assessed_by=org.duty_advisor
        )
    assert set(error.value.error_dict) == {"acute_danger", "assessment_action"}


@time_machine.travel("2026-04-08 10:00 +02:00", tick=False)
def test_the_receipt_is_recorded_once_and_only_for_a_professional(org, child):
    notification = register(org, child)
    services.notification_receipt_sent(
        notification=notification, sent_on=D(2026, 4, 7), sent_by=org.case_admin
    )
    notification.refresh_from_db()
    assert notification.receipt_sent_on == D(2026, 4, 7)
    with pytest.raises(ValidationError):
        services.notification_receipt_sent(
            notification=notification, sent_on=D(2026, 4, 8), sent_by=org.case_admin
        )
    private = register(org, child, notifier_kind=Notification.NotifierKind.PRIVATE)
    with pytest.raises(ValidationError):
        services.notification_receipt_sent(
            notification=private, sent_on=D(2026, 4, 8), sent_by=org.case_admin
        )
