"""The numbers behind the figures, each one SQL aggregate whatever the number of cases.

Everything here returns plain numbers, before disclosure control (``evaluation.tables``): the
figures module turns them into tables, and the hand-verified test compares them with arithmetic.

Where a count concerns the past it reads the daily snapshots (``CaseSnapshot``) through their
run-length encoding (``SnapshotRun``, issue 21 point 8): the ladder, the child-years, the spend and
the cases a team had. A run is consecutive days on which a case's snapshot said the same, so a
count of snapshot days in a period is the sum of the runs' overlaps with it and a count of distinct
children or cases is one over the runs that overlap it; the same numbers, from a table a hundred
times smaller. Events with a date of their own (movements,
breakdowns) are counted from their records and placed in the team and district the snapshot of
their case had on that date.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.db.models.lookups import GreaterThan, LessThan

from cases.models import Case as ChildCase
from evaluation.models import (
    Complaint,
    FollowUpDue,
    FollowUpDueDay,
    PlacementTarget,
    SdqScore,
    SnapshotDay,
    SnapshotRun,
)
from evaluation.periods import Period
from evaluation.scope import Scope
from measures.models import (
    LadderMovement,
    LadderStep,
    Measure,
    MeasureType,
    PlacementCategory,
    PriceIndex,
    UnitCost,
)

DAYS_PER_YEAR = 365


def child_years(child_days: int) -> Decimal:
    """Child-years (årsbørn): child-days over 365, whatever the period counted. A child placed all
    year counts 1 and one placed half a year 0.5, in a half-year as in the year, so the child-years
    of the parts of a period add up to those of the whole. Every figure of child-years, and every
    figure that divides by them (spend per child-year, breakdowns in % of child-years), counts them
    here."""
    return Decimal(child_days) / DAYS_PER_YEAR


# The placement categories in KORA's order (KORA 2017, Tab. 2.2-2.6), and the groups it sums them into.
CATEGORIES = (
    PlacementCategory.HOME_BASED,
    PlacementCategory.NETWORK_FOSTER,
    PlacementCategory.FOSTER_FAMILY,
    PlacementCategory.SPECIAL_FOSTER,
    PlacementCategory.INSTITUTION,
)
FAMILY_CARE = tuple(c for c in CATEGORIES if c in PlacementCategory.family_care())
GROUPS = {
    "home_based": (PlacementCategory.HOME_BASED,),
    "family_care": FAMILY_CARE,
    "institution": (PlacementCategory.INSTITUTION,),
    "all": CATEGORIES,
}


def coverage(scope: Scope) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day with snapshots in the municipality."""
    span = SnapshotDay.objects.filter(municipality_id=scope.municipality_id).aggregate(
        first=Min("date"), last=Max("date")
    )
    return (span["first"], span["last"]) if span["first"] else None


@dataclass(frozen=True)
class Coverage:
    """How many of the days a figure asks for have snapshots (issue 21 point 2): a day without
    them counts no case at all, so a figure over such a period says so rather than undercount."""

    covered: int
    days: int

    @property
    def missing(self) -> int:
        return self.days - self.covered


def days_covered(
    scope: Scope, spans: list[tuple[datetime.date, datetime.date]], *, today: datetime.date
) -> Coverage:
    """The days of ``spans`` (up to yesterday: today has no snapshot yet) and how many of them have
    snapshots in the municipality, in one query."""
    days: set[datetime.date] = set()
    last = today - datetime.timedelta(days=1)
    for start, end in spans:
        day = start
        while day <= min(end, last):
            days.add(day)
            day += datetime.timedelta(days=1)
    if not days:
        return Coverage(covered=0, days=0)
    taken = SnapshotDay.objects.filter(
        municipality_id=scope.municipality_id, date__range=(min(days), max(days))
    ).values_list("date", flat=True)
    return Coverage(covered=len(days.intersection(taken)), days=len(days))


def runs(scope: Scope) -> QuerySet:
    """The scope's snapshots, run-length encoded (``SnapshotRun``)."""
    return SnapshotRun.objects.for_figures().filter(municipality_id=scope.municipality_id).filter(scope.q())


class _DaysBetween(Func):
    """``end - start + 1`` in days for two dates (an integer on PostgreSQL; SQLite counts Julian
    days): the days of a run inside a period."""

    arg_joiner = " - "
    template = "(%(expressions)s + 1)"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(CAST(julianday(%(expressions)s) AS INTEGER) + 1)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _date(day: datetime.date) -> Value:
    return Value(day, output_field=DateField())


def overlapping(start: datetime.date, end: datetime.date) -> Q:
    """Runs with a day from ``start`` to ``end``."""
    return Q(first_date__lte=end, last_date__gte=start)


def days_in(start: datetime.date, end: datetime.date) -> _DaysBetween:
    """A run's days from ``start`` to ``end`` (only meaningful for a run ``overlapping`` them)."""
    return _DaysBetween(Least("last_date", _date(end)), Greatest("first_date", _date(start)))


def _overlapping_any(periods: list[Period]) -> Q:
    q = Q(pk__in=[])
    for p in periods:
        q |= overlapping(p.start, p.end)
    return q


def ladder_steps() -> list[LadderStep]:
    return list(LadderStep.objects.order_by("number"))


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


# --- The ladder over time (KORA 2017, Fig. 2.1) ------------------------------------------------------


