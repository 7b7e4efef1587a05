"""Reminders people trust, in the browser (issue 20, points 2 and 3): four days before a
deadline the advisor's reminder says "om 4 dage" (counted when it is read, not at the stage that
wrote it), and a team leader whose team has missed several deadlines gets one digest, grouped by
advisor and child with the oldest first, and the same grouping in the in-app list.

The days are fixed (Monday 1 March 2027) and the clock stands still there, so the texts and the
screenshots do not change from run to run."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from followups import sweep
from followups.digest import send_digests
from tests.e2e.conftest import check_page
from tests.factories import CaseFactory
from tests.followups.factories import start_measure

pytestmark = pytest.mark.slow

D = datetime.date
MONDAY = "2027-03-01 09:00 +01:00"


def test_a_reminder_four_days_ahead_and_one_digest_for_the_team_leader(browsing, org, shipped_data):
    with time_machine.travel(MONDAY, tick=False):
        # An institution's first follow-up is two weeks after its start: three are overdue by
        # 10, 12 and 14 days (Alice's two, Bob's one), and one falls due on Friday 5 March.
        oldest = start_measure(org, "institution", D(2027, 2, 1), advisor=org.colleague)
        middle = start_measure(org, "institution", D(2027, 2, 3))
        newest = start_measure(org, "institution", D(2027, 2, 5))
        soon = start_measure(org, "institution", D(2027, 2, 19))
        # Another team's overdue deadline is not in team A's digest.
        start_measure(
            org, "institution", D(2027, 2, 2), case=CaseFactory(team=org.team_b, advisor=org.outsider)
        )
        assert soon.case.deadlines.filter(is_open=True).order_by("due_on").first().due_on == D(2027, 3, 5)
        sweep.run(dispatch=False)
        mail.outbox.clear()
        send_digests(now=timezone.now())

        digests = [m for m in mail.outbox if m.to == [org.team_leader.email]]
        assert len(digests) == 1, [m.subject for m in mail.outbox]
        body = digests[0].body
        names = [m.case.child.full_name for m in (oldest, middle, newest)]
        assert all(name in body for name in names), body
        # Grouped by advisor (Bob, whose deadline is the oldest, first), then child, oldest first.
        assert body.index(str(org.colleague)) < body.index(str(org.advisor))
        assert body.index(names[1]) < body.index(names[2])
        assert "overskredet for 14 dage siden" in body
        assert soon.case.child.full_name not in body  # not overdue: no escalation

        # The advisor's reminder, four days before the deadline, says so, in the bell's list.
        advisor = browsing.as_user(org.advisor)
        advisor.goto(reverse("followups:reminders"))
        assert "om 4 dage" in advisor.locator("main").inner_text()
        check_page(advisor, "paamindelse-om-4-dage", browsing=browsing)

        # The team leader's in-app list groups the escalations as the digest does.
        leader = browsing.as_user(org.team_leader)
        leader.goto(reverse("followups:reminders"))
        text = leader.locator("main").inner_text()
        assert all(name in text for name in names), text
        assert text.index(str(org.colleague)) < text.index(str(org.advisor))
        check_page(leader, "paamindelser-teamleder-samlet", browsing=browsing)
    assert not browsing.problems, browsing.problems
