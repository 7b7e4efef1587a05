"""The deadline table follows its sources: measures (by the measure services' trigger), follow-ups,
notifications, investigations, plans and cases; a full rebuild repairs anything."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from cases import obligations
from cases.models import CaseState, Investigation, Notification, Plan
from cases.services import plan_require
from followups import deadlines, obligation_sources
from followups.models import Deadline, DeadlineKind, MunicipalityRuleSet, Rule, RulePhase, RuleSet
from followups.presets import HERNING, HVIDOVRE
from measures.models import Measure
from measures.services import measure_end
from tests.factories import CaseFactory, ChildFactory
from tests.followups.factories import hold, plan_with_goals, start_measure

D = datetime.date
pytestmark = pytest.mark.django_db


def row(kind, source_id) -> Deadline:
    return Deadline.objects.get(kind=kind, source_id=source_id)


@time_machine.travel("2026-01-06 09:00 +01:00", tick=False)
def test_starting_a_measure_creates_its_deadlines_and_stores_the_next_due(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    followup = row(DeadlineKind.FOLLOWUP, measure.pk)
    assert (followup.due_on, followup.responsible, followup.statutory) == (D(2026, 1, 19), org.advisor, False)
    assert followup.rule == HERNING
    assert "første opfølgning efter 2 uger" in followup.explanation
    assert followup.team == org.team_a
    assert row(DeadlineKind.LEGAL_FOLLOWUP, measure.pk).due_on == D(2026, 4, 5)
    supervision = row(DeadlineKind.SUPERVISION, measure.pk)
    assert (supervision.due_on, supervision.statutory) == (D(2026, 7, 5), True)
    measure.refresh_from_db()
    assert measure.next_followup_due == D(2026, 1, 19)


@time_machine.travel("2026-01-20 09:00 +01:00", tick=False)
def test_recording_a_follow_up_moves_the_deadlines(org):
    measure = start_measure(org, "institution", D(2026, 1, 5))
    hold(measure, D(2026, 1, 20), by=org.advisor)
    assert row(DeadlineKind.FOLLOWUP, measure.pk).due_on == D(2026, 3, 3)
    # The follow-up of 20 January meets the law's "at the latest 3 months"; the next is 6 months on.
    assert row(DeadlineKind.LEGAL_FOLLOWUP, measure.pk).due_on == D(2026, 7, 20)
    measure.refresh_from_db()
    assert measure.next_followup_due == D(2026, 3, 3)


@time_machine.travel("2026-02-01 09:00 +01:00", tick=False)
def test_ending_a_measure_closes_its_deadlines(org):
    measure = start_measure(org, "preventive", D(2026, 1, 5))
    measure_end(
        measure=measure,
        end_date=D(2026, 1, 31),
        ending_reason=Measure.EndingReason.GOALS_MET,
        ended_by=org.advisor,
    )
    assert not Deadline.objects.filter(
        source_id=measure.pk, kind__in=obligation_sources.MeasureSource.kinds, is_open=True
    ).exists()
    measure.refresh_from_db()
    assert measure.next_followup_due is None


@time_machine.travel("2026-02-01 09:00 +01:00", tick=False)
def test_reassigning_the_case_moves_its_deadlines_to_the_new_advisor_and_closing_closes_them(org):
    measure = start_measure(org, "preventive", D(2026, 1, 5))
    case = measure.case
    Deadline.objects.filter(case=case).update(next_check_at=None)
    case.advisor = org.colleague
    case.save()
    # A write outside the services announces the change itself (cases.obligations).
    obligations.changed(obligations.CASE, [case.pk])
    moved = row(DeadlineKind.FOLLOWUP, measure.pk)
    assert moved.responsible == org.colleague
    assert moved.next_check_at is not None  # the new advisor gets the stage already reached
    case.state, case.closed_on = CaseState.CLOSED, D(2026, 2, 1)
    case.save()
    obligations.changed(obligations.CASE, [case.pk])
    assert not Deadline.objects.filter(case=case, is_open=True).exists()


def _notification(org, **extra):
    child = ChildFactory(municipality=org.municipality, district=org.district_a)
    received = timezone.now()
    values = {
        "municipality": org.municipality,
        "child": child,
        "district": org.district_a,
        "received_at": received,
        "notifier_kind": Notification.NotifierKind.PROFESSIONAL,
        "concern": "Bekymring fra skolen",
        "registered_by": org.case_admin,
        "duty_advisor": org.duty_advisor,
        "assessment_due_at": received + datetime.timedelta(hours=24),
        "receipt_due_on": D(2026, 3, 11),
    }
    values.update(extra)
    notification = Notification.objects.create(**values)
    obligations.changed("notification", [notification.pk])
    return notification


@time_machine.travel("2026-03-03 10:15 +01:00", tick=False)
def test_a_notification_brings_the_24_hour_assessment_and_the_receipt(org):
    notification = _notification(org)
    assessment = row(DeadlineKind.ASSESSMENT, notification.pk)
    assert assessment.due_at == notification.assessment_due_at
    assert assessment.due_on == D(2026, 3, 4)
    assert assessment.responsible == org.duty_advisor
    assert assessment.explanation.startswith("Underretning modtaget 3. marts 2026 kl. 10.15")
    assert "Barnets Lov § 136" in assessment.explanation
    receipt = row(DeadlineKind.RECEIPT, notification.pk)
    assert (receipt.due_on, receipt.rule) == (D(2026, 3, 11), "Barnets Lov § 136")

    notification.assessed_at = timezone.now()
    notification.save()
    obligations.changed("notification", [notification.pk])
    assert not row(DeadlineKind.ASSESSMENT, notification.pk).is_open
    notification.receipt_sent_on = D(2026, 3, 5)
    notification.save()
    obligations.changed("notification", [notification.pk])
    assert not row(DeadlineKind.RECEIPT, notification.pk).is_open


@time_machine.travel("2026-03-03 10:15 +01:00", tick=False)
def test_a_private_notifier_gets_no_receipt_deadline(org):
    notification = _notification(org, notifier_kind=Notification.NotifierKind.PRIVATE, receipt_due_on=None)
    assert not Deadline.objects.filter(kind=DeadlineKind.RECEIPT, source_id=notification.pk).exists()


@time_machine.travel("2026-02-10 09:00 +01:00", tick=False)
def test_an_investigation_deadline_and_its_end_brings_the_first_legal_follow_up_forward(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, state=CaseState.INVESTIGATION)
    investigation = Investigation.objects.create(
        case=case,
        decided_on=D(2026, 1, 10),
        aware_on=D(2026, 1, 10),
        deadline=D(2026, 5, 10),
        decided_by=org.advisor,
    )
    obligations.changed("investigation", [investigation.pk])
    assert row(DeadlineKind.INVESTIGATION, investigation.pk).due_on == D(2026, 5, 10)
    measure = start_measure(org, "preventive", D(2026, 2, 1), case=case)
    # Barnets Lov § 95, stk. 2: the earlier of 1 May (3 months) and the investigation's end.
    assert row(DeadlineKind.LEGAL_FOLLOWUP, measure.pk).due_on == D(2026, 5, 1)
    investigation.completed_on = D(2026, 2, 20)
    investigation.save()
    obligations.changed("investigation", [investigation.pk])
    assert not row(DeadlineKind.INVESTIGATION, investigation.pk).is_open
    assert row(DeadlineKind.LEGAL_FOLLOWUP, measure.pk).due_on == D(2026, 2, 20)


@time_machine.travel("2026-02-10 09:00 +01:00", tick=False)
def test_a_plan_deadline_closes_when_the_plan_is_made(org):
    case = CaseFactory(team=org.team_a, advisor=org.advisor, opened_on=D(2026, 1, 2))
    # A placement decided on 1 February makes a plan due within three months (BL § 91).
    plan = plan_require(case=case, decided_on=D(2026, 2, 1), without_consent=False, required_by=org.advisor)
    deadline = row(DeadlineKind.PLAN, plan.pk)
    assert (deadline.due_on, deadline.rule) == (D(2026, 5, 1), "Barnets Lov § 91")
    assert deadline.is_open
    made, _goals = plan_with_goals(case, by=org.advisor)
    assert made.pk == plan.pk
    assert not row(DeadlineKind.PLAN, plan.pk).is_open
    assert Plan.objects.count() == 1


@time_machine.travel("2026-02-10 09:00 +01:00", tick=False)
def test_rebuild_repairs_the_table_and_changes_nothing_the_second_time(org):
    measures = [start_measure(org, code, D(2026, 1, 5)) for code in ("institution", "mst", "foster_family")]
    expected = {(d.kind, d.source_id): (d.due_on, d.explanation) for d in Deadline.objects.all()}
    Deadline.objects.all().delete()
    Measure.objects.update(next_followup_due=None)
    first = deadlines.rebuild()
    assert first.changed == len(expected)
    assert {(d.kind, d.source_id): (d.due_on, d.explanation) for d in Deadline.objects.all()} == expected
    assert all(m.next_followup_due for m in Measure.objects.filter(pk__in=[m.pk for m in measures]))
    again = deadlines.rebuild()
    assert (again.changed, again.errors) == (0, 0)


@time_machine.travel("2026-02-10 09:00 +01:00", tick=False)
def test_a_broken_rule_is_logged_and_skipped_and_the_others_are_computed(org, caplog):
    broken = start_measure(org, "institution", D(2026, 1, 5))
    fine = start_measure(org, "preventive", D(2026, 1, 5))
    Deadline.objects.all().delete()
    # An interval of 0 weeks, written past validation (say, by a faulty import).
    RulePhase.objects.filter(rule__rule_set__name=HERNING, rule__measure_type__code="institution").update(
        every_amount=0
    )
    stats = deadlines.rebuild()
    assert stats.errors == 1
    assert f"measure {broken.pk}" in caplog.text
    assert not Deadline.objects.filter(source_id=broken.pk, kind=DeadlineKind.FOLLOWUP).exists()
    assert row(DeadlineKind.FOLLOWUP, fine.pk).due_on == D(2026, 2, 2)


@time_machine.travel("2026-02-10 09:00 +01:00", tick=False)
def test_the_municipalitys_chosen_rule_set_applies(org):
    measure = start_measure(org, "preventive", D(2026, 1, 5))
    hold(measure, D(2026, 2, 2), by=org.advisor)
    assert row(DeadlineKind.FOLLOWUP, measure.pk).due_on == D(2026, 5, 2)  # Herning: every 3 months
    choice = MunicipalityRuleSet(municipality=org.municipality, rule_set=RuleSet.objects.get(name=HVIDOVRE))
    choice.full_clean()
    choice.save()
    deadlines.rebuild()
    deadline = row(DeadlineKind.FOLLOWUP, measure.pk)
    assert deadline.due_on == D(2026, 4, 2)  # Hvidovre: every second month
    assert deadline.rule == HVIDOVRE


def test_the_presets_loaded_by_migration_match_the_shipped_data(db):
    from followups.presets import engine_rule

    for name in (HERNING, HVIDOVRE):
        rule_set = RuleSet.objects.get(name=name, municipality=None)
        assert rule_set.is_preset
        for rule in Rule.objects.filter(rule_set=rule_set).select_related("measure_type", "rule_set"):
            loaded = rule.to_engine()
            shipped = engine_rule(name, rule.measure_type.code)
            assert (loaded.milestones, loaded.phases, loaded.programme_end) == (
                shipped.milestones,
                shipped.phases,
                shipped.programme_end,
            ), rule.measure_type.code
    assert Rule.objects.filter(rule_set__name=HERNING).count() == 19


@time_machine.travel("2026-02-10 09:00 +01:00", tick=False)
def test_a_failing_sync_never_undoes_the_writers_work(org, caplog):
    RulePhase.objects.filter(rule__rule_set__name=HERNING, rule__measure_type__code="institution").update(
        every_amount=0
    )
    measure = start_measure(org, "institution", D(2026, 1, 5))  # the measure service still succeeds
    assert Measure.objects.filter(pk=measure.pk).exists()
    assert "Could not compute the follow-up schedule" in caplog.text
    assert not Deadline.objects.filter(source_id=measure.pk, kind=DeadlineKind.FOLLOWUP).exists()
