"""One count of the advisor's work (issue 20, point 5): "Min dag", "Frister" and the team overview
show the same numbers overdue / today / this week / later, because all three read
``followups.selectors._count_rows``."""

from __future__ import annotations

import datetime
import re

import time_machine
from django.urls import reverse
from django.utils import timezone

from dashboards import selectors
from followups.selectors import DueCounts, my_due_counts
from network_meetings import services as meeting_services
from tests.dashboards.conftest import fill_the_day
from tests.network_meetings.factories import plan

GROUPS = ("overdue", "today", "week", "later")


def _counts(html: str) -> DueCounts:
    return DueCounts(*(int(re.search(rf'data-due="{g}">(\d+)<', html).group(1)) for g in GROUPS))


def _advisor_row(html: str, advisor) -> str:
    start = html.index(f'<th scope="row">{advisor}</th>')
    return html[start : html.index("</tr>", start)]


def _agreements(org, days: list[int]) -> None:
    """Agreements from a network meeting, owned by the advisor, due ``days`` from today."""
    measure = fill_the_day(org)["measure"]
    meeting = plan(measure.case.child, planned_by=org.advisor)
    owner = meeting.participants.get(user=org.advisor)
    for n in days:
        meeting_services.agreement_add(
            meeting=meeting,
            by=org.advisor,
            text=f"Aftale om {n} dage",
            owner=owner,
            due_on=timezone.localdate() + datetime.timedelta(days=n),
        )


@time_machine.travel("2026-03-10 10:00 +01:00", tick=False)
def test_my_day_the_deadlines_page_and_the_team_overview_count_alike(org, login):
    _agreements(org, [-2, 0, 0, 3, 6, 20, 45])
    now = timezone.now()
    expected = my_due_counts(org.advisor, now=now)
    # The world has work in every group, so agreement is no accident of zeros.
    assert all(getattr(expected, g) for g in GROUPS), expected

    day = login(org.advisor).get(reverse("start:my_day")).content.decode()
    deadlines = login(org.advisor).get(reverse("followups:deadlines")).content.decode()
    team = login(org.team_leader).get(reverse("start:team")).content.decode()
    assert _counts(day) == _counts(deadlines) == _counts(_advisor_row(team, org.advisor)) == expected

    # "Frister" lists each of them, and "Min dag" lists all but the far ones (beyond a month).
    mine = deadlines[deadlines.index("Mine frister") :]
    assert mine.count('id="frist-') >= expected.total
    groups = {g.key: g for g in selectors.my_day(org.advisor, now=now).groups}
    for g in ("overdue", "today", "week"):
        assert groups[g].listed == getattr(expected, g), g
    assert groups["later"].listed < groups["later"].count  # the agreement 45 days out: counted, on Frister


@time_machine.travel("2026-03-10 10:00 +01:00", tick=False)
def test_the_duty_queue_is_its_own_section_and_says_who_is_on_duty(org, login):
    from herning.organisation.models import DutyShift

    fill_the_day(org, advisor=org.duty_advisor)
    DutyShift.objects.create(district=org.district_a, date=timezone.localdate(), advisor=org.duty_advisor)
    page = login(org.duty_advisor).get(reverse("start:my_day")).content.decode()
    duty = page[page.index('id="duty"') :]
    assert f"I dag i {org.district_a}:" in duty and f"<strong>{org.duty_advisor}</strong>" in duty
    assert "Underretninger til 24-timers vurdering" in duty
    # The 24-hour assessments are the duty queue's, not counted as the person's own work.
    counts = my_due_counts(org.duty_advisor, now=timezone.now())
    assert _counts(page) == counts
