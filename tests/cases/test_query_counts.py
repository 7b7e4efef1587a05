"""The duty queue and the professionals' case list cost the same queries however long they are
(issue 10: list pages use a constant number of queries)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import services
from cases.models import CaseState
from tests.cases.factories import NotificationFactory
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

# The request (session, the person with the municipality, roles and apps, the bell; the session is
# written at most once a minute), the list, and
# who is on duty today (the districts with the day's roster joined).
DUTY_QUERIES = 6  # with the access log: one insert for every child on the list
MY_CASES_QUERIES = 5  # with the access log: one insert for every child on the list


def _waiting(org, n: int) -> list:
    return [
        NotificationFactory(
            case=CaseFactory(team=org.team_a, advisor=None, state=CaseState.NOTIFICATION),
            registered_by=org.case_admin,
        )
        for _ in range(n)
    ]


def test_the_duty_queue_costs_the_same_queries_for_one_or_many_notifications(
    org, login, django_assert_num_queries
):
    client = login(org.duty_advisor)
    _waiting(org, 1)
    client.get(reverse("start:duty"))
    with django_assert_num_queries(DUTY_QUERIES):
        client.get(reverse("start:duty"))
    more = _waiting(org, 6)
    with django_assert_num_queries(DUTY_QUERIES):
        page = client.get(reverse("start:duty")).content.decode()
    assert all(reverse("cases:notification_assess", args=[n.pk]) in page for n in more)


def test_my_cases_costs_the_same_queries_for_one_or_many_cases(org, login, django_assert_num_queries):
    def add(n):
        for _ in range(n):
            case = CaseFactory(team=org.team_a, advisor=org.advisor)
            services.case_participant_add(case=case, user=org.psychologist, added_by=org.advisor)

    client = login(org.psychologist)
    add(1)
    client.get(reverse("start:my_cases"))
    with django_assert_num_queries(MY_CASES_QUERIES):
        client.get(reverse("start:my_cases"))
    add(5)
    with django_assert_num_queries(MY_CASES_QUERIES):
        page = client.get(reverse("start:my_cases")).content.decode()
    assert page.count("/sager/") >= 6
