"""The advisor's day, "Min dag" (issue 5, point 3): overdue and coming follow-ups with the binding
deadline and its explanation and one click to record one; notifications waiting for the 24-hour
assessment (duty); receipts, investigations near 4 months, plans, agreements, handovers, unread
reminders; the advisor's own load against the cap."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dashboards import selectors
from followups.models import DeadlineKind
from tests.access import AccessMatrix, outcome_for_all
from tests.dashboards.conftest import fill_the_day
from tests.dashboards.factories import give_cases
from tests.factories import CaseFactory

URL = "/min-dag/"


class TestMyDayPage(AccessMatrix):
    url = URL
    expected = outcome_for_all(403, advisor=200, colleague=200, outsider=200, duty_advisor=200, anonymous=302)


def test_the_load_is_shown_against_the_teams_cap_and_warning(org, login):
    give_cases(org.advisor, org.team_a, 21)
    page = login(org.advisor).get(URL).content.decode()
    assert "Du er ansvarlig for 21 åbne sager. Loftet i Team A er 25 sager, med advarsel fra 20." in page
    assert "Advarselsniveau nået" in page
    assert 'max="25"' in page and 'value="21"' in page


def test_a_follow_up_shows_the_binding_deadline_its_explanation_and_a_link_to_record_it(org, day, login):
    measure = day["measure"]
    data = selectors.my_day(org.advisor, now=timezone.now())
    [item] = [f for f in data.followups if f.measure_id == measure.pk]
    assert item.binding.kind == DeadlineKind.FOLLOWUP
    assert item.binding.due_on < timezone.localdate()
    assert all(o.due_at >= item.binding.due_at for o in item.others)
    page = login(org.advisor).get(URL).content.decode()
    assert reverse("followups:record", args=[measure.pk]) in page
    assert item.binding.explanation in page
    assert measure.case.child.full_name in page
    assert "Overskredet" in page


def test_the_lists_of_the_day(org, day, login):
    page = login(org.advisor).get(URL).content.decode()
    assert day["investigation"].case.child.full_name in page  # 4 months near
    assert day["placement"].case.child.full_name in page  # plan due and first follow-up
    assert reverse("cases:notification_receipt", args=[day["notification"].pk]) in page
    assert "Ringe til skolen om fremmødet" in page
    assert (
        reverse("network_meetings:agreement_done", args=[day["agreement"].meeting_id, day["agreement"].pk])
        in page
    )
    assert reverse("cases:handover_record", args=[day["transfer"].pk]) in page
    # The unread reminder, written at the 7-day stage, counts the days actually left.
    deadline = day["investigation"].case.deadlines.first()
    assert f"Frist om {(deadline.due_on - timezone.localdate()).days} dage" in page


def test_the_duty_queue_is_shown_to_the_duty_advisor_only(org, day, login):
    waiting = day["waiting"]
    assert waiting.child.full_name not in login(org.advisor).get(URL).content.decode()
    page = login(org.duty_advisor).get(URL).content.decode()
    assert "Underretninger til 24-timers vurdering" in page
    assert reverse("cases:notification_assess", args=[waiting.pk]) in page
    assert waiting.child.masked_cpr in page and waiting.child.cpr not in page


def test_a_colleague_and_an_outsider_see_none_of_alices_day(org, day, login):
    names = [day["measure"].case.child.full_name, day["investigation"].case.child.full_name]
    for persona in ("colleague", "outsider"):
        page = login(getattr(org, persona)).get(URL).content.decode()
        assert not any(name in page for name in names), persona
        assert "Du er ansvarlig for 0 åbne sager" in page


def test_far_off_deadlines_wait(org, login):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    from cases import services

    services.investigation_open(case=case, decided_on=timezone.localdate(), decided_by=org.advisor)
    data = selectors.my_day(org.advisor, now=timezone.now())
    assert data.investigations == []
    later = selectors.my_day(org.advisor, now=timezone.now() + datetime.timedelta(days=100))
    assert [d.case_id for d in later.investigations] == [case.pk]


# The request (session, the person with the municipality, roles and apps, the bell; the session is
# written at most once a minute) and the day's
# reads: deadlines, load, duty queue, agreements, reminders and their count.
# The counts (one aggregate) and who is on duty (districts and shifts) are three more.
MY_DAY_QUERIES = 12  # with the access log: one insert for every child the day names


@pytest.mark.parametrize("persona", ["advisor", "duty_advisor"])
def test_the_day_costs_the_same_queries_for_one_or_many_of_everything(
    org, login, django_assert_num_queries, persona
):
    user = getattr(org, persona)
    client = login(user)
    fill_the_day(org, advisor=user)
    client.get(URL)
    expected = MY_DAY_QUERIES + (1 if persona == "duty_advisor" else 0)
    with django_assert_num_queries(expected):
        client.get(URL)
    for _ in range(3):
        fill_the_day(org, advisor=user)
    with django_assert_num_queries(expected):
        assert client.get(URL).status_code == 200


@time_machine.travel("2026-12-03 09:00 +01:00", tick=False)
def test_the_day_is_written_in_the_order_of_the_language(org, login):
    client = login(org.advisor)
    assert "torsdag 3. december 2026" in client.get(URL).content.decode()
    client.post(reverse("set_language"), {"language": "en"})
    assert "Thursday 3 December 2026" in client.get(URL).content.decode()