def cases_per_step(scope: Scope, days: list[datetime.date]) -> dict[datetime.date, dict[int | None, int]]:
    """Open cases per ladder step number on each of ``days``; ``None`` is under clarification."""
    result: dict[datetime.date, dict[int | None, int]] = {d: defaultdict(int) for d in days}
    if not days:
        return result
    on_day = {f"d{i}": Count("id", filter=overlapping(d, d)) for i, d in enumerate(days)}
    rows = (
        runs(scope)
        .filter(overlapping(min(days), max(days)))
        .values("ladder_step__number")
        .annotate(**on_day)
        .order_by()
    )
    for row in rows:
        for i, day in enumerate(days):
            if row[f"d{i}"]:
                result[day][row["ladder_step__number"]] = row[f"d{i}"]
    return result


# --- Placed child-years and their spend (KORA 2017, Tab. 2.1-2.3, 2.5, 2.6, 4.1) ---------------------


@dataclass
class Placed:
    """One period's placements: child-days, distinct children and spend per category, and distinct
    children per group (a child who changes category within the period counts once in a group)."""

    period: Period
    days: dict[str, int] = field(default_factory=dict)
    children: dict[str, int] = field(default_factory=dict)
    spend: dict[str, Decimal] = field(default_factory=dict)
    unpriced_days: int = 0

    def group_days(self, key: str) -> int:
        """Child-days of a category or group."""
        return sum(self.days.get(c, 0) for c in GROUPS.get(key, (key,)))

    def child_years(self, key: str) -> Decimal:
        """Child-years (årsbørn) of a category or group (``child_years``: child-days / 365)."""
        return child_years(self.group_days(key))

    def average_placed(self, key: str) -> Decimal:
        """The average number of children placed on a day of the period: child-days over the
        period's days. A figure of its own, not child-years: it does not add up over periods."""
        return Decimal(self.group_days(key)) / Decimal(self.period.days)

    def group_spend(self, key: str) -> Decimal:
        return sum((self.spend.get(c, Decimal(0)) for c in GROUPS.get(key, (key,))), Decimal(0))

    def spend_per_child_year(self, key: str) -> Decimal | None:
        """Spend per placed child-year: the spend over the child-years (child-days / 365)."""
        years = self.child_years(key)
        if not years:
            return None
        return self.group_spend(key) / years


# --- Spend on every active measure, in the prices of a chosen year (issue 21 point 4) -----------------


@dataclass(frozen=True)
class PriceLevel:
    """The prices spend is shown in: those of ``base`` (a year), converted with the price index
    (``measures.models.PriceIndex``): an amount spent in year Y is amount x index(base) / index(Y).
    ``base`` None: each year's own prices (no conversion)."""

    base: int | None = None
    index: dict[int, Decimal] = field(default_factory=dict)

    def factor(self, year: int) -> Decimal | None:
        """What an amount of ``year`` is multiplied by; None when a year has no index value."""
        if self.base is None:
            return Decimal(1)
        if self.base not in self.index or year not in self.index:
            return None
        return self.index[self.base] / self.index[year]

    def missing(self, periods: list[Period]) -> list[int]:
        """The years of ``periods`` whose spend cannot be converted (no index value for them or
        for the base year): their spend stays in their own prices, and the figure says so."""
        if self.base is None:
            return []
        years = sorted({y for p in periods for y in range(p.start.year, p.end.year + 1)})
        return [y for y in years if self.factor(y) is None]


def price_years() -> list[int]:
    """The years with a price index value, which can be chosen as the prices to show spend in."""
    return list(PriceIndex.objects.order_by("year").values_list("year", flat=True))


def price_level(base: int | None) -> PriceLevel:
    if base is None:
        return PriceLevel()
    return PriceLevel(base, dict(PriceIndex.objects.values_list("year", "value")))


@dataclass(frozen=True)
class _Costs:
    """The unit costs of every measure type (``UnitCost``) and the price level, answering what a
    measure-day of a type costs on a day, in the chosen prices."""

    by_type: dict[int, list[UnitCost]]
    prices: PriceLevel

    @classmethod
    def load(cls, prices: PriceLevel) -> _Costs:
        by_type: dict[int, list[UnitCost]] = defaultdict(list)
        for cost in UnitCost.objects.order_by("-valid_from", "pk"):
            by_type[cost.measure_type_id].append(cost)
        return cls(by_type, prices)

    def on(self, measure_type: int, day: datetime.date) -> Decimal | None:
        """The yearly unit cost valid on ``day`` (a price changes from its ``valid_from`` on; of two
        valid the same day, the later ``valid_from``), times the price factor of the day's year
        (1 for a year that cannot be converted: ``PriceLevel.missing`` names those)."""
        for cost in self.by_type.get(measure_type, ()):
            if cost.valid_from <= day and (cost.valid_to is None or cost.valid_to >= day):
                factor = self.prices.factor(day.year)
                return cost.amount_per_year * (factor if factor is not None else Decimal(1))
        return None

    def changes(self, measure_type: int, start: datetime.date, end: datetime.date) -> list[datetime.date]:
        """The days after ``start`` up to ``end`` on which the cost can change: a price starts or
        ends, or a year (with its price factor) begins."""
        days = {datetime.date(y, 1, 1) for y in range(start.year + 1, end.year + 1)}
        for cost in self.by_type.get(measure_type, ()):
            days.add(cost.valid_from)
            if cost.valid_to is not None:
                days.add(cost.valid_to + datetime.timedelta(days=1))
        return sorted(d for d in days if start < d <= end)

    def over(self, measure_type: int, start: datetime.date, end: datetime.date) -> tuple[Decimal, int]:
        """The summed yearly cost of the days from ``start`` to ``end`` (each day its own), and
        how many of those days have a cost."""
        amount, priced = Decimal(0), 0
        bounds = [start, *self.changes(measure_type, start, end), end + datetime.timedelta(days=1)]
        for first, after in itertools.pairwise(bounds):
            cost = self.on(measure_type, first)
            if cost is not None:
                days = (after - first).days
                amount += cost * days
                priced += days
        return amount, priced


