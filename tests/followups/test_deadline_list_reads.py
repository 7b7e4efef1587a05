""" "Frister" (the person's deadlines, the duty queue's and, for a team leader, the team's) costs the
same queries however many deadlines it lists, and reads no more of a child than it shows: the name
(and the municipality the access log records), never the CPR number or the address."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Child
from tests.dashboards.conftest import fill_the_day

pytestmark = pytest.mark.django_db

URL = reverse("followups:deadlines")
CPR = f'"{Child._meta.db_table}"."{Child._meta.get_field("cpr").column}"'
ADDRESS = f'"{Child._meta.db_table}"."{Child._meta.get_field("address").column}"'


@pytest.mark.parametrize("persona", ["advisor", "duty_advisor", "team_leader"])
def test_frister_costs_the_same_queries_for_one_or_many_and_reads_no_cpr_number(org, login, persona):
    user = getattr(org, persona)
    # A team leader's list shows the deadlines of the advisor of the team they lead.
    responsible = org.advisor if persona == "team_leader" else user
    client = login(user)
    day = fill_the_day(org, advisor=responsible)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).status_code == 200
    for _ in range(3):
        fill_the_day(org, advisor=responsible)
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL).content.decode()
    assert len(many.captured_queries) == len(one.captured_queries)
    assert day["measure"].case.child.full_name in page
    statements = [q["sql"] for q in many.captured_queries]
    assert not [sql for sql in statements if CPR in sql or ADDRESS in sql]
