"""The team overview shows the worst first (issue 20, point 4): days since the last follow-up per
measure (a follow-up belongs to one measure, so a recent contact-person follow-up does not hide a
placement whose own follow-up is 13 months old); each child once with its measures under it; the
children by their oldest overdue deadline, then the longest without a follow-up; a caseload bar
over the cap red and written; the requests awaiting the team leader in their own list, decided in
place."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards import charts
from followups import services as followup_services
from followups.models import ExceptionKind, FollowUp, FollowUpException, LaterDate
from tests.dashboards.factories import give_cases
from tests.dashboards.team_page import team_overview_page
from tests.dashboards.test_team import SECTION_QUERIES, URL, overview, row_of
from tests.factories import CaseFactory, Role, staff
from tests.followups.factories import hold, start_measure


def _placement_and_contact_person(org, *, advisor=None):
    """A child placed in a foster family 14 months ago, followed up once 13 months ago; and a
    contact person for the same child since 3 months, followed up 5 days ago."""
    today = timezone.localdate()
    advisor = advisor or org.advisor
    case = CaseFactory(team=org.team_a, advisor=advisor, opened_on=today - relativedelta(months=15))
    placement = start_measure(org, "foster_family", today - relativedelta(months=14), case=case)
    hold(placement, today - relativedelta(months=13), by=advisor)
    contact = start_measure(org, "contact_person", today - relativedelta(months=3), case=case)
    hold(contact, today - datetime.timedelta(days=5), by=advisor)
    return case, placement, contact


def _child(data, case):
    return next(r for r in data.recency.listed if r.case_id == case.pk)


def test_a_placement_followed_up_13_months_ago_is_shown_so_beside_a_recent_contact_person_follow_up(
    org, login
):
    today = timezone.localdate()
    case, placement, contact = _placement_and_contact_person(org)
    data = overview(org)
    child = _child(data, case)
    assert [r.case_id for r in data.recency.listed].count(case.pk) == 1  # the child once
    by_measure = {m.pk: m for m in child.measures}
    assert set(by_measure) == {placement.pk, contact.pk}
    thirteen_months = (today - (today - relativedelta(months=13))).days
    assert by_measure[placement.pk].last_followup == today - relativedelta(months=13)
    assert by_measure[placement.pk].days == thirteen_months
    assert by_measure[contact.pk].days == 5
    # The placement, the worse of the two, stands first under the child; the child counts its worst.
    assert child.measures[0].pk == placement.pk and child.days == thirteen_months
    assert row_of(data, org.advisor).longest_without_followup == thirteen_months

    page = team_overview_page(login(org.team_leader))
    table = page[page.index('id="followup-recency"') :]
    table = table[: table.index("</table>")]
    assert table.count(case.child.full_name) == 1
    assert placement.measure_type.name in table and contact.measure_type.name in table
    assert (today - relativedelta(months=13)).strftime("%d.%m.%Y") in table
    assert f'<td class="align-text-right">{thirteen_months}</td>' in table


def test_the_children_by_their_oldest_overdue_deadline_then_the_longest_without_a_follow_up(org):
    today = timezone.localdate()
    # Four children, each with one measure of the same rule, set apart by when it started and
    # whether (and when, with which agreed next date) it was followed up.
    started_long_ago = start_measure(org, "preventive", today - datetime.timedelta(days=150))
    followed_up = start_measure(org, "preventive", today - datetime.timedelta(days=300))
    hold(
        followed_up,
        today - datetime.timedelta(days=140),
        by=org.advisor,
        next_agreed_on=today - datetime.timedelta(days=135),
    )
    recent = start_measure(org, "preventive", today - datetime.timedelta(days=20))
    newest = start_measure(org, "preventive", today - datetime.timedelta(days=2))
    measures = [started_long_ago, followed_up, recent, newest]
    for m in measures:
        m.refresh_from_db()
    data = overview(org)
    rows = {r.case_id: r for r in data.recency.listed}
    due = {m.pk: rows[m.case_id].measures[0].next_due for m in measures}
    days = {m.pk: rows[m.case_id].days for m in measures}
    # The setting: the one followed up 140 days ago (agreed next 135 days ago) is overdue longest,
    # though the one never followed up has gone longer without (150 days); the other two are not
    # overdue, 20 and 2 days without.
    assert due[followed_up.pk] == today - datetime.timedelta(days=135)
    assert due[started_long_ago.pk] < today and due[started_long_ago.pk] > due[followed_up.pk]
    assert days[started_long_ago.pk] == 150 and days[followed_up.pk] == 140
    assert due[recent.pk] >= today and due[newest.pk] >= today
    order = [followed_up, started_long_ago, recent, newest]
    assert [r.case_id for r in data.recency.listed] == [m.case_id for m in order]
    assert rows[followed_up.case_id].oldest_overdue == today - datetime.timedelta(days=135)
    assert rows[recent.case_id].oldest_overdue is None


def test_a_child_with_one_overdue_measure_comes_before_a_child_longer_without_but_not_overdue(org):
    today = timezone.localdate()
    case, _placement, _contact = _placement_and_contact_person(org)
    fresh = start_measure(org, "preventive", today - datetime.timedelta(days=60))
    data = overview(org)
    order = [r.case_id for r in data.recency.listed]
    worst = {r.case_id: r for r in data.recency.listed}
    # Both are overdue: the placement's deadline (from 13 months ago) is older than the fresh one's.
    assert worst[case.pk].oldest_overdue < worst[fresh.case_id].oldest_overdue
    assert order.index(case.pk) < order.index(fresh.case_id)


def _children(org, n: int) -> None:
    """``n`` children of team A, each with a placement and a contact person followed up, spread
    over two advisors."""
    for i in range(n):
        _placement_and_contact_person(org, advisor=(org.advisor, org.colleague)[i % 2])


def _team_page_queries(client) -> tuple[int, str]:
    """The queries of the overview's section of days since the last follow-up, as HTMX reads it."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL + "afsnit/opfoelgning/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_overview_reads_as_many_queries_for_2_as_for_10_children(org, login):
    client = login(org.team_leader)
    _pending_of_each_kind(org)
    _children(org, 2)
    client.get(URL)  # warm the session
    two, page = _team_page_queries(client)
    listed = page.count('class="recency-measure"')
    _children(org, 8)
    ten, page = _team_page_queries(client)
    assert page.count('class="recency-measure"') == listed + 16  # each child's two measures
    assert ten == two
    # The section of test_team's pin.
    assert ten == SECTION_QUERIES["opfoelgning"]