@dataclass
class Spend:
    """One period's spend on every measure active on each day, per measure type (by id): the
    measure-days, the distinct children, the spend (each day's unit cost / 365, in the chosen
    prices) and the measure-days without a unit cost."""

    period: Period
    days: dict[int, int] = field(default_factory=dict)
    children: dict[int, int] = field(default_factory=dict)
    amount: dict[int, Decimal] = field(default_factory=dict)
    unpriced_days: dict[int, int] = field(default_factory=dict)
    # The placement category of each type ("" for a measure that is no placement).
    category: dict[int, str] = field(default_factory=dict)


def spend(scope: Scope, periods: list[Period], prices: PriceLevel | None = None) -> list[Spend]:
    """Spend per measure type for each (non-overlapping) period, from the measures themselves:
    every measure of a case active on a day, not only its highest, counts that day with its type's
    unit cost valid on the day, divided by 365.

    The days are the case's snapshot days (each case-day once, in the team and district the case
    had that day, read from the runs), intersected with the case's measures' active days: one
    query for the overlaps, and the unit costs summed over them piecewise, as the prices and the
    price factor change only on given days.
    """
    result = [Spend(period=p) for p in periods]
    if not periods:
        return result
    costs = _Costs.load(prices or PriceLevel())
    rows = (
        runs(scope)
        .filter(_overlapping_any(periods))
        # One filter() call: the conditions are on the same measure.
        .filter(
            Q(case__measures__start_date__lte=F("last_date"))
            & (
                Q(case__measures__actual_end__isnull=True)
                | Q(case__measures__actual_end__gte=F("first_date"))
            )
        )
        .annotate(
            active_type=F("case__measures__measure_type"),
            active_category=F("case__measures__measure_type__placement_category"),
            active_from=Greatest("first_date", "case__measures__start_date"),
            active_to=Least("last_date", Coalesce("case__measures__actual_end", "last_date")),
        )
        .values_list("child_id", "active_type", "active_category", "active_from", "active_to")
        .order_by()
    )
    children: list[dict[int, set]] = [defaultdict(set) for _p in periods]
    for child, key, category, active_from, active_to in rows:
        for part, seen in zip(result, children, strict=True):
            start, end = max(active_from, part.period.start), min(active_to, part.period.end)
            if start > end:
                continue
            amount, priced = costs.over(key, start, end)
            days = (end - start).days + 1
            part.days[key] = part.days.get(key, 0) + days
            part.amount[key] = part.amount.get(key, Decimal(0)) + amount
            part.unpriced_days[key] = part.unpriced_days.get(key, 0) + days - priced
            part.category[key] = category
            seen[key].add(child)
    for part, seen in zip(result, children, strict=True):
        part.children = {key: len(ids) for key, ids in seen.items()}
        part.amount = {key: amount / DAYS_PER_YEAR for key, amount in part.amount.items()}
    return result


def measure_types() -> list[MeasureType]:
    """The catalog, by ladder step (highest first) and name, with the step."""
    return list(MeasureType.objects.select_related("ladder_step").order_by("-ladder_step__number", "name"))


def placed_days(scope: Scope, periods: list[Period]) -> list[Placed]:
    """Child-days and distinct children per placement category for each period (periods may
    overlap: a year and its half-years are counted in one statement), without spend.

    Child-days count each placed child once a day, under its highest measure (the snapshot's
    category), read from the snapshot runs.
    """
    result = [Placed(period=p) for p in periods]
    if not periods:
        return result
    aggregates = {}
    for i, p in enumerate(periods):
        inside = overlapping(p.start, p.end)
        aggregates[f"p{i}"] = Count("id", filter=inside)
        for c in CATEGORIES:
            only = inside & Q(placement_category=c)
            aggregates[f"p{i}_days_{c}"] = Sum(days_in(p.start, p.end), filter=only)
            aggregates[f"p{i}_children_{c}"] = Count("child", distinct=True, filter=only)
        for group, members in GROUPS.items():
            if len(members) > 1:
                aggregates[f"p{i}_children_{group}"] = Count(
                    "child", distinct=True, filter=inside & Q(placement_category__in=members)
                )
    row = runs(scope).filter(_overlapping_any(periods)).exclude(placement_category="").aggregate(**aggregates)
    for i, placed in enumerate(result):
        if not row[f"p{i}"]:
            continue  # no placed child in the period
        for c in CATEGORIES:
            placed.days[c] = row[f"p{i}_days_{c}"] or 0
            placed.children[c] = row[f"p{i}_children_{c}"]
        for group, members in GROUPS.items():
            placed.children[group] = (
                row[f"p{i}_children_{group}"] if len(members) > 1 else placed.children[members[0]]
            )
    return result


def reach_runs(reach: Scope, first: datetime.date, last: datetime.date) -> list[tuple]:
    """The runs of ``reach`` with a day from ``first`` to ``last``, as tuples (case, child, team,
    district, placement category, first day, last day): what ``placed_days_many`` and
    ``cases_per_team_of`` count from."""
    return list(
        runs(reach)
        .filter(first_date__lte=last, last_date__gte=first)
        .values_list(
            "case_id", "child_id", "team_id", "district_id", "placement_category", "first_date", "last_date"
        )
    )


