"""The child page shows the case's open deadlines with their explanation and the way to act."""

from __future__ import annotations

import datetime

import time_machine
from django.urls import reverse

from measures.services import measure_start
from tests.factories import HEARD, CaseFactory, measure_type
from tests.pages import with_folds


@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_the_child_page_lists_the_next_follow_up_with_its_explanation(org, login):
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    measure = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("institution"),
        start_date=datetime.date(2026, 2, 2),
        decided_by=org.advisor,
    )
    html = with_folds(login(org.advisor), reverse("cases:child_detail", args=[case.child.pk]))
    assert 'id="deadlines"' in html
    # Herningmodellen 1.0: an institution placement is followed up first after two weeks.
    assert "16.02.2026" in html
    assert "Overskredet" in html
    assert reverse("followups:record", args=[measure.pk]) in html


def test_a_colleague_who_may_read_but_not_edit_gets_no_record_link(org, login):
    org.team_a.shares_cases = True
    org.team_a.save()
    case = CaseFactory(team=org.team_a, advisor=org.advisor)
    measure = measure_start(
        hearing=HEARD,
        case=case,
        measure_type=measure_type("mst"),
        start_date=datetime.date.today(),
        decided_by=org.advisor,
    )
    html = login(org.colleague).get(reverse("cases:child_detail", args=[case.child.pk])).content.decode()
    assert 'id="deadlines"' in html
    assert reverse("followups:record", args=[measure.pk]) not in html