def _pending_of_each_kind(org):
    """An exception and a later follow-up date, both asked for by the advisor of team A."""
    today = timezone.localdate()
    school = start_measure(org, "boarding_school", today - datetime.timedelta(days=30))
    exception = followup_services.exception_request(
        measure=school, kind=ExceptionKind.BOARDING_SCHOOL, reason="Langt væk", requested_by=org.advisor
    )
    measure = start_measure(org, "preventive", today - datetime.timedelta(days=80))
    later = hold(
        measure,
        today - datetime.timedelta(days=1),
        by=org.advisor,
        next_agreed_on=today + relativedelta(months=11),
        later_than_rule_reason="Familien er bortrejst.",
    )
    assert later.later_state == LaterDate.REQUESTED
    return exception, later


def _htmx_post(client, url, data):
    return client.post(url, data, HTTP_HX_REQUEST="true")


def test_the_requests_have_their_own_list_with_approve_and_refuse_in_place(org, login):
    exception, later = _pending_of_each_kind(org)
    client = login(org.team_leader)
    page = team_overview_page(client)
    pending = page[page.index('id="pending-requests"') :]
    pending = pending[: pending.index("</ul>")]
    assert "Efterskoleophold efter § 52" in pending and "Familien er bortrejst." in pending
    assert f'hx-post="{reverse("followups:exception_decide", args=[exception.pk])}"' in pending
    assert pending.count("hx-post") == 2 and 'hx-target="#request-e' in pending

    # Refused in place, with the reason: the item is swapped for the decision.
    refused = _htmx_post(
        client,
        reverse("followups:later_date_decide", args=[later.pk]),
        {f"l{later.pk}-decision": "reject", f"l{later.pk}-decision_reason": "Reglen står."},
    )
    assert refused.status_code == 200
    body = refused.content.decode()
    assert body.lstrip().startswith(f'<li id="request-l{later.pk}"') and "Afvist" in body
    assert "<html" not in body and "Reglen står." in body
    assert FollowUp.objects.get(pk=later.pk).later_state == LaterDate.REFUSED

    # Without a reason: the item comes back with the error, and nothing is written.
    url = reverse("followups:exception_decide", args=[exception.pk])
    missing = _htmx_post(client, url, {f"e{exception.pk}-decision": "approve"})
    assert missing.status_code == 200
    assert 'aria-invalid="true"' in missing.content.decode()
    assert FollowUpException.objects.get(pk=exception.pk).state == FollowUpException.State.REQUESTED

    approved = _htmx_post(
        client, url, {f"e{exception.pk}-decision": "approve", f"e{exception.pk}-decision_reason": "Enig."}
    )
    assert approved.status_code == 200 and "Godkendt" in approved.content.decode()
    exception.refresh_from_db()
    assert (exception.state, exception.decided_by) == (FollowUpException.State.APPROVED, org.team_leader)
    assert "Ingen anmodninger venter på dig." in team_overview_page(client)