class RunIndex:
    """The rows of ``reach_runs`` indexed by team and by district, and each part of the
    organisation's runs (``runs(scope)`` of a ``scope`` within the reach they were read for) found
    once: a national management page asks for 73 parts, and filtering every row for each took
    most of its time."""

    def __init__(self, rows: list[tuple]) -> None:
        self.rows = rows
        self.by_team: dict[int | None, list[tuple]] = defaultdict(list)
        self.by_district: dict[int | None, list[tuple]] = defaultdict(list)
        for row in rows:
            self.by_team[row[2]].append(row)
            self.by_district[row[3]].append(row)
        self._of: dict[Scope, list[tuple]] = {}

    def of(self, scope: Scope) -> list[tuple]:
        if scope not in self._of:
            if scope.team_ids is not None:
                mine = [r for t in dict.fromkeys(scope.team_ids) for r in self.by_team.get(t, ())]
                if scope.district_ids is not None:
                    mine = [r for r in mine if r[3] in scope.district_ids]
            elif scope.district_ids is not None:
                mine = [r for d in dict.fromkeys(scope.district_ids) for r in self.by_district.get(d, ())]
            else:
                mine = self.rows
            self._of[scope] = mine
        return self._of[scope]


def _indexed(rows: RunIndex | list[tuple]) -> RunIndex:
    return rows if isinstance(rows, RunIndex) else RunIndex(rows)


def placed_days_many(
    reach: Scope,
    wanted: dict[Scope, list[tuple[datetime.date, datetime.date]]],
    rows: RunIndex | list[tuple] | None = None,
) -> dict[Scope, dict[tuple[datetime.date, datetime.date], Placed]]:
    """``placed_days`` for many parts of ``reach`` and periods at once (the related tables of the
    disclosure control: the municipality, its districts and teams, by years and by half-years):
    the reach's runs are read in one statement (or given: ``rows`` from ``reach_runs``, covering
    every period asked) and counted here, where a statement per part and period would spend its
    time compiling a hundred filtered aggregates. The counts are those of ``placed_days``
    (tests/evaluation/test_aggregates.py compares them); a part outside ``reach`` is counted by
    ``placed_days``."""
    result: dict[Scope, dict[tuple[datetime.date, datetime.date], Placed]] = {}
    spans = {span for scope, asked in wanted.items() if scope.within(reach) for span in asked}
    if rows is None:
        rows = reach_runs(reach, min(s for s, _e in spans), max(e for _s, e in spans)) if spans else []
    index = _indexed(rows)
    for scope, asked in wanted.items():
        if not scope.within(reach):
            periods = [Period(start, end, "") for start, end in asked]
            result[scope] = {
                (p.start, p.end): one for p, one in zip(periods, placed_days(scope, periods), strict=True)
            }
            continue
        mine = [r for r in index.of(scope) if r[4]]  # placed: a placement category
        result[scope] = {span: _count_placed(mine, *span) for span in asked}
    return result


def cases_per_team_of(
    scope: Scope, periods: list[Period], rows: RunIndex | list[tuple], *, by_team: bool = True
) -> dict[tuple[int, int | None], int]:
    """``cases_per_team`` counted from ``reach_runs`` rows covering the periods (``scope`` within
    their reach)."""
    mine = _indexed(rows).of(scope)
    result = {}
    for i, p in enumerate(periods):
        inside = [r for r in mine if r[5] <= p.end and r[6] >= p.start]
        if by_team:
            teams: dict[int | None, set] = defaultdict(set)
            for r in inside:
                teams[r[2]].add(r[0])
            result.update({(i, team): len(cases) for team, cases in teams.items()})
        whole = len({r[0] for r in inside})
        if whole:
            result[(i, None)] = whole
    return result


def first_period(periods: list[Period], day: datetime.date) -> int | None:
    """The index of the first period holding ``day`` (as ``_period_of`` assigns an event)."""
    for i, p in enumerate(periods):
        if p.start <= day <= p.end:
            return i
    return None


def breakdown_events(reach: Scope, first: datetime.date, last: datetime.date) -> list[tuple]:
    """The placement breakdowns of ``reach`` from ``first`` to ``last`` as tuples (child, last day,
    team, district on that day): what ``breakdowns_of`` counts from, one statement for every part
    of the organisation."""
    qs = _scoped_events(
        Measure.objects.for_figures()
        .filter(ending_reason=Measure.EndingReason.BREAKDOWN)
        .exclude(measure_type__placement_category="")
        .filter(actual_end__range=(first, last)),
        Scope(reach.municipality_id),
        case="case",
        date="actual_end",
    ).annotate(
        at_team=_at("team_id", case="case", date="actual_end"),
        at_district=_at("district_id", case="case", date="actual_end"),
    )
    return [
        (child, day, team, district)
        for child, day, team, district in qs.values_list(
            "case__child_id", "actual_end", "at_team", "at_district"
        )
        if reach.holds(team, district)
    ]


def breakdowns_of(scope: Scope, periods: list[Period], events: list[tuple]) -> list[tuple[int, int]]:
    """``breakdowns`` counted from ``breakdown_events`` covering the periods."""
    counts = [0 for _ in periods]
    children: list[set] = [set() for _ in periods]
    for child, day, team, district in events:
        if not scope.holds(team, district):
            continue
        i = first_period(periods, day)
        if i is not None:
            counts[i] += 1
            children[i].add(child)
    return [(n, len(c)) for n, c in zip(counts, children, strict=True)]


def complaint_events(reach: Scope, first: datetime.date, last: datetime.date) -> list[tuple]:
    """The complaints of ``reach`` received from ``first`` to ``last`` as tuples (day, team, the
    team's district): what ``complaints_of`` counts from."""
    return list(
        Complaint.objects.for_figures()
        .filter(team__district__municipality_id=reach.municipality_id)
        .filter(reach.q(team="team", district="team__district"))
        .filter(received_on__range=(first, last))
        .values_list("received_on", "team_id", "team__district_id")
    )


