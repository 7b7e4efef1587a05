"""The evaluation's reads straight from the daily snapshots, as they were before the figures read
the run-length encoded snapshots (``SnapshotRun``, issue 21 point 8): the reference the runs are
checked against (``test_aggregates``). Not used by the product."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)

from evaluation.models import CaseSnapshot
from evaluation.periods import Period
from evaluation.scope import Scope
from evaluation.selectors import (
    CATEGORIES,
    DAYS_PER_YEAR,
    GROUPS,
    FollowUpCounts,
    Placed,
    PriceLevel,
    Spend,
    _case_type_of_snapshot,
)
from measures.models import UnitCost


def snapshots(scope: Scope):
    return CaseSnapshot.objects.for_figures().filter(municipality_id=scope.municipality_id).filter(scope.q())


def _period_of(periods: list[Period], field_name: str = "date") -> Case:
    return Case(
        *[When(**{f"{field_name}__range": (p.start, p.end)}, then=Value(i)) for i, p in enumerate(periods)],
        output_field=IntegerField(),
    )


def _in_periods(periods: list[Period], field_name: str = "date") -> Q:
    q = Q(pk__in=[])
    for p in periods:
        q |= Q(**{f"{field_name}__range": (p.start, p.end)})
    return q


def _price_factor(prices: PriceLevel, periods: list[Period]) -> Case | Value:
    """The factor of the price level by the year of the row's day, in SQL (1 for a year that
    cannot be converted: ``PriceLevel.missing`` names those)."""
    years = sorted({y for p in periods for y in range(p.start.year, p.end.year + 1)})
    whens = [
        When(date__year=y, then=Value(prices.factor(y)))
        for y in years
        if prices.factor(y) not in (None, Decimal(1))
    ]
    one = Value(Decimal(1), output_field=DecimalField(max_digits=20, decimal_places=10))
    if not whens:
        return one
    return Case(*whens, default=one, output_field=DecimalField(max_digits=20, decimal_places=10))


def _unit_cost_on_day(measure_type: str = "measure_type") -> Subquery:
    """The yearly unit cost of the row's measure type valid on the row's day (a price changes
    from its ``valid_from`` on)."""
    return Subquery(
        UnitCost.objects.filter(measure_type=OuterRef(measure_type), valid_from__lte=OuterRef("date"))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef("date")))
        .order_by("-valid_from")
        .values("amount_per_year")[:1],
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def spend(scope: Scope, periods: list[Period], prices: PriceLevel | None = None) -> list[Spend]:
    """Spend per measure type for each (non-overlapping) period, from the measures themselves:
    every measure of a case active on a day, not only its highest, counts that day with its type's
    unit cost valid on the day, divided by 365.

    The days are the case's snapshot days (each case-day once, in the team and district the case
    had that day), joined with the case's measures active on the day: one SQL aggregate, the same
    on PostgreSQL and SQLite.
    """
    result = [Spend(period=p) for p in periods]
    if not periods:
        return result
    prices = prices or PriceLevel()
    active = Q(case__measures__start_date__lte=F("date")) & (
        Q(case__measures__actual_end__isnull=True) | Q(case__measures__actual_end__gte=F("date"))
    )
    cost = _unit_cost_on_day("active_type")
    rows = (
        snapshots(scope)
        .filter(_in_periods(periods))
        # One filter() call: the three conditions are on the same measure.
        .filter(active)
        .annotate(
            period=_period_of(periods),
            active_type=F("case__measures__measure_type"),
            active_category=F("case__measures__measure_type__placement_category"),
        )
        .values("period", "active_type", "active_category")
        .annotate(
            days=Count("id"),
            children=Count("child", distinct=True),
            priced=Count(cost),
            amount=Sum(cost * _price_factor(prices, periods)),
        )
        .order_by()
    )
    for row in rows:
        part, key = result[row["period"]], row["active_type"]
        part.days[key] = row["days"]
        part.children[key] = row["children"]
        part.amount[key] = (row["amount"] or Decimal(0)) / DAYS_PER_YEAR
        part.unpriced_days[key] = row["days"] - row["priced"]
        part.category[key] = row["active_category"]
    return result


def cases_per_step(scope: Scope, days: list[datetime.date]) -> dict[datetime.date, dict[int | None, int]]:
    """Open cases per ladder step number on each of ``days``; ``None`` is under clarification."""
    result: dict[datetime.date, dict[int | None, int]] = {d: defaultdict(int) for d in days}
    rows = (
        snapshots(scope)
        .filter(date__in=days)
        .values("date", "ladder_step__number")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        result[row["date"]][row["ladder_step__number"]] = row["n"]
    return result


def cases_per_team(
    scope: Scope, periods: list[Period], *, by_team: bool = True
) -> dict[tuple[int, int | None], int]:
    """Distinct cases open at some time in each period, per (period index, team id) unless not
    ``by_team``, and for all teams together under team ``None`` (a case that moved team counts
    once there)."""
    if not periods:
        return {}
    base = snapshots(scope).filter(_in_periods(periods)).annotate(period=_period_of(periods))
    result = {}
    if by_team:
        result = {
            (r["period"], r["team"]): r["n"]
            for r in base.values("period", "team").annotate(n=Count("case", distinct=True)).order_by()
        }
    for r in base.values("period").annotate(n=Count("case", distinct=True)).order_by():
        result[(r["period"], None)] = r["n"]
    return result


def placements(
    scope: Scope,
    periods: list[Period],
    prices: PriceLevel | None = None,
    *,
    spent: list[Spend] | None = None,
) -> list[Placed]:
    """Child-days, children and spend per placement category for each (non-overlapping) period.

    Child-days count each placed child once a day, under its highest measure (the snapshot's
    category). Spend is that of every placement measure active on a day (``spend``: the unit cost
    per year valid on the day, divided by 365, summed over the days; KORA Tab. 2.5's spend, Tab.
    2.6's unit cost per child-year), under the measure's own category; ``spent`` is that spend
    when the caller has it already.
    """
    result = [Placed(period=p) for p in periods]
    if not periods:
        return result
    aggregates = {}
    for c in CATEGORIES:
        only = Q(placement_category=c)
        aggregates[f"days_{c}"] = Count("id", filter=only)
        aggregates[f"children_{c}"] = Count("child", distinct=True, filter=only)
    for group, members in GROUPS.items():
        if len(members) > 1:
            aggregates[f"children_{group}"] = Count(
                "child", distinct=True, filter=Q(placement_category__in=members)
            )
    rows = (
        snapshots(scope)
        .filter(_in_periods(periods))
        .exclude(placement_category="")
        .annotate(period=_period_of(periods))
        .values("period")
        .annotate(**aggregates)
        .order_by()
    )
    for row in rows:
        placed = result[row["period"]]
        for c in CATEGORIES:
            placed.days[c] = row[f"days_{c}"]
            placed.children[c] = row[f"children_{c}"]
        for group, members in GROUPS.items():
            placed.children[group] = (
                row[f"children_{group}"] if len(members) > 1 else placed.children[members[0]]
            )
    spent = spent if spent is not None else spend(scope, periods, prices)
    for placed, part in zip(result, spent, strict=True):
        for c in CATEGORIES:
            placed.spend[c] = sum((a for t, a in part.amount.items() if part.category[t] == c), Decimal(0))
        placed.unpriced_days = sum(n for t, n in part.unpriced_days.items() if part.category[t])
    return result


def _count_case_days_and_held(
    result: list[FollowUpCounts], scope: Scope, periods: list[Period], in_scope
) -> None:
    """Case-days per case type and the follow-ups held under the type the case had that day (all,
    and those with a child conversation)."""
    from followups.models import FollowUp, Form

    in_scope = snapshots(scope).filter(_in_periods(periods))  # the daily rows, not the runs passed

    for row in (
        in_scope.annotate(period=_period_of(periods), case_type=_case_type_of_snapshot())
        .exclude(case_type="")
        .values("period", "case_type")
        .annotate(days=Count("id"), cases=Count("case", distinct=True))
        .order_by()
    ):
        counts = result[row["period"]]
        counts.case_days[row["case_type"]] = row["days"]
        counts.cases[row["case_type"]] = row["cases"]

    type_on_day = Subquery(
        snapshots(scope)
        .filter(case=OuterRef("measure__case"), date=OuterRef("held_on"))
        .annotate(case_type=_case_type_of_snapshot())
        .values("case_type")[:1]
    )
    for row in (
        FollowUp.objects.for_figures()
        .filter(_in_periods(periods, "held_on"))
        # A written status received from a provider is no follow-up held (docs/deadlines.md).
        .exclude(form=Form.DOCUMENT)
        .annotate(period=_period_of(periods, "held_on"), case_type=type_on_day)
        .exclude(case_type__isnull=True)
        .exclude(case_type="")
        .values("period", "case_type")
        .annotate(n=Count("pk"), with_conversation=Count("pk", filter=Q(child_conversation_held=True)))
        .order_by()
    ):
        result[row["period"]].held[row["case_type"]] = row["n"]
        result[row["period"]].held_with_conversation[row["case_type"]] = row["with_conversation"]
