"""The demo step gives the measures that exist a believable past of follow-ups, and runs twice
without changing anything."""

from __future__ import annotations

import datetime
import io
import random
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection

from followups import demo, engine, selectors
from followups.models import Deadline, FollowUp, FollowUpException
from tests.followups.factories import start_measure

D = datetime.date
pytestmark = pytest.mark.django_db


@time_machine.travel("2026-03-10 10:00 +01:00", tick=False)
def test_demo_follow_ups_mostly_on_time_some_late_with_exceptions_and_deadlines(org):
    today = D(2026, 3, 10)
    codes = ["foster_family", "network_foster_family", "institution", "preventive", "mst", "boarding_school"]
    # The demo draws each measure's past from a generator seeded with the measure's key: start the
    # keys at the same number in every run, whichever tests ran before in this process.
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('measures_measure', 'id'), 1, false)")
    measures = [
        start_measure(org, codes[n % len(codes)], today - datetime.timedelta(days=60 + 37 * n))
        for n in range(18)
    ]
    demo_org = SimpleNamespace(municipality=org.municipality)
    demo.seed(org=demo_org, today=today, rng=random.Random("demo"), stdout=io.StringIO())

    followups = list(FollowUp.objects.select_related("journal_note", "measure"))
    assert len(followups) > 50
    assert all(f.measure.start_date < f.held_on <= today for f in followups)
    assert all(f.journal_note.case_id == f.measure.case_id for f in followups)
    assert any(f.journal_note.get_heading_display() == "Børnesamtale" for f in followups)
    first_history = FollowUp.history.order_by("history_date").first()
    assert first_history.history_user == org.advisor
    assert FollowUpException.objects.filter(state="approved").exists()
    assert Deadline.objects.filter(is_open=True, source_id__in=[m.pk for m in measures]).count() >= len(
        measures
    )
    # Mostly on time, some late.
    held = [
        item
        for m in measures
        for item in selectors.schedule_for_measure(m, today).municipal
        if item.status == engine.HELD
    ]
    late = sum(not item.on_time for item in held)
    assert 0 < late < len(held) * 0.4

    counts = (FollowUp.objects.count(), FollowUpException.objects.count(), Deadline.objects.count())
    demo.seed(org=demo_org, today=today, rng=random.Random("demo"), stdout=io.StringIO())
    assert (FollowUp.objects.count(), FollowUpException.objects.count(), Deadline.objects.count()) == counts