def complaints_of(scope: Scope, periods: list[Period], events: list[tuple]) -> dict[tuple[int, int], int]:
    """``complaints`` counted from ``complaint_events`` covering the periods."""
    result: dict[tuple[int, int], int] = defaultdict(int)
    for day, team, district in events:
        if not scope.holds(team, district):
            continue
        i = first_period(periods, day)
        if i is not None:
            result[(i, team)] += 1
    return dict(result)


def steps_by_unit(reach: Scope, days: list[datetime.date]) -> dict[tuple, dict[datetime.date, int]]:
    """Open cases on each of ``days`` per (team, district, ladder step number) of ``reach``: the
    counts of ``cases_per_step`` for every part of the organisation at once, since a case is in one
    team and one district on a day and the counts add up (``cases_per_step_of``)."""
    if not days:
        return {}
    on_day = {f"d{i}": Count("id", filter=overlapping(d, d)) for i, d in enumerate(days)}
    rows = (
        runs(reach)
        .filter(overlapping(min(days), max(days)))
        .values("team", "district", "ladder_step__number")
        .annotate(**on_day)
        .order_by()
    )
    return {
        (row["team"], row["district"], row["ladder_step__number"]): {
            day: row[f"d{i}"] for i, day in enumerate(days) if row[f"d{i}"]
        }
        for row in rows
    }


def cases_per_step_of(
    scope: Scope, days: list[datetime.date], by_unit: dict[tuple, dict[datetime.date, int]]
) -> dict[datetime.date, dict[int | None, int]]:
    """``cases_per_step`` summed from ``steps_by_unit`` (read for the days, ``scope`` within its
    reach)."""
    result: dict[datetime.date, dict[int | None, int]] = {d: defaultdict(int) for d in days}
    for (team, district, step), counts in by_unit.items():
        if not scope.holds(team, district):
            continue
        for day in days:
            if counts.get(day):
                result[day][step] += counts[day]
    return result


def _count_placed(rows: list, start: datetime.date, end: datetime.date) -> Placed:
    """One period's ``Placed`` (without spend) from placed runs, as ``placed_days`` counts it."""
    placed = Placed(period=Period(start, end, ""))
    found = 0
    days: dict[str, int] = defaultdict(int)
    children: dict[str, set] = defaultdict(set)
    for _case, child, _team, _district, category, first, last in rows:
        if first <= end and last >= start:
            found += 1
            days[category] += (min(last, end) - max(first, start)).days + 1
            children[category].add(child)
    if not found:
        return placed  # no placed child in the period
    for c in CATEGORIES:
        placed.days[c] = days.get(c, 0)
        placed.children[c] = len(children.get(c, ()))
    for group, members in GROUPS.items():
        placed.children[group] = (
            len(set().union(*(children.get(c, set()) for c in members)))
            if len(members) > 1
            else placed.children[members[0]]
        )
    return placed


def priced(placed: list[Placed], spent: list[Spend]) -> list[Placed]:
    """The periods' placements with their spend: that of every placement measure active on a day
    (``spend``), under the measure's own category. New objects: ``placed`` is left as it was."""
    result = []
    for one, part in zip(placed, spent, strict=True):
        with_spend = Placed(period=one.period, days=one.days, children=one.children)
        for c in CATEGORIES:
            with_spend.spend[c] = sum(
                (a for t, a in part.amount.items() if part.category[t] == c), Decimal(0)
            )
        with_spend.unpriced_days = sum(n for t, n in part.unpriced_days.items() if part.category[t])
        result.append(with_spend)
    return result


def placements(
    scope: Scope,
    periods: list[Period],
    prices: PriceLevel | None = None,
    *,
    spent: list[Spend] | None = None,
) -> list[Placed]:
    """Child-days, children and spend per placement category for each (non-overlapping) period.

    Child-days as ``placed_days``. Spend is that of every placement measure active on a day
    (``spend``: the unit cost per year valid on the day, divided by 365, summed over the days; KORA
    Tab. 2.5's spend, Tab. 2.6's unit cost per child-year), under the measure's own category;
    ``spent`` is that spend when the caller has it already.
    """
    spent = spent if spent is not None else spend(scope, periods, prices)
    return priced(placed_days(scope, periods), spent)


def targets(scope: Scope, day: datetime.date) -> list[PlacementTarget]:
    """The placement targets valid on ``day``: the municipality's own, or else the shared defaults."""
    valid = (
        PlacementTarget.objects.filter(
            Q(municipality_id=scope.municipality_id) | Q(municipality__isnull=True)
        )
        .filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("name", "-valid_from")
    )
    valid = list(valid)
    own = [t for t in valid if t.municipality_id is not None]
    return own or valid


def target_share(placed: Placed, target: PlacementTarget) -> Decimal | None:
    """The actual share (%) of the target's categories in the period's placed child-days."""
    part = sum(placed.days.get(c, 0) for c in target.categories)
    base_categories = target.base_categories or CATEGORIES
    whole = sum(placed.days.get(c, 0) for c in base_categories)
    if not whole:
        return None
    return Decimal(part) * 100 / Decimal(whole)


# --- Movements on the ladder (KORA 2017, Fig. 4.1, ch. 4) --------------------------------------------


def _at(field_name: str, *, case: str, date: str):
    """The case's team or district on the event's date, as its snapshot has it (its present one
    when the day has no snapshot), read from the case's runs (a few rows, not a row a day)."""
    on_day = (
        SnapshotRun.objects.for_figures()
        .filter(case=OuterRef(case), first_date__lte=OuterRef(date), last_date__gte=OuterRef(date))
        .values(field_name)[:1]
    )
    return Coalesce(Subquery(on_day), F(f"{case}__{field_name}"), output_field=BigIntegerField())


