"""The rule book is kept in each process's memory and read again exactly when the stored rules
change, however they were changed (herning.core.stamps): a stale rule computes a wrong deadline."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from followups import engine, rules
from followups.models import MunicipalityRuleSet, Rule, RuleMilestone, RulePhase, RuleSet
from followups.presets import DEFAULT_RULE_SET
from followups.rules import RuleBook
from herning.core import stamps
from measures.models import MeasureType

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 1)


def institution_rule() -> Rule:
    return Rule.objects.get(rule_set__name=DEFAULT_RULE_SET, measure_type__code="institution")


def first_step(municipality_id: int) -> engine.Period:
    rule = RuleBook(DAY).rule_for(municipality_id, institution_rule().measure_type_id)
    return rule.milestones[0].offset


def test_a_second_rule_book_is_one_query(org):
    RuleBook(DAY)
    with CaptureQueriesContext(connection) as second:
        book = RuleBook(DAY)
    assert len(second) == 1, [q["sql"] for q in second]
    assert book.rule_for(org.municipality.pk, institution_rule().measure_type_id) is not None


@pytest.mark.parametrize(
    "change",
    ["orm_update", "raw_sql", "delete_and_insert"],
)
def test_a_rule_changed_by_any_path_is_read_at_once(org, change):
    before = first_step(org.municipality.pk)
    milestone = institution_rule().milestones.order_by("amount").first()
    if change == "orm_update":
        # QuerySet.update(): no save(), no signal, no history row.
        RuleMilestone.objects.filter(pk=milestone.pk).update(amount=before.amount + 1)
    elif change == "raw_sql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE followups_rulemilestone SET amount = %s WHERE id = %s",
                [before.amount + 1, milestone.pk],
            )
    else:
        RuleMilestone.objects.filter(pk=milestone.pk).delete()
        milestone.pk = None
        milestone.amount = before.amount + 1
        milestone.save()
    assert first_step(org.municipality.pk).amount == before.amount + 1


def test_a_measure_types_new_name_reaches_the_explanations(org):
    RuleBook(DAY)
    MeasureType.objects.filter(code="institution").update(name="Døgninstitution (nyt navn)")
    rule = RuleBook(DAY).rule_for(org.municipality.pk, institution_rule().measure_type_id)
    assert rule.measure_da == "Døgninstitution (nyt navn)"


def test_a_municipalitys_new_choice_is_read_at_once(org):
    RuleBook(DAY)
    own = RuleSet.objects.create(name="Egen kommune", municipality=org.municipality, valid_from=DAY)
    MunicipalityRuleSet.objects.create(municipality=org.municipality, rule_set=own)
    assert RuleBook(DAY).rule_set_for(org.municipality.pk) == own


def test_a_change_rolled_back_leaves_nothing_behind(org):
    before = first_step(org.municipality.pk)
    milestone = institution_rule().milestones.order_by("amount").first()
    with pytest.raises(RuntimeError), transaction.atomic():
        RuleMilestone.objects.filter(pk=milestone.pk).update(amount=before.amount + 5)
        assert first_step(org.municipality.pk).amount == before.amount + 5  # kept in memory
        raise RuntimeError("rolled back")
    # The stamp is back to what it was before, and the rules kept under it are the old ones.
    assert first_step(org.municipality.pk) == before


def test_rules_changed_while_they_were_read_are_not_kept(org, monkeypatch):
    load = rules._load
    milestone = institution_rule().milestones.order_by("amount").first()

    def load_while_someone_writes():
        loaded = load()
        RuleMilestone.objects.filter(pk=milestone.pk).update(amount=milestone.amount + 2)
        return loaded

    monkeypatch.setattr(rules, "_load", load_while_someone_writes)
    RuleBook(DAY)
    monkeypatch.setattr(rules, "_load", load)
    # Not kept: a reader that still sees the stamp from before the write (it raced the commit)
    # must not be handed rules read half before and half after it.
    assert rules._cached is None
    # The next book reads again and sees the write.
    assert first_step(org.municipality.pk).amount == milestone.amount + 2


def test_every_table_the_rule_book_reads_carries_the_stamp():
    """A table the rule book reads without a stamp would be cached past its changes."""
    with CaptureQueriesContext(connection) as queries:
        rules._load()
    read = set()
    for query in queries:
        read |= set(re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"]))
    assert read == {
        RuleSet._meta.db_table,
        MunicipalityRuleSet._meta.db_table,
        Rule._meta.db_table,
        RuleMilestone._meta.db_table,
        RulePhase._meta.db_table,
        MeasureType._meta.db_table,
    }
    assert read <= stamps.stamped_tables()


def test_without_stamps_the_rules_are_read_every_time(org, monkeypatch):
    monkeypatch.setattr(stamps, "read_with_times", lambda *names, model=None: None)
    RuleBook(DAY)
    with CaptureQueriesContext(connection) as second:
        RuleBook(DAY)
    assert len(second) == 5


def test_a_rule_changed_without_a_history_row_moves_the_schedules_updated_at(org):
    """The API's ``updated_at`` of a follow-up counts the rules' last change: a preset updated with
    ``QuerySet.update()`` writes no history row, but the stamp's moment moves."""
    from followups import schedule_changes
    from tests.followups.factories import start_measure

    measure = start_measure(org, "institution", DAY)
    before = schedule_changes.inputs_changed_at([measure], RuleBook(DAY))[measure.pk]
    milestone = institution_rule().milestones.order_by("amount").first()
    history_rows = RuleMilestone.history.count()
    RuleMilestone.objects.filter(pk=milestone.pk).update(amount=milestone.amount + 1)
    assert RuleMilestone.history.count() == history_rows  # nothing in the history to go by
    after = schedule_changes.inputs_changed_at([measure], RuleBook(DAY))[measure.pk]
    assert after > before
