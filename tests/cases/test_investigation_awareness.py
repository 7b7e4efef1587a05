"""The investigation's four months count from the day the municipality became aware, and an
investigation not finished by then owes an interim assessment (issue 17, point 4; Barnets Lov
§ 20, stk. 3, Serviceloven § 50, stk. 7 before 2024; docs/deadlines.md)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import services
from cases.history import case_history
from cases.models import Investigation
from dashboards import selectors
from followups import deadlines as deadline_table
from followups.models import Deadline, DeadlineKind
from tests.cases.factories import NotificationFactory
from tests.dashboards.team_page import team_overview_page
from tests.factories import CaseFactory
from tests.pages import with_folds

pytestmark = pytest.mark.django_db

D = datetime.date
# The notification arrives 3 March 2026; the investigation is decided 10 days later.
RECEIVED = "2026-03-03 09:30 +01:00"
DECIDED = D(2026, 3, 13)


def _row(kind, investigation):
    return Deadline.objects.filter(kind=kind, source_id=investigation.pk, is_open=True).first()


@pytest.fixture
def notified_case(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 3, 3))
    with time_machine.travel(RECEIVED, tick=False):
        NotificationFactory(case=case, registered_by=org.case_admin)
    return case


@pytest.fixture
def investigation(org, notified_case):
    with time_machine.travel("2026-03-13 10:00 +01:00", tick=False):
        return services.investigation_open(case=notified_case, decided_on=DECIDED, decided_by=org.advisor)


def test_an_investigation_decided_ten_days_after_the_notification_is_due_four_months_after_it(investigation):
    assert investigation.aware_on == D(2026, 3, 3)
    assert investigation.deadline == D(2026, 7, 3)
    row = _row(DeadlineKind.INVESTIGATION, investigation)
    assert row.due_on == D(2026, 7, 3)
    assert "opmærksom på barnets mulige behov 3. marts 2026" in row.explanation
    assert row.rule == "Barnets Lov § 20, stk. 3"


@time_machine.travel("2026-03-13 10:00 +01:00", tick=False)
def test_a_later_investigation_counts_from_the_notification_that_led_to_it(org, notified_case):
    first = services.investigation_open(case=notified_case, decided_on=D(2026, 3, 4), decided_by=org.advisor)
    services.investigation_complete(
        investigation=first, completed_on=D(2026, 3, 6), conclusion="Ingen støtte.", completed_by=org.advisor
    )
    with time_machine.travel("2026-03-09 08:00 +01:00", tick=False):
        NotificationFactory(case=notified_case, registered_by=org.case_admin)
    second = services.investigation_open(case=notified_case, decided_on=DECIDED, decided_by=org.advisor)
    assert (first.aware_on, second.aware_on) == (D(2026, 3, 3), D(2026, 3, 9))
    assert second.deadline == D(2026, 7, 9)


@time_machine.travel("2026-03-20 10:00 +01:00", tick=False)
def test_aware_on_is_changed_with_a_reason_and_the_deadline_and_history_follow(org, investigation):
    services.investigation_set_aware_on(
        investigation=investigation,
        aware_on=D(2026, 2, 20),
        reason="Skolen ringede allerede 20. februar.",
        changed_by=org.advisor,
    )
    investigation.refresh_from_db()
    assert (investigation.aware_on, investigation.deadline) == (D(2026, 2, 20), D(2026, 6, 20))
    assert investigation.aware_on_reason == "Skolen ringede allerede 20. februar."
    assert _row(DeadlineKind.INVESTIGATION, investigation).due_on == D(2026, 6, 20)
    [entry] = [
        e
        for e in case_history(investigation.case)
        if e.kind == "changed" and "undersøgelse" in e.what.lower()
    ]
    changes = {c.field: (c.old, c.new) for c in entry.changes}
    assert changes["kommunen blev opmærksom"] == ("03.03.2026", "20.02.2026")
    assert changes["begrundelse for ændret opmærksomhedsdato"][1] == "Skolen ringede allerede 20. februar."
    assert entry.who == str(org.advisor)


@time_machine.travel("2026-03-20 10:00 +01:00", tick=False)
@pytest.mark.parametrize(
    ("aware_on", "reason", "field"),
    [
        (D(2026, 3, 14), "Efter beslutningen", "aware_on"),
        (D(2026, 3, 21), "I morgen", "aware_on"),
        (D(2026, 2, 20), " ", "reason"),
    ],
)
def test_aware_on_is_refused_after_the_decision_in_the_future_or_without_a_reason(
    org, investigation, aware_on, reason, field
):
    with pytest.raises(ValidationError) as error:
        services.investigation_set_aware_on(
            investigation=investigation, aware_on=aware_on, reason=reason, changed_by=org.advisor
        )
    assert field in error.value.error_dict
    investigation.refresh_from_db()
    assert investigation.aware_on == D(2026, 3, 3)


@time_machine.travel("2026-03-13 10:00 +01:00", tick=False)
def test_an_aware_on_given_at_the_decision_is_checked_too(org, notified_case):
    with pytest.raises(ValidationError) as error:
        services.investigation_open(
            case=notified_case, decided_on=DECIDED, aware_on=D(2026, 3, 14), decided_by=org.advisor
        )
    assert "aware_on" in error.value.error_dict
    assert not Investigation.objects.for_system().exists()


@time_machine.travel("2026-03-20 10:00 +01:00", tick=False)
def test_only_the_cases_writers_change_aware_on(org, investigation):
    with pytest.raises(PermissionDenied):
        services.investigation_set_aware_on(
            investigation=investigation, aware_on=D(2026, 3, 1), reason="Forkert", changed_by=org.colleague
        )


def test_the_interim_assessment_is_due_when_four_months_pass_unfinished_and_kept_by_recording_one(
    org, investigation, login
):
    with time_machine.travel("2026-07-02 10:00 +02:00", tick=False):
        deadline_table.rebuild()
        assert _row(DeadlineKind.INTERIM_ASSESSMENT, investigation) is None
    with time_machine.travel("2026-07-04 10:00 +02:00", tick=False):
        deadline_table.rebuild()
        interim = _row(DeadlineKind.INTERIM_ASSESSMENT, investigation)
        assert (interim.due_on, interim.responsible, interim.statutory) == (D(2026, 7, 3), org.advisor, True)
        assert "foreløbig vurdering" in interim.explanation
        day = selectors.my_day(org.advisor, now=datetime.datetime.now(datetime.UTC))
        assert [d.source_id for d in day.interim_assessments] == [investigation.pk]
        form_url = reverse("cases:investigation_interim", args=[investigation.pk])
        assert form_url in login(org.advisor).get(reverse("start:my_day")).content.decode()
        overview = team_overview_page(login(org.team_leader))
        assert form_url in overview  # listed among the team's overdue deadlines, with its link

        services.investigation_record_interim(
            investigation=investigation,
            assessed_on=D(2026, 7, 4),
            text="Barnet trives bedre med støtten; undersøgelsen afventer PPR.",
            assessed_by=org.advisor,
        )
        assert _row(DeadlineKind.INTERIM_ASSESSMENT, investigation) is None
        deadline_table.rebuild()
        assert _row(DeadlineKind.INTERIM_ASSESSMENT, investigation) is None
        # The investigation itself is still to be finished, as soon as possible.
        assert _row(DeadlineKind.INVESTIGATION, investigation).due_on == D(2026, 7, 3)
    investigation.refresh_from_db()
    assert (investigation.interim_assessed_on, investigation.interim_assessed_by) == (
        D(2026, 7, 4),
        org.advisor,
    )


def test_a_finished_investigation_owes_no_interim_assessment(org, investigation):
    with time_machine.travel("2026-06-30 10:00 +02:00", tick=False):
        services.investigation_complete(
            investigation=investigation,
            completed_on=D(2026, 6, 30),
            conclusion="Støtte.",
            completed_by=org.advisor,
        )
    with time_machine.travel("2026-07-10 10:00 +02:00", tick=False):
        deadline_table.rebuild()
        assert _row(DeadlineKind.INTERIM_ASSESSMENT, investigation) is None
        with pytest.raises(ValidationError):
            services.investigation_record_interim(
                investigation=investigation,
                assessed_on=D(2026, 7, 10),
                text="For sent",
                assessed_by=org.advisor,
            )


def test_the_interim_assessment_needs_a_text_and_a_date_not_in_the_future(org, investigation):
    with time_machine.travel("2026-07-04 10:00 +02:00", tick=False), pytest.raises(ValidationError) as error:
        services.investigation_record_interim(
            investigation=investigation, assessed_on=D(2026, 7, 5), text="", assessed_by=org.advisor
        )
    assert set(error.value.error_dict) == {"assessed_on", "text"}


def test_the_case_page_shows_aware_on_and_takes_the_interim_assessment(org, investigation, login):
    client = login(org.advisor)
    with time_machine.travel("2026-07-04 10:00 +02:00", tick=False):
        page = with_folds(client, reverse("cases:case_detail", args=[investigation.case_id]))
        assert "Kommunen blev opmærksom" in page
        assert reverse("cases:investigation_interim", args=[investigation.pk]) in page
        assert reverse("cases:investigation_aware_on", args=[investigation.pk]) in page
        url = reverse("cases:investigation_interim", args=[investigation.pk])
        refused = client.post(url, {"assessed_on": "2026-07-04", "text": ""})
        assert refused.status_code == 200 and "text" in refused.context["form"].errors
        done = client.post(url, {"assessed_on": "2026-07-04", "text": "Afventer PPR."})
        assert done.status_code == 302
    investigation.refresh_from_db()
    assert investigation.interim_assessment == "Afventer PPR."


@time_machine.travel("2026-03-20 10:00 +01:00", tick=False)
def test_the_aware_on_page_shows_a_refusal_at_the_field(org, investigation, login):
    url = reverse("cases:investigation_aware_on", args=[investigation.pk])
    client = login(org.advisor)
    refused = client.post(url, {"aware_on": "2026-03-15", "reason": "Efter beslutningen"})
    assert refused.status_code == 200 and "aware_on" in refused.context["form"].errors
    done = client.post(url, {"aware_on": "2026-03-01", "reason": "Mor ringede 1. marts."})
    assert done.status_code == 302
    investigation.refresh_from_db()
    assert investigation.deadline == D(2026, 7, 1)