def _scoped_events(qs: QuerySet, scope: Scope, *, case: str, date: str) -> QuerySet:
    qs = qs.filter(**{f"{case}__municipality_id": scope.municipality_id})
    if scope.team_ids is None and scope.district_ids is None:
        return qs
    qs = qs.annotate(
        at_team=_at("team_id", case=case, date=date), at_district=_at("district_id", case=case, date=date)
    )
    return qs.filter(scope.q(team="at_team", district="at_district"))


def movements(
    scope: Scope, start: datetime.date, end: datetime.date
) -> dict[tuple[int | None, int | None], int]:
    """Cases that moved from one step to another between ``start`` and ``end``, per (from, to) step
    number (None: under clarification, so (None, n) is an entry and (n, None) an exit). A case
    moving the same way twice counts once, as in Fig. 4.1."""
    qs = _scoped_events(
        LadderMovement.objects.for_figures().filter(date__range=(start, end)), scope, case="case", date="date"
    )
    rows = (
        qs.values("from_step__number", "to_step__number").annotate(n=Count("case", distinct=True)).order_by()
    )
    return {(r["from_step__number"], r["to_step__number"]): r["n"] for r in rows}


def movement_reasons(
    scope: Scope, start: datetime.date, end: datetime.date
) -> dict[tuple[str, str], tuple[int, int]]:
    """Movements per (reason, kind): (movements, distinct cases). The kinds keep entries and exits
    apart from the moves between steps, as KORA does (Fig. 4.1): "entry" (a case gets a measure
    after none: its first, or again after a pause), "up", "down" (from one step to another) and
    "exit" (its last active measure ended)."""
    up = GreaterThan(Coalesce("to_step__number", 0), Coalesce("from_step__number", 0))
    down = LessThan(Coalesce("to_step__number", 0), Coalesce("from_step__number", 0))
    qs = _scoped_events(
        LadderMovement.objects.for_figures().filter(date__range=(start, end)), scope, case="case", date="date"
    )
    rows = (
        qs.annotate(
            direction=Case(
                When(from_step__isnull=True, then=Value("entry")),
                When(to_step__isnull=True, then=Value("exit")),
                When(up, then=Value("up")),
                When(down, then=Value("down")),
                default=Value("same"),
            )
        )
        .values("reason", "direction")
        .annotate(n=Count("id"), cases=Count("case", distinct=True))
        .order_by()
    )
    return {(r["reason"], r["direction"]): (r["n"], r["cases"]) for r in rows}


# --- Quality: breakdowns and complaints (KORA 2017, Tab. 3.1, 3.2) -----------------------------------


def breakdowns(scope: Scope, periods: list[Period]) -> list[tuple[int, int]]:
    """Placement breakdowns (Ankestyrelsen's definition: the child leaves, or the placement gives
    up the child) per period: (breakdowns, distinct children), dated by the placement's last day."""
    result = [(0, 0) for _ in periods]
    if not periods:
        return result
    qs = _scoped_events(
        Measure.objects.for_figures()
        .filter(ending_reason=Measure.EndingReason.BREAKDOWN)
        .exclude(measure_type__placement_category="")
        .filter(_in_periods(periods, "actual_end")),
        scope,
        case="case",
        date="actual_end",
    )
    rows = (
        qs.annotate(period=_period_of(periods, "actual_end"))
        .values("period")
        .annotate(n=Count("id"), children=Count("case__child", distinct=True))
        .order_by()
    )
    for row in rows:
        result[row["period"]] = (row["n"], row["children"])
    return result


def complaints(scope: Scope, periods: list[Period]) -> dict[tuple[int, int], int]:
    """Complaints received per (period index, team id)."""
    if not periods:
        return {}
    rows = (
        Complaint.objects.for_figures()
        .filter(team__district__municipality_id=scope.municipality_id)
        .filter(scope.q(team="team", district="team__district"))
        .filter(_in_periods(periods, "received_on"))
        .annotate(period=_period_of(periods, "received_on"))
        .values("period", "team")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["period"], r["team"]): r["n"] for r in rows}


def cases_per_team(
    scope: Scope, periods: list[Period], *, by_team: bool = True
) -> dict[tuple[int, int | None], int]:
    """Distinct cases open at some time in each period, per (period index, team id) unless not
    ``by_team``, and for all teams together under team ``None`` (a case that moved team counts
    once there)."""
    if not periods:
        return {}
    base = runs(scope).filter(_overlapping_any(periods))
    counts = {
        f"p{i}": Count("case", distinct=True, filter=overlapping(p.start, p.end))
        for i, p in enumerate(periods)
    }
    result = {}
    if by_team:
        for row in base.values("team").annotate(**counts).order_by():
            result.update({(i, row["team"]): row[f"p{i}"] for i in range(len(periods)) if row[f"p{i}"]})
    whole = base.aggregate(**counts)
    result.update({(i, None): whole[f"p{i}"] for i in range(len(periods)) if whole[f"p{i}"]})
    return result


# --- Well-being: SDQ before and after (KORA 2017, Tab. 3.3) ------------------------------------------

SDQ_SCALES = ("total", *SdqScore.SUBSCALE_FIELDS)


@dataclass
class SdqPair:
    child_id: int
    before: dict
    after: dict


