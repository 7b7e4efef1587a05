"""Statistics: meetings per case, and the days from the first concern to the first meeting."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Notification
from network_meetings import figures, services
from tests.network_meetings.factories import at, case_for, caseless_child, plan

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)


def _notify(org, child, *, received: datetime.date, case=None):
    return Notification.objects.create(
        municipality=org.municipality,
        child=child,
        case=case,
        district=org.district_a,
        received_at=at(received, 10),
        notifier_kind="professional",
        concern="Bekymring",
        registered_by=org.case_admin,
        assessment_due_at=at(received, 10) + datetime.timedelta(hours=24),
    )


def _meeting(org, child, day, **fields):
    return plan(child, planned_by=org.advisor, starts_at=at(day, 13), ends_at=at(day, 14), **fields)


def test_meetings_per_case_leave_out_cancelled_ones_and_count_caseless_children_by_child(org):
    case = case_for(org)
    _meeting(org, case.child, DAY)
    _meeting(org, case.child, DAY + datetime.timedelta(days=30))
    services.meeting_cancel(
        meeting=_meeting(org, case.child, DAY + datetime.timedelta(days=60)), by=org.advisor
    )
    child = caseless_child(org)
    _meeting(org, child, DAY)
    counts = figures.meetings_per_case(municipality_id=org.municipality.pk)
    assert counts == {("case", case.pk): 2, ("child", child.pk): 1}
    assert figures.meetings_per_case(
        municipality_id=org.municipality.pk,
        start=DAY + datetime.timedelta(days=1),
        end=DAY + datetime.timedelta(days=40),
    ) == {("case", case.pk): 1}


def test_days_from_the_first_concern_take_the_earliest_of_notification_and_recorded_concern(org):
    by_notification = case_for(org)
    _notify(org, by_notification.child, received=DAY - datetime.timedelta(days=12), case=by_notification)
    _notify(org, by_notification.child, received=DAY - datetime.timedelta(days=3), case=by_notification)
    _meeting(org, by_notification.child, DAY)
    _meeting(org, by_notification.child, DAY + datetime.timedelta(days=20))
    by_concern_date = case_for(org, first_name="Ib", last_name="Dam")
    _notify(org, by_concern_date.child, received=DAY - datetime.timedelta(days=2), case=by_concern_date)
    _meeting(org, by_concern_date.child, DAY, concern_noted_on=DAY - datetime.timedelta(days=21))
    unknown = case_for(org, first_name="Åse", last_name="Berg")
    _meeting(org, unknown.child, DAY)
    rows = {r.case_id: r for r in figures.first_meetings(municipality_id=org.municipality.pk)}
    assert rows[by_notification.pk].days_from_concern == 12
    assert rows[by_notification.pk].meetings == 2
    assert rows[by_concern_date.pk].days_from_concern == 21
    assert rows[unknown.pk].days_from_concern is None


def test_a_caseless_child_counts_its_notifications_without_a_case(org):
    child = caseless_child(org)
    _notify(org, child, received=DAY - datetime.timedelta(days=5))
    _meeting(org, child, DAY)
    (row,) = figures.first_meetings(municipality_id=org.municipality.pk)
    assert (row.case_id, row.child_id, row.days_from_concern) == (None, child.pk, 5)


def test_a_concern_known_only_after_the_meeting_gives_no_number(org):
    case = case_for(org)
    _notify(org, case.child, received=DAY + datetime.timedelta(days=3), case=case)
    _meeting(org, case.child, DAY)
    (row,) = figures.first_meetings(municipality_id=org.municipality.pk)
    assert row.days_from_concern is None


def test_only_first_meetings_in_the_period_count(org):
    case = case_for(org)
    _meeting(org, case.child, DAY - datetime.timedelta(days=100))
    _meeting(org, case.child, DAY)
    assert (
        figures.first_meetings(
            municipality_id=org.municipality.pk, start=DAY - datetime.timedelta(days=10), end=DAY
        )
        == []
    )


def test_team_figures_give_meetings_per_case_and_the_median(org):
    for days, name in ((4, "A"), (10, "B"), (30, "C")):
        case = case_for(org, first_name=name, last_name="Test")
        _notify(org, case.child, received=DAY - datetime.timedelta(days=days), case=case)
        _meeting(org, case.child, DAY)
        _meeting(org, case.child, DAY + datetime.timedelta(days=7), kind="involving")
    rows = figures.team_figures(
        municipality_id=org.municipality.pk,
        start=DAY - datetime.timedelta(days=1),
        end=DAY + datetime.timedelta(days=30),
    )
    team_a, total = rows[0], rows[-1]
    assert (team_a.team_name, team_a.meetings, team_a.cases, team_a.involving) == ("Team A", 6, 3, 3)
    assert team_a.meetings_per_case == 2.0
    assert team_a.first_meetings == 3 and team_a.median_days == 10
    assert total.team_id is None and total.meetings == 6 and total.median_days == 10


@pytest.mark.parametrize(("persona", "status"), [("management", 200), ("advisor", 403), ("team_leader", 403)])
def test_the_figures_page_is_for_management(org, login, persona, status):
    case = case_for(org)
    _meeting(org, case.child, timezone.localdate() - datetime.timedelta(days=10))
    response = login(getattr(org, persona)).get(reverse("network_meetings:figures"))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Team A" in body and "Hele kommunen" in body
        assert case.child.first_name not in body  # figures, never a person


def test_the_figures_page_says_when_the_period_is_backwards(org, login):
    response = login(org.management).get(
        reverse("network_meetings:figures") + "?start=2026-03-10&end=2026-01-01"
    )
    assert "Slutdatoen kan ikke ligge før startdatoen." in response.content.decode()
