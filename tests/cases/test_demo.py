"""The demo's children and cases: every state and every step, consistent with the rules."""

from __future__ import annotations

import datetime
import io
import random

import pytest
import time_machine
from django.db.models import Count

from cases import demo
from cases.models import Case, CaseState, Child, Investigation, JournalNote, Notification, Plan
from herning.organisation.demo import seed_organisation
from measures.ladder import Span, step_changes, step_on
from measures.models import LadderMovement, LadderStep, Measure

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def seeded(db):
    org = seed_organisation(today=TODAY)
    demo.seed(org=org, today=TODAY, rng=random.Random("test"), stdout=io.StringIO())
    return org


@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_the_demo_spreads_about_250_children_over_every_state_and_step(seeded):
    assert Child.objects.count() == demo.CHILDREN
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    steps = set(Case.objects.open().values_list("current_step__number", flat=True))
    assert steps == {None, *LadderStep.objects.values_list("number", flat=True)}
    # Some children have a closed earlier case beside their open one.
    assert Child.objects.annotate(n=Count("cases")).filter(n__gt=1).exists()
    assert Notification.objects.filter(case__advisor__isnull=True, assessed_at__isnull=True).exists()
    assert Investigation.objects.filter(completed_on__isnull=True).exists()
    assert Plan.objects.filter(made_on__isnull=True).exists() and Plan.objects.filter(version=2).exists()
    assert JournalNote.objects.filter(heading=JournalNote.Heading.CHILD_CONVERSATION).exists()
    assert Measure.objects.filter(ending_reason=Measure.EndingReason.BREAKDOWN).exists()
    oldest = Notification.objects.order_by("received_at").first().received_at.date()
    assert oldest < TODAY - datetime.timedelta(days=600)


@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_the_demo_keeps_the_rules_of_the_services(seeded):
    loads = Case.objects.open().exclude(advisor=None).values("advisor").annotate(n=Count("id"))
    assert max(row["n"] for row in loads) <= 25
    for case in Case.objects.prefetch_related("measures__measure_type__ladder_step", "movements"):
        spans = [
            Span(m.pk, m.measure_type.ladder_step.number, m.start_date, m.actual_end)
            for m in case.measures.all()
        ]
        stored = [
            (m.date, m.from_step_id and m.from_step.number, m.to_step_id and m.to_step.number)
            for m in case.movements.all()
        ]
        assert stored == [(c.date, c.from_step, c.to_step) for c in step_changes(spans)], case.pk
        if case.is_open:
            assert (case.current_step.number if case.current_step else None) == step_on(spans, TODAY)
        else:
            assert all(m.actual_end and m.actual_end <= case.closed_on for m in case.measures.all())
        assert all(m.start_date <= TODAY for m in case.measures.all())
    assert not Notification.objects.filter(received_at__date__gt=TODAY).exists()
    assert not JournalNote.objects.filter(occurred_on__gt=TODAY).exists()


@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_the_demo_history_names_a_person_for_every_row(seeded):
    for model in (Case, Measure, LadderMovement, JournalNote, Notification):
        assert not model.history.filter(history_user__isnull=True).exists(), model