def sdq_pairs(scope: Scope, *, informant: str, before: Period, after: Period) -> list[SdqPair]:
    """For each child in scope with a score from ``informant`` in both windows: the first score of
    the ``before`` window and the last of the ``after`` window."""
    qs = (
        SdqScore.objects.for_figures()
        .filter(child__municipality_id=scope.municipality_id, informant=informant)
        .filter(
            Q(assessed_on__range=(before.start, before.end)) | Q(assessed_on__range=(after.start, after.end))
        )
    )
    if scope.team_ids is not None or scope.district_ids is not None:
        qs = qs.filter(Exists(ChildCase.objects.filter(child=OuterRef("child")).filter(scope.q())))
    firsts: dict[int, dict] = {}
    lasts: dict[int, dict] = {}
    for row in qs.values("child_id", "assessed_on", *SDQ_SCALES).order_by("assessed_on", "pk"):
        if row["assessed_on"] in before:
            firsts.setdefault(row["child_id"], row)
        if row["assessed_on"] in after:
            lasts[row["child_id"]] = row
    return [SdqPair(child, firsts[child], lasts[child]) for child in sorted(firsts.keys() & lasts.keys())]


def unit_costs() -> QuerySet:
    return UnitCost.objects.select_related("measure_type", "measure_type__ladder_step").order_by(
        "-measure_type__ladder_step__number", "measure_type__name", "valid_from"
    )


# --- Follow-ups per case and half-year (KORA 2017, Fig. 2.2) -------------------------------------------

# KORA's case types for follow-up (Fig. 2.2): where a case's highest active measure puts it.
CASE_TYPES = ("institution", "foster_family", "home_based", "preventive")


def _case_type_of_snapshot() -> Case:
    return Case(
        When(placement_category=PlacementCategory.INSTITUTION, then=Value("institution")),
        When(placement_category__in=FAMILY_CARE, then=Value("foster_family")),
        When(placement_category=PlacementCategory.HOME_BASED, then=Value("home_based")),
        When(measure_type__isnull=False, then=Value("preventive")),
        default=Value(""),
    )


def case_type_of_category(category: str) -> str:
    """The case type a measure of ``category`` gives (a measure that is no placement: preventive)."""
    if category == PlacementCategory.INSTITUTION:
        return "institution"
    if category in FAMILY_CARE:
        return "foster_family"
    if category == PlacementCategory.HOME_BASED:
        return "home_based"
    return "preventive"


@dataclass
class FollowUpCounts:
    """One half-year's follow-ups per case type: case-days and cases (the denominators), the
    follow-ups held, and what the municipality's rule and the law asked for in the half-year, with
    how many of those were held on time."""

    period: Period
    case_days: dict[str, int] = field(default_factory=dict)
    cases: dict[str, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)
    # KORA's definition (Fig. 2.2): follow-ups held with a child conversation (børnesamtale).
    held_with_conversation: dict[str, int] = field(default_factory=dict)
    due_municipal: dict[str, int] = field(default_factory=dict)
    on_time_municipal: dict[str, int] = field(default_factory=dict)
    due_statutory: dict[str, int] = field(default_factory=dict)
    on_time_statutory: dict[str, int] = field(default_factory=dict)
    # When the follow-ups due were computed, if read from the nightly run's (``FollowUpDue``);
    # None when computed now.
    computed_at: datetime.datetime | None = None

    def case_half_years(self, case_type: str) -> Decimal:
        """Cases counted in half-years: a case of the type for the whole half-year counts 1."""
        return Decimal(self.case_days.get(case_type, 0)) / Decimal(self.period.days)

    def per_case(self, counts: dict[str, int], case_type: str) -> Decimal | None:
        years = self.case_half_years(case_type)
        return None if not years else Decimal(counts.get(case_type, 0)) / years


def _count_case_days_and_held(
    result: list[FollowUpCounts], scope: Scope, periods: list[Period], in_scope
) -> None:
    """Case-days per case type and the follow-ups held under the type the case had that day (all,
    and those with a child conversation)."""
    from followups.models import FollowUp, Form

    counts = {}
    for i, p in enumerate(periods):
        inside = overlapping(p.start, p.end)
        counts[f"p{i}_days"] = Sum(days_in(p.start, p.end), filter=inside)
        counts[f"p{i}_cases"] = Count("case", distinct=True, filter=inside)
    for row in (
        in_scope.annotate(case_type=_case_type_of_snapshot())
        .exclude(case_type="")
        .values("case_type")
        .annotate(**counts)
        .order_by()
    ):
        for i, part in enumerate(result):
            if row[f"p{i}_days"]:
                part.case_days[row["case_type"]] = row[f"p{i}_days"]
                part.cases[row["case_type"]] = row[f"p{i}_cases"]

    # The type on the day held, looked up in the case's runs: a follow-up outside every run of
    # the scope (no snapshot that day, another team) is not counted.
    case_runs: dict[int, list[tuple]] = defaultdict(list)
    for case, first, last, category, measure_type in in_scope.values_list(
        "case_id", "first_date", "last_date", "placement_category", "measure_type_id"
    ).order_by():
        case_runs[case].append((first, last, category, measure_type))
    for case, held_on, conversation in (
        FollowUp.objects.for_figures()
        # A case's snapshots are in its own municipality (a case never changes municipality):
        # the others' follow-ups need not be looked at.
        .filter(measure__case__municipality_id=scope.municipality_id)
        .filter(_in_periods(periods, "held_on"))
        # A written status received from a provider is no follow-up held (docs/deadlines.md).
        .exclude(form=Form.DOCUMENT)
        .values_list("measure__case_id", "held_on", "child_conversation_held")
        .order_by()
    ):
        run = next((r for r in case_runs.get(case, ()) if r[0] <= held_on <= r[1]), None)
        case_type = _case_type_of_run(run[2], run[3]) if run else ""
        if not case_type:
            continue
        part = next(p for p in result if held_on in p.period)
        part.held[case_type] = part.held.get(case_type, 0) + 1
        part.held_with_conversation[case_type] = part.held_with_conversation.get(case_type, 0) + conversation