def test_without_javascript_the_decision_returns_to_the_team_overview(org, login):
    exception, _later = _pending_of_each_kind(org)
    response = login(org.team_leader).post(
        reverse("followups:exception_decide", args=[exception.pk]),
        {f"e{exception.pk}-decision": "reject", f"e{exception.pk}-decision_reason": "Nej.", "next": URL},
    )
    assert response.status_code == 302 and response.url == URL
    assert FollowUpException.objects.get(pk=exception.pk).state == FollowUpException.State.REJECTED


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("advisor", 403),
        ("case_admin", 403),
        ("management", 403),
        ("other_team_leader", 404),
        ("team_leader", 200),
    ],
)
def test_who_may_decide_in_place(org, login, persona, status):
    exception, later = _pending_of_each_kind(org)
    url = reverse("followups:later_date_decide", args=[later.pk])
    data = {f"l{later.pk}-decision": "approve", f"l{later.pk}-decision_reason": "Ok."}
    assert _htmx_post(login(getattr(org, persona)), url, data).status_code == status
    expected = LaterDate.APPROVED if status == 200 else LaterDate.REQUESTED
    assert FollowUp.objects.get(pk=later.pk).later_state == expected
    url = reverse("followups:exception_decide", args=[exception.pk])
    data = {f"e{exception.pk}-decision": "approve", f"e{exception.pk}-decision_reason": "Ok."}
    assert _htmx_post(login(getattr(org, persona)), url, data).status_code == status


def test_a_refusal_by_the_service_is_shown_in_place(org, login):
    """A team leader of team B who advises a case of team A reads its requests, but may not decide
    them: the service refuses, and the view shows the reason in the item (403 without HTMX)."""
    both = staff(
        username="tl_b_adv_a",
        municipality=org.municipality,
        roles=[(Role.TEAM_LEADER, org.team_b), (Role.ADVISOR, org.team_a)],
    )
    measure = start_measure(org, "boarding_school", timezone.localdate(), advisor=both)
    exception = followup_services.exception_request(
        measure=measure, kind=ExceptionKind.BOARDING_SCHOOL, reason="Langt væk", requested_by=both
    )
    url = reverse("followups:exception_decide", args=[exception.pk])
    data = {f"e{exception.pk}-decision": "approve", f"e{exception.pk}-decision_reason": "Ok."}
    client = login(both)
    answer = _htmx_post(client, url, data)
    assert answer.status_code == 200 and 'role="alert"' in answer.content.decode()
    assert client.post(url, data).status_code == 403
    assert FollowUpException.objects.get(pk=exception.pk).state == FollowUpException.State.REQUESTED


def test_a_bar_over_the_cap_is_red_and_says_so(org, login):
    give_cases(org.advisor, org.team_a, 26)  # above the cap of 25
    give_cases(org.colleague, org.team_a, 25)  # at the cap: not red
    data = overview(org)
    chart = charts.loads_chart(data.advisors, data.teams)
    bars = {bar.title.split(": ")[0].split(", ")[1]: bar for bar in chart.bars}
    alice, colleague = charts.short_name(org.advisor), charts.short_name(org.colleague)
    assert "chart-alert" in bars[alice].css and bars[alice].alert == "Over loftet"
    assert "Over loftet" in bars[alice].title
    assert "chart-alert" not in bars[colleague].css and not bars[colleague].alert
    assert ("chart-alert", "Over loftet", "") in chart.legend
    page = login(org.team_leader).get(URL).content.decode()
    svg = page[page.index('id="chart-loads-title"') :]
    svg = svg[: svg.index("</svg>")]
    assert svg.count('class="chart-alert-text"') == 1 and ">Over loftet</tspan></text>" in svg
