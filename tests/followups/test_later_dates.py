"""A next date agreed later than the rule allows waits for the team leader (issue 17, point 3):
the pages and the API for each kind of user. The rules themselves: test_services.py, engine:
test_engine_rules.py."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from followups.models import Deadline, DeadlineKind, FollowUp, LaterDate
from tests.api.base import results
from tests.dashboards.team_page import team_overview_page
from tests.fixtures import login_with_second_factor
from tests.followups.factories import hold, start_measure

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-03-10 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def asked(org):
    """Institution placement from 5 Jan; held 19 Jan with 16 Mar agreed (the rule: 2 Mar)."""
    measure = start_measure(org, "institution", D(2026, 1, 5))
    return hold(
        measure,
        D(2026, 1, 19),
        by=org.advisor,
        today=D(2026, 3, 10),
        next_agreed_on=D(2026, 3, 16),
        later_than_rule_reason="Familien er bortrejst.",
    )


def _due(followup):
    return Deadline.objects.get(kind=DeadlineKind.FOLLOWUP, source_id=followup.measure_id).due_on


def _decision(followup, decision="approve", reason="Ok."):
    return {f"l{followup.pk}-decision": decision, f"l{followup.pk}-decision_reason": reason}


def test_the_team_overview_and_the_approvals_page_list_the_request_for_its_team_leader_only(
    login, org, asked
):
    for url in (reverse("start:team_section", args=["anmodninger"]), reverse("followups:exceptions")):
        page = login(org.team_leader).get(url).content.decode()
        assert "Familien er bortrejst." in page
        assert reverse("followups:later_date_decide", args=[asked.pk]) in page
        assert "Familien er bortrejst." not in login(org.other_team_leader).get(url).content.decode()
    assert "Familien er bortrejst." in team_overview_page(login(org.team_leader))
    schedule = login(org.advisor).get(reverse("followups:measure_schedule", args=[asked.measure_id]))
    assert "afventer teamlederens godkendelse" in schedule.content.decode()


def test_an_advisor_cannot_approve_on_the_page_and_the_team_leader_can(login, org, asked):
    url = reverse("followups:later_date_decide", args=[asked.pk])
    for person, status in (
        (org.advisor, 403),
        (org.colleague, 403),
        (org.management, 403),
        (org.other_team_leader, 404),
    ):
        assert login(person).post(url, _decision(asked)).status_code == status
    assert _due(asked) == D(2026, 3, 2)
    leader = login(org.team_leader)
    missing = leader.post(url, _decision(asked, reason=""))
    assert missing.status_code == 400
    # Approved from the team overview, back to it.
    response = leader.post(url, {**_decision(asked), "next": reverse("start:team")})
    assert response.status_code == 302 and response.url == reverse("start:team")
    asked.refresh_from_db()
    assert (asked.later_state, asked.later_decided_by) == (LaterDate.APPROVED, org.team_leader)
    assert _due(asked) == D(2026, 3, 16)
    schedule = leader.get(reverse("followups:measure_schedule", args=[asked.measure_id])).content.decode()
    assert "udsat efter aftale, godkendt af" in schedule
    deadlines = login(org.advisor).get(reverse("followups:deadlines")).content.decode()
    assert "udsat efter aftale, godkendt af" in deadlines


def test_refused_on_the_page_the_rules_date_stays(login, org, asked):
    url = reverse("followups:later_date_decide", args=[asked.pk])
    assert login(org.team_leader).post(url, _decision(asked, "reject", "Nej.")).status_code == 302
    assert FollowUp.objects.get(pk=asked.pk).later_state == LaterDate.REFUSED
    assert _due(asked) == D(2026, 3, 2)


def _api(user):
    return login_with_second_factor(APIClient(), user)


def _pending_item(client, followup):
    rows = results(client.get("/api/v1/followups/", {"measure": followup.measure_id}))
    return next(r for r in rows if r["chain"] == "followup" and r["status"] != "done")


def test_the_api_shows_the_request_on_the_follow_up_and_only_the_team_leader_decides(org, asked):
    item = _pending_item(_api(org.advisor), asked)
    assert item["due_date"] == "2026-03-02"
    assert item["later_date"]["state"] == "requested"
    assert (item["later_date"]["agreed_on"], item["later_date"]["rule_date"]) == ("2026-03-16", "2026-03-02")
    assert item["later_date"]["followup_record"] == asked.pk
    url = f"/api/v1/followups/{item['id']}/later-date/"
    body = {"decision": "approve", "reason": "Ok."}
    assert _api(org.advisor).post(url, body, format="json").status_code == 403
    for person in (org.outsider, org.other_team_leader):
        assert _api(person).post(url, body, format="json").status_code == 404
    leader = _api(org.team_leader)
    bad = leader.post(url, {"decision": "maybe"}, format="json")
    assert bad.status_code == 400
    assert "decision" in bad.content.decode() and "reason" in bad.content.decode()
    response = leader.post(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "approved"
    assert _due(asked) == D(2026, 3, 16)
    moved = _pending_item(leader, asked)
    assert moved["due_date"] == "2026-03-16"
    assert moved["later_date"]["state"] == "approved"
    assert "udsat efter aftale, godkendt af" in moved["explanation"]
    # Decided once.
    assert leader.post(f"/api/v1/followups/{moved['id']}/later-date/", body, format="json").status_code == 400