def _case_type_of_run(category: str, measure_type: int | None) -> str:
    """The case type of a run (``_case_type_of_snapshot`` in Python): none without a measure."""
    return case_type_of_category(category) if measure_type is not None else ""


def followups_per_half_year(
    scope: Scope, periods: list[Period], *, today: datetime.date
) -> list[FollowUpCounts]:
    """For each half-year: case-days and follow-ups held per case type (a follow-up counts under
    the type its case had on the day it was held, from the snapshots), and the follow-ups due under
    the municipality's rule and under the law (SEL § 70 / BL § 95), with the share held on time.

    What was due comes from the follow-up engine over each measure's own follow-ups, so it follows
    the rule in force and the dates actually held (the next date counts from the last one held);
    those are counted under the measure's own type. Only dates up to ``today`` count as due. When
    the periods end by ``today`` and the nightly run computed them for that day (``FollowUpDue``,
    issue 21 point 8), they are read from there, and ``computed_at`` says when: a follow-up
    recorded since then counts from the next night.
    """
    result = [FollowUpCounts(period=p) for p in periods]
    if not periods:
        return result
    first, last = periods[0].start, periods[-1].end
    in_scope = runs(scope).filter(_overlapping_any(periods))
    _count_case_days_and_held(result, scope, periods, in_scope)

    # The nightly rows serve any range that ends by the night they were computed for: a due date
    # up to ``last`` and whether it was held on time (held by that date) do not depend on the
    # follow-ups held after ``last``, so they are what the engine gives with the follow-ups held up
    # to ``last`` (tests/evaluation/test_aggregates.py compares both for an earlier range).
    computed = FollowUpDueDay.objects.filter(municipality_id=scope.municipality_id, as_of=today).first()
    if computed is not None and last <= today:
        _count_due_computed(result, scope, periods, in_scope, first=first, last=last)
        for counts in result:
            counts.computed_at = computed.computed_at
        return result
    measures = list(
        Measure.objects.for_figures()
        .filter(case__municipality_id=scope.municipality_id)
        .filter(start_date__lte=last)
        .filter(Q(actual_end__isnull=True) | Q(actual_end__gte=first))
        .filter(Exists(in_scope.filter(case=OuterRef("case"))))
        .select_related("measure_type", "legal_basis")
        .order_by()
    )
    for _measure, due_date, kind, on_time, case_type in due_items(
        scope.municipality_id, measures, last=last, today=today
    ):
        if due_date < first:
            continue
        counts = next(c for c in result if due_date in c.period)
        due, held_on_time = (
            (counts.due_municipal, counts.on_time_municipal)
            if kind == "municipal"
            else (counts.due_statutory, counts.on_time_statutory)
        )
        due[case_type] = due.get(case_type, 0) + 1
        if on_time:
            held_on_time[case_type] = held_on_time.get(case_type, 0) + 1
    return result


def due_items(municipality_id: int, measures: list[Measure], *, last: datetime.date, today: datetime.date):
    """The follow-ups due for ``measures`` (with their types and legal bases) up to ``last`` (and
    ``today``), as the follow-up engine computes them from each measure's rule and the follow-ups
    held up to ``last``: (measure, due date, "municipal" or "statutory", held on time, the case type
    of the measure's own type). Supervision visits (§ 156) are left out."""
    from followups import engine
    from followups.models import FollowUp
    from followups.presets import legal_context_of
    from followups.rules import BrokenRule, RuleBook

    held: dict[int, list] = defaultdict(list)
    for f in (
        FollowUp.objects.for_figures()
        .filter(measure__in=[m.pk for m in measures], held_on__lte=last)
        .select_related("later_decided_by")
        .order_by()
    ):
        held[f.measure_id].append(f.to_engine())
    book = RuleBook(today)
    horizon = min(last, today)
    for measure in measures:
        try:
            rule = book.rule_for(municipality_id, measure.measure_type_id, measure.start_date)
        except BrokenRule:
            rule = None
        items = engine.schedule(
            rule=rule,
            start=measure.start_date,
            held=held[measure.pk],
            today=today,
            measure=(measure.measure_type.name, measure.measure_type.name_en or measure.measure_type.name),
            legal=legal_context_of(measure),
            end=measure.actual_end,
            until=horizon,
            explain_held=False,
        ).items
        case_type = case_type_of_category(measure.measure_type.placement_category)
        for item in items:
            if item.due_date > horizon or item.obligation == engine.SUPERVISION:
                continue
            kind = "municipal" if item.kind == engine.MUNICIPAL else "statutory"
            yield measure, item.due_date, kind, item.on_time, case_type


def _count_due_computed(
    result: list[FollowUpCounts], scope: Scope, periods: list[Period], in_scope, *, first, last
) -> None:
    """The follow-ups due per half-year from those the nightly run computed (``FollowUpDue``), for
    the same measures the engine would be asked about: active in the periods, of a case in scope."""
    rows = (
        FollowUpDue.objects.for_figures()
        .filter(municipality_id=scope.municipality_id, due_date__range=(first, last))
        .filter(measure__start_date__lte=last)
        .filter(Q(measure__actual_end__isnull=True) | Q(measure__actual_end__gte=first))
        .filter(Exists(in_scope.filter(case=OuterRef("case"))))
        .annotate(period=_period_of(periods, "due_date"))
        .values("period", "kind", "case_type")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(on_time=True)))
        .order_by()
    )
    for row in rows:
        if row["period"] is None:
            continue
        counts = result[row["period"]]
        due, on_time = (
            (counts.due_municipal, counts.on_time_municipal)
            if row["kind"] == "municipal"
            else (counts.due_statutory, counts.on_time_statutory)
        )
        due[row["case_type"]] = row["n"]
        if row["on_time"]:
            on_time[row["case_type"]] = row["on_time"]
