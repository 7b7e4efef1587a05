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

from django.db.models import Max, Value
from django.utils import timezone

from cases.models import Investigation
from followups import engine
from followups.models import FollowUpException
from followups.rules import RuleBook
from herning.core.statements import kept
from measures.models import MeasureType

_HISTORIES = (
    ("exceptions", FollowUpException.history.model, "measure_id"),
    ("investigations", Investigation.history.model, "case_id"),
    ("types", MeasureType.history.model, "id"),
)


def _latest_changes(*, exceptions: list[int], investigations: list[int], types: list[int]) -> dict[str, dict]:
    """The latest ``history_date`` per key of the three histories a schedule is computed from (the
    measures' exceptions, the cases' investigations, the measure types), in one statement: a UNION
    ALL of one grouped read per table. They were three statements on every page of the follow-ups
    API, each with its own round trip (benchmarks/RESULTS.md)."""
    result: dict[str, dict] = {name: {} for name, *_ in _HISTORIES}
    if exceptions or investigations or types:
        rows = _latest_rows(exceptions=exceptions, investigations=investigations, types=types)
        for name, key, at in rows:
            result[name][key] = at
    return result


@kept(bound=("exceptions", "investigations", "types"))
def _latest_rows(**keys: list[int]):
    # Compiled once per process for each combination of lists given and empty (herning.core.statements).
    parts = [
        history.objects.filter(**{f"{key}__in": keys[name]})
        .order_by()
        .values(key)
        .annotate(at=Max("history_date"), source=Value(name))
        .values_list("source", key, "at")
        for name, history, key in _HISTORIES
        if keys[name]
    ]
    return parts[0].union(*parts[1:], all=True)


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def inputs_changed_at(measures, book: RuleBook) -> dict[int, datetime.datetime | None]:
    """The latest change of what each measure's schedule is computed from, in a fixed number of
    queries whatever the number of measures: one statement for the three histories, and the rule
    book's stamps. A measure carries ``api_updated_at`` (its own changes and those of the
    follow-ups held on it, ``herning.api.feed``)."""
    latest = _latest_changes(
        exceptions=[m.pk for m in measures],
        investigations=list({m.case_id for m in measures}),
        types=list({m.measure_type_id for m in measures}),
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
