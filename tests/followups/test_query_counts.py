"""A measure's follow-up page costs the same queries however many follow-ups it has held
(issue 10: list pages use a constant number of queries)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from followups.models import FollowUp
from tests.followups.factories import hold, start_measure

D = datetime.date
pytestmark = pytest.mark.django_db

# The request (session, the person with the municipality, roles and apps, the bell; the session is
# written at most once a minute), the measure,
# its rule (one query: the rule book is kept in the process while the rules' stamp holds),
# follow-ups, exceptions and deadline, and the access log's write.
SCHEDULE_PAGE_QUERIES = 11


@time_machine.travel("2026-09-01 10:00 +02:00", tick=False)
def test_the_schedule_page_costs_the_same_queries_for_one_or_many_follow_ups(
    org, login, django_assert_num_queries
):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    url = reverse("followups:measure_schedule", args=[measure.pk])
    hold(measure, D(2026, 1, 19), by=org.advisor)
    client = login(org.advisor)
    client.get(url)
    with django_assert_num_queries(SCHEDULE_PAGE_QUERIES):
        client.get(url)
    for on in (D(2026, 3, 2), D(2026, 4, 13), D(2026, 5, 25), D(2026, 7, 6)):
        hold(measure, on, by=org.advisor)
    assert FollowUp.objects.filter(measure=measure).count() == 5
    with django_assert_num_queries(SCHEDULE_PAGE_QUERIES):
        assert client.get(url).status_code == 200
