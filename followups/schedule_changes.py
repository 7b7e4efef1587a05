"""``updated_at`` of a follow-up of the API (``/api/v1/followups/``, docs/api.md "Changes").

A follow-up there is no stored record: it is one due date of a measure's schedule, computed by the
engine from the measure, the follow-ups held on it (with their later dates and the team leader's
decisions), its approved exceptions, the case's investigations (BL § 95, stk. 2, nr. 1), the
measure type (its name is in the explanation) and the rule in force. Its ``updated_at`` is the
latest change of any of these, and the moment the clock moved its ``status`` (``due`` from the
start of its day, ``overdue`` from the start of the next), whichever is later. Any change of the
follow-up rules (an administrator's edit in the admin, a municipality's choice) counts for every
follow-up, and a rule set taking over on its ``valid_from`` from the start of that day: rules are
edited rarely, and one moment for all keeps the list's queries fixed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Max, Value
from django.utils import timezone

from cases.models import Investigation
from followups import engine
from followups.models import FollowUpException
from followups.rules import RuleBook
from measures.models import MeasureType


def _latest_changes(sources: list[tuple[str, type, str, Iterable]]) -> dict[str, dict]:
    """The latest ``history_date`` per key of each history table in ``sources`` (a name, the
    historical model, the key column, the keys), in one statement: a UNION ALL of one grouped
    read per table. They were three statements on every page of the follow-ups API, each with its
    own round trip (benchmarks/RESULTS.md)."""
    parts = []
    for name, history, key, values in sources:
        values = list(values)
        if values:
            parts.append(
                history.objects.filter(**{f"{key}__in": values})
                .order_by()
                .values(key)
                .annotate(at=Max("history_date"), source=Value(name))
                .values_list("source", key, "at")
            )
    result: dict[str, dict] = {name: {} for name, *_ in sources}
    if parts:
        for name, key, at in parts[0].union(*parts[1:], all=True):
            result[name][key] = at
    return result


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def inputs_changed_at(measures, book: RuleBook) -> dict[int, datetime.datetime | None]:
    """The latest change of what each measure's schedule is computed from, in a fixed number of
    queries whatever the number of measures: one statement for the three histories, and the rule
    book's stamps. A measure carries ``api_updated_at`` (its own changes and those of the
    follow-ups held on it, ``herning.api.feed``)."""
    latest = _latest_changes(
        [
            ("exceptions", FollowUpException.history.model, "measure_id", [m.pk for m in measures]),
            ("investigations", Investigation.history.model, "case_id", {m.case_id for m in measures}),
            ("types", MeasureType.history.model, "id", {m.measure_type_id for m in measures}),
        ]
    )
    exceptions, investigations, types = latest["exceptions"], latest["investigations"], latest["types"]
    # The stamp's moment counts every write to the rules, also one that leaves no history row (a
    # preset updated with QuerySet.update()); the history is read where there are no stamps.
    rules = book.rules_changed_at()
    result = {}
    for measure in measures:
        rule_set = book.rule_set_for(measure.case.municipality_id)
        moments = [
            getattr(measure, "api_updated_at", None),
            exceptions.get(measure.pk),
            investigations.get(measure.case_id),
            types.get(measure.measure_type_id),
            rules,
            start_of(rule_set.valid_from) if rule_set is not None else None,
        ]
        result[measure.pk] = max((m for m in moments if m is not None), default=None)
    return result


def updated_at(inputs: datetime.datetime | None, due: engine.Due, today: datetime.date):
    """The later of the inputs' change and the clock's last move of the item's status."""
    clock = None
    if due.status in (engine.DUE, engine.OVERDUE):
        clock = start_of(
            due.due_date if due.status == engine.DUE else due.due_date + datetime.timedelta(days=1)
        )
    return max((m for m in (inputs, clock) if m is not None), default=None)
