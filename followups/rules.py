"""Which rule applies: the municipality's chosen rule set in force on a day, and its rule for a
measure type, as the engine's plain data. ``RuleBook`` holds them all in memory so that the sweep
computes thousands of schedules without a query per measure."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, replace

from django.db.models import Prefetch

from followups import engine
from followups.models import MunicipalityRuleSet, Rule, RuleMilestone, RulePhase, RuleSet
from followups.presets import DEFAULT_RULE_SET
from herning.core import stamps

logger = logging.getLogger("herning.followups")


class BrokenRule(ValueError):
    """A stored rule the engine cannot use."""


@dataclass(frozen=True)
class _Rules:
    """Every rule set, choice and rule as stored at one stamp; shared, so never changed after
    loading."""

    rule_sets: dict[int, RuleSet]
    choices: dict[int, tuple[int, ...]]
    rules: dict[tuple[int, int], engine.Rule]
    broken: frozenset[tuple[int, int]]
    default: RuleSet | None
    # When the rules last changed by the database's stamp (every write, also one without a history
    # row), or by their history when the stamp has not moved since it was installed; None where
    # there are no stamps (``schedule_changes`` then reads the history on every call).
    changed_at: datetime.datetime | None = None
    # Whether ``changed_at`` is known from the stamps (None then means: never changed).
    stamped: bool = False


# What the rule book is read from: the rules and the measure types' names and codes.
STAMPS = ("followup_rules", "measure_types")
# The rules last read in this process and the stamps they were read at.
_cached: tuple[tuple[str, ...], _Rules] | None = None


def _load() -> _Rules:
    rule_sets = {rs.pk: rs for rs in RuleSet.objects.all()}
    choices: dict[int, list[int]] = {}
    for municipality_id, rule_set_id in MunicipalityRuleSet.objects.values_list(
        "municipality_id", "rule_set_id"
    ):
        choices.setdefault(municipality_id, []).append(rule_set_id)
    rules: dict[tuple[int, int], engine.Rule] = {}
    broken: set[tuple[int, int]] = set()
    for rule in Rule.objects.select_related("rule_set", "measure_type").prefetch_related(
        Prefetch("milestones", queryset=RuleMilestone.objects.all()),
        Prefetch("phases", queryset=RulePhase.objects.all()),
    ):
        key = (rule.rule_set_id, rule.measure_type_id)
        try:
            rules[key] = rule.to_engine()
        except ValueError:
            # Data past validation (a faulty import): the measures under it are skipped and
            # logged one by one; every other rule still works.
            logger.exception("Follow-up rule %s is not valid.", rule.pk)
            broken.add(key)
    default = next(
        (rs for rs in rule_sets.values() if rs.municipality_id is None and rs.name == DEFAULT_RULE_SET),
        None,
    )
    return _Rules(
        rule_sets=rule_sets,
        choices={k: tuple(v) for k, v in choices.items()},
        rules=rules,
        broken=frozenset(broken),
        default=default,
    )


def history_changed_at() -> datetime.datetime | None:
    """The latest change of any rule set, rule, milestone, phase or municipality's choice, by their
    history (one query)."""
    latest = [
        model.history.order_by("-history_date").values_list("history_date", flat=True)[:1]
        for model in (RuleSet, Rule, RuleMilestone, RulePhase, MunicipalityRuleSet)
    ]
    return max(latest[0].union(*latest[1:], all=True), default=None)


def current_rules() -> _Rules:
    """The rules as stored now: from this process's memory when the database's stamps
    (``herning.core.stamps``) are the ones they were read at, otherwise read afresh.

    Kept only when the stamps read before and after loading agree: a change committed while the
    five queries ran gives a new stamp, so rules read across it are used once and not kept. A
    database without stamps (SQLite) reads the rules on every call."""
    global _cached
    found = stamps.read_with_times(*STAMPS, model=Rule)
    before = None if found is None else tuple(stamp for stamp, _at in found)
    cached = _cached
    if before is not None and cached is not None and cached[0] == before:
        return cached[1]
    loaded = _load()
    if found is not None:
        # A stamp not moved since it was installed carries no time. The history cannot change
        # without moving it (a history row is written with the write that fires the stamp), so it
        # is read once here with the rules, not on every request that shows an ``updated_at``.
        loaded = replace(loaded, changed_at=found[0][1] or history_changed_at(), stamped=True)
        if stamps.read(*STAMPS, model=Rule) == before:
            _cached = (before, loaded)
    return loaded


def forget() -> None:
    """Drop the rules kept in memory (tests, to count each test's queries the same way in any order)."""
    global _cached
    _cached = None


class RuleBook:
    """Every rule set and rule, as the engine's plain data: one query when this process already
    holds the rules as stored (``current_rules``), five more when they changed."""

    def __init__(self, day: datetime.date):
        self.day = day
        loaded = current_rules()
        self.rule_sets = loaded.rule_sets
        self.choices = loaded.choices
        self.rules = loaded.rules
        self.broken = loaded.broken
        self._default = loaded.default
        self.changed_at = loaded.changed_at
        self.stamped = loaded.stamped

    def rules_changed_at(self) -> datetime.datetime | None:
        """When any rule last changed: known with the rules where the database keeps stamps,
        otherwise read from the history (``history_changed_at``)."""
        return self.changed_at if self.stamped else history_changed_at()

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
