"""Which rule applies: the municipality's chosen rule set in force on a day, and its rule for a
measure type, as the engine's plain data. ``RuleBook`` holds them all in memory so that the sweep
computes thousands of schedules without a query per measure."""

from __future__ import annotations

import datetime
import logging

from django.db.models import Prefetch

from followups import engine
from followups.models import MunicipalityRuleSet, Rule, RuleMilestone, RulePhase, RuleSet
from followups.presets import DEFAULT_RULE_SET

logger = logging.getLogger("herning.followups")


class BrokenRule(ValueError):
    """A stored rule the engine cannot use."""


class RuleBook:
    """Every rule set and rule, loaded in a fixed number of queries."""

    def __init__(self, day: datetime.date):
        self.day = day
        self.rule_sets = {rs.pk: rs for rs in RuleSet.objects.all()}
        self.choices: dict[int, list[int]] = {}
        for municipality_id, rule_set_id in MunicipalityRuleSet.objects.values_list(
            "municipality_id", "rule_set_id"
        ):
            self.choices.setdefault(municipality_id, []).append(rule_set_id)
        self.rules: dict[tuple[int, int], engine.Rule] = {}
        rules = Rule.objects.select_related("rule_set", "measure_type").prefetch_related(
            Prefetch("milestones", queryset=RuleMilestone.objects.all()),
            Prefetch("phases", queryset=RulePhase.objects.all()),
        )
        self.broken: set[tuple[int, int]] = set()
        for rule in rules:
            key = (rule.rule_set_id, rule.measure_type_id)
            try:
                self.rules[key] = rule.to_engine()
            except ValueError:
                # Data past validation (a faulty import): the measures under it are skipped and
                # logged one by one; every other rule still works.
                logger.exception("Follow-up rule %s is not valid.", rule.pk)
                self.broken.add(key)
        self._default = next(
            (
                rs
                for rs in self.rule_sets.values()
                if rs.municipality_id is None and rs.name == DEFAULT_RULE_SET
            ),
            None,
        )

    def rule_set_for(self, municipality_id: int, day: datetime.date | None = None) -> RuleSet | None:
        """The rule set the municipality follows on ``day``; without a choice, the default preset."""
        day = day or self.day
        chosen = [self.rule_sets[pk] for pk in self.choices.get(municipality_id, ())]
        in_force = [rs for rs in chosen if rs.is_valid_on(day)]
        if in_force:
            return max(in_force, key=lambda rs: rs.valid_from)
        if not chosen and self._default is not None and self._default.is_valid_on(day):
            return self._default
        return None

    def rule_for(
        self, municipality_id: int, measure_type_id: int, day: datetime.date | None = None
    ) -> engine.Rule | None:
        rule_set = self.rule_set_for(municipality_id, day)
        if rule_set is None:
            return None
        if (rule_set.pk, measure_type_id) in self.broken:
            raise BrokenRule(
                f"The rule of rule set {rule_set.pk} for measure type {measure_type_id} is not valid."
            )
        return self.rules.get((rule_set.pk, measure_type_id))
