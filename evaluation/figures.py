"""The evaluation figures, each a table (with disclosure control) and, where it helps, a chart.

One function per figure, named after what it shows, taking a ``FigureContext`` (the scope and the
periods) and returning a ``Figure``. The pages and the exports call the same functions
(``FIGURES``), so a table downloaded is the table shown. A new figure is one more function and one
more entry in ``FIGURES`` and ``SECTIONS``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from functools import cached_property

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation import disclosure, palette, selectors
from evaluation.charts import Chart, Series, bar_chart, line_chart
from evaluation.models import PlacementTarget, SdqScore
from evaluation.periods import Period, clip, month_ends, periods_between, rolling_years
from evaluation.scope import Scope, teams_in, unit_of
from evaluation.stats import SMALL_GROUP, fisher_exact, paired, two_rates
from evaluation.tables import (
    MIN_CHILDREN,
    Cell,
    Row,
    Table,
    change,
    number,
    protect,
    relative_change,
    share,
    text,
)
from measures.models import LadderMovement, PlacementCategory


@dataclass
class Figure:
    key: str
    title: str
    source: str
    table: Table
    chart: Chart | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class FigureContext:
    """What a page's figures are computed for: a scope, the days with snapshots (``first`` to
    ``last``), the chosen range within them and its periods."""

    scope: Scope
    first: datetime.date
    last: datetime.date
    start: datetime.date
    end: datetime.date
    periods: list[Period]
    extra: dict = field(default_factory=dict)
    # The prices spend is shown in (issue 21 point 4): each year's own unless a base year is chosen.
    prices: selectors.PriceLevel = field(default_factory=selectors.PriceLevel)
    # The widest scope the person may see and the page's choices (year_from, year_to, granularity,
    # price_year): what the related tables of the disclosure control are computed for (``compute``).
    reach: Scope | None = None
    choice: dict = field(default_factory=dict)
    # The part of the organisation the cells are keyed by (``scope.unit_of`` unless set).
    unit_key: tuple | None = None
    # Shared by the contexts of one disclosure solve (``_related``): what they count from the
    # snapshot runs, breakdowns and complaints, read once for all of them.
    batch: RelatedCounts | None = None

    @classmethod
    def for_years(
        cls,
        scope: Scope,
        coverage,
        *,
        year_from: int,
        year_to: int,
        granularity: str,
        price_year: int | None = None,
        reach: Scope | None = None,
        prices: selectors.PriceLevel | None = None,
    ):
        """``prices``, when given, is ``price_year``'s price level read already."""
        first, last = coverage
        start, end = max(first, datetime.date(year_from, 1, 1)), min(last, datetime.date(year_to, 12, 31))
        if granularity == "rolling":
            # Twelve months back from the last day with data (in the years chosen); the oldest
            # may reach back before the first year chosen.
            unclipped = rolling_years(end, start)
        else:
            unclipped = periods_between(year_from, year_to, granularity=granularity)
        periods = [p for p in (clip(p, first, last) for p in unclipped) if p is not None]
        if periods:
            start = min(start, periods[0].start)
        return cls(
            scope=scope,
            first=first,
            last=last,
            start=start,
            end=end,
            periods=periods,
            prices=prices if prices is not None else selectors.price_level(price_year),
            reach=reach,
            choice={
                "year_from": year_from,
                "year_to": year_to,
                "granularity": granularity,
                "price_year": price_year,
            },
        )

    @property
    def unit(self) -> tuple:
        return self.unit_key or unit_of(self.scope)

    def key(self, measure: str, *what, period: Period | datetime.date) -> tuple:
        """The key of a cell that another table can show, or a sum of (``Cell.key``)."""
        span = (period.start, period.end) if isinstance(period, Period) else period
        return (measure, *what, self.unit, span)

    @cached_property
    def steps(self):
        return self.batch.steps if self.batch is not None else selectors.ladder_steps()

    @cached_property
    def placed_days(self) -> list[selectors.Placed]:
        """Child-days and children per period, without spend (what every figure but spend needs)."""
        if self.batch is not None:
            return self.batch.get(self.scope, self.periods)
        return selectors.placed_days(self.scope, self.periods)

    @cached_property
    def placed(self) -> list[selectors.Placed]:
        """Child-days, children and spend per period."""
        return selectors.priced(self.placed_days, self.spent)

    @cached_property
    def spent(self) -> list[selectors.Spend]:
        return selectors.spend(self.scope, self.periods, self.prices)


class RelatedCounts:
    """What the contexts of one disclosure solve count, counted together: the runs, breakdowns and
    complaints of the person's reach read once for every period any of the contexts asks about
    (the cases on each ladder step once per day asked, per team and district), and each part of
    the organisation's child-days, cases per team, breakdowns, complaints and cases per step
    counted from them (``selectors.placed_days_many``, ``cases_per_team_of``, ``breakdowns_of``,
    ``complaints_of``, ``cases_per_step_of``), instead of statements per context and part. The
    counts are each context's own (tests/evaluation/test_aggregates.py compares them)."""

    def __init__(self, reach: Scope) -> None:
        self.reach = reach
        self.wanted: dict[Scope, set[tuple[datetime.date, datetime.date]]] = {}
        self.counted: dict[Scope, dict[tuple[datetime.date, datetime.date], selectors.Placed]] = {}
        self._read: dict[str, tuple] = {}
        self._steps: dict[tuple, dict[datetime.date, int]] = {}
        self._step_days: set[datetime.date] = set()

    def want(self, scope: Scope, periods: list[Period]) -> None:
        self.wanted.setdefault(scope, set()).update((p.start, p.end) for p in periods)

    @cached_property
    def steps(self):
        """The ladder's steps, read once for every context."""
        return selectors.ladder_steps()

    @cached_property
    def _teams(self) -> list:
        return list(teams_in(self.reach))

    def teams(self, scope: Scope) -> list:
        """``teams_in(scope)``, from the reach's teams read once."""
        if not scope.within(self.reach):
            return list(teams_in(scope))
        return [t for t in self._teams if scope.team_ids is None or t.pk in scope.team_ids]

    def rows(self) -> selectors.RunIndex:
        """The reach's runs over every period wanted so far, indexed by team and district."""
        return self._events(
            "runs", lambda reach, first, last: selectors.RunIndex(selectors.reach_runs(reach, first, last))
        )

    def get(self, scope: Scope, periods: list[Period]) -> list[selectors.Placed]:
        self.want(scope, periods)
        missing = {
            s: sorted(spans - self.counted.get(s, {}).keys())
            for s, spans in self.wanted.items()
            if spans - self.counted.get(s, {}).keys()
        }
        if missing:
            for s, done in selectors.placed_days_many(self.reach, missing, self.rows()).items():
                self.counted.setdefault(s, {}).update(done)
        done = self.counted[scope]
        # The caller's own periods (their labels), with the counts shared.
        return [
            selectors.Placed(
                period=p, days=done[(p.start, p.end)].days, children=done[(p.start, p.end)].children
            )
            for p in periods
        ]

    def cases_per_team(self, scope: Scope, periods: list[Period]) -> dict[tuple[int, int | None], int]:
        if not scope.within(self.reach):
            return selectors.cases_per_team(scope, periods)
        self.want(scope, periods)
        return selectors.cases_per_team_of(scope, periods, self.rows())

    def _events(self, name: str, read):
        """``read(reach, first, last)`` over every period wanted so far, kept as ``name`` (read
        again only when that range grows)."""
        spans = [span for spans in self.wanted.values() for span in spans]  # asked for before
        needed = (min(s for s, _e in spans), max(e for _s, e in spans))
        span, events = self._read.get(name, (None, None))
        if span is None or needed[0] < span[0] or needed[1] > span[1]:
            events = read(self.reach, *needed)
            self._read[name] = (needed, events)
        return events

    def breakdowns(self, scope: Scope, periods: list[Period]) -> list[tuple[int, int]]:
        if not periods or not scope.within(self.reach):
            return selectors.breakdowns(scope, periods)
        self.want(scope, periods)
        return selectors.breakdowns_of(scope, periods, self._events("breakdowns", selectors.breakdown_events))

    def complaints(self, scope: Scope, periods: list[Period]) -> dict[tuple[int, int], int]:
        if not periods or not scope.within(self.reach):
            return selectors.complaints(scope, periods)
        self.want(scope, periods)
        return selectors.complaints_of(scope, periods, self._events("complaints", selectors.complaint_events))

    def cases_per_step(
        self, scope: Scope, days: list[datetime.date]
    ) -> dict[datetime.date, dict[int | None, int]]:
        if not days or not scope.within(self.reach):
            return selectors.cases_per_step(scope, days)
        missing = sorted(set(days) - self._step_days)
        if missing:
            for unit, counts in selectors.steps_by_unit(self.reach, missing).items():
                self._steps.setdefault(unit, {}).update(counts)
            self._step_days.update(missing)
        return selectors.cases_per_step_of(scope, days, self._steps)


STEP_NONE_LABEL = gettext_lazy("Under afklaring")
CATEGORY_ROWS = [
    # key, label, level, is a total
    ("home_based", gettext_lazy("Hjemmebaserede anbringelser"), 0, False),
    ("family_care", gettext_lazy("Familiepleje i alt"), 0, True),
    (PlacementCategory.NETWORK_FOSTER, gettext_lazy("Netværkspleje"), 1, False),
    (PlacementCategory.FOSTER_FAMILY, gettext_lazy("Almindelig plejefamilie"), 1, False),
    (PlacementCategory.SPECIAL_FOSTER, gettext_lazy("Særlig plejefamilie"), 1, False),
    ("institution", gettext_lazy("Institution (døgninstitution, opholdssted, sikret)"), 0, False),
    ("all", gettext_lazy("Anbragte i alt"), 0, True),
]
# The sums shown in the category tables: the total of all placed, and family care.
CATEGORY_SUMS = [
    ("all", ["home_based", "family_care", "institution"]),
    ("family_care", list(selectors.FAMILY_CARE)),
]
GROUP_SERIES = [
    ("home_based", gettext_lazy("Hjemmebaseret")),
    ("family_care", gettext_lazy("Familiepleje")),
    ("institution", gettext_lazy("Institution")),
]


# The axis titles the charts share (issue 21, point 7: every chart names its values and their unit).
CASES_AXIS = gettext_lazy("Antal sager")
STEP_AXIS = gettext_lazy("Trin på indsatstrappen")
PERIOD_AXIS = gettext_lazy("Periode")
HALF_YEAR_AXIS = gettext_lazy("Halvår")
FOLLOWUPS_AXIS = gettext_lazy("Opfølgninger pr. sag")


def _span(period: Period) -> tuple[datetime.date, datetime.date]:
    return (period.start, period.end)


def _month_label(day: datetime.date) -> str:
    return formats.date_format(day, "M Y")


def _step_label(step) -> str:
    return str(step) if step is not None else str(STEP_NONE_LABEL)


def _period_note(periods: list[Period]) -> list[str]:
    partial = [p.label for p in periods if p.partial]
    if not partial:
        return []
    return [
        _("Perioder, som data kun dækker en del af, er opgjort for de dage, der er data for: %(periods)s.")
        % {"periods": ", ".join(partial)}
    ]


def _kr(ctx: FigureContext) -> str:
    """The unit of an amount: kr., in the prices of the chosen year where one is chosen."""
    if ctx.prices.base is None:
        return _("kr.")
    return _("kr., %(year)s-priser") % {"year": ctx.prices.base}


def _thousands(ctx: FigureContext) -> str:
    """The y-axis title of a chart of amounts drawn in thousands: "1.000 kr." (in a year's prices)."""
    return _("1.000 %(unit)s") % {"unit": _kr(ctx)}


def _price_notes(ctx: FigureContext) -> list[str]:
    """What prices the amounts are in, and the years that could not be converted."""
    if ctx.prices.base is None:
        return [_("Beløbene er i løbende priser: hver dag er regnet med den enhedspris, der gjaldt den dag.")]
    notes = [
        _(
            "Beløbene er i %(year)s-priser: et beløb fra et andet år er ganget med prisindekset for "
            "%(year)s og delt med prisindekset for det år, det blev brugt. Prisindekset kan ændres af "
            "en administrator."
        )
        % {"year": ctx.prices.base}
    ]
    missing = ctx.prices.missing(ctx.periods)
    if missing:
        notes.append(
            _("Der mangler et prisindeks for %(years)s: beløbene for de år er i løbende priser.")
            % {"years": ", ".join(str(y) for y in missing)}
        )
    return notes


# --- The ladder -------------------------------------------------------------------------------


def ladder_over_time(ctx: FigureContext) -> Figure:
    """Open cases per ladder step at the end of each month (KORA Fig. 2.1)."""
    days = month_ends(ctx.start, ctx.end)
    counts = (ctx.batch or selectors).cases_per_step(ctx.scope, days)
    keys = [None, *[s.number for s in ctx.steps]]
    columns = [str(STEP_NONE_LABEL), *[str(s) for s in ctx.steps], _("I alt")]
    rows, sums, cells = [], [], []
    for day in days:
        parts = [
            Cell(counts[day].get(k, 0), n=counts[day].get(k, 0), key=ctx.key("on_step", k, period=day))
            for k in keys
        ]
        total = Cell(
            sum(p.value for p in parts), n=sum(p.value for p in parts), key=ctx.key("on_day", period=day)
        )
        rows.append(Row(_month_label(day), [*parts, total]))
        sums.append((total, parts))
        cells += [*parts, total]
    protect(cells, sums)
    table = Table(
        title=_("Sager på indsatstrappens trin ved udgangen af hver måned"),
        row_header=_("Måned"),
        columns=columns,
        rows=rows,
        notes=[
            _(
                "Hver sag tæller på det højeste trin blandt dens aktive indsatser. Sager uden aktiv indsats "
                "(under afklaring eller undersøgelse) er en serie for sig. Den løbende måned tælles på den "
                "seneste dag med data."
            )
        ],
    )
    chart = line_chart(
        title=table.title,
        x_labels=[r.label for r in rows],
        series=[
            Series(label, [r.cells[i].number for r in rows], key=palette.step(key))
            for i, (key, label) in enumerate(zip(keys, columns[:-1], strict=True))
        ],
        y_title=str(CASES_AXIS),
        x_title=_("Måned (optalt ved månedens udgang)"),
    )
    return Figure("trappe", table.title, _("Som KORA Figur 2.1"), table, chart)


def ladder_now(ctx: FigureContext) -> Figure:
    """Open cases per step on the last day with data."""
    day = ctx.end
    counts = (ctx.batch or selectors).cases_per_step(ctx.scope, [day])[day]
    keys = [None, *[s.number for s in ctx.steps]]
    labels = [str(STEP_NONE_LABEL), *[str(s) for s in ctx.steps]]
    parts = [Cell(counts.get(k, 0), n=counts.get(k, 0), key=ctx.key("on_step", k, period=day)) for k in keys]
    total = Cell(
        sum(p.value for p in parts), n=sum(p.value for p in parts), key=ctx.key("on_day", period=day)
    )
    protect([*parts, total], [(total, parts)])
    rows = [Row(label, [cell, share(cell, total)]) for label, cell in zip(labels, parts, strict=True)]
    rows.append(Row(_("I alt"), [total, share(total, total)], total=True))
    title = _("Sager på indsatstrappen %(date)s") % {"date": formats.date_format(day, "SHORT_DATE_FORMAT")}
    table = Table(title=title, row_header=_("Trin"), columns=[_("Sager"), _("Andel")], rows=rows)
    chart = bar_chart(
        title=title,
        x_labels=[str(STEP_NONE_LABEL)] + [str(s.number) for s in ctx.steps],
        series=[Series(_("Sager"), [p.number for p in parts], keys=[palette.step(k) for k in keys])],
        y_title=str(CASES_AXIS),
        x_title=str(STEP_AXIS),
    )
    return Figure("trappe-nu", title, _("Som KORA Figur 2.1, på én dag"), table, chart)


ENTRY_LABEL = gettext_lazy("Ind på trappen (fra ingen indsats)")
EXIT_LABEL = gettext_lazy("Ud af trappen (ingen indsats)")
# The kinds of movement, in the order of the reasons table's columns (selectors.movement_reasons).
MOVEMENT_KINDS = (
    ("entry", gettext_lazy("Ind på trappen")),
    ("up", gettext_lazy("Op ad trappen")),
    ("down", gettext_lazy("Ned ad trappen")),
    ("exit", gettext_lazy("Ud af trappen")),
)
MOVEMENT_KINDS_NOTE = gettext_lazy(
    "Ind på trappen: sagen får en indsats efter ingen (den første, eller igen efter en pause). Ud af "
    "trappen: sagens sidste aktive indsats er afsluttet. Op og ned: fra ét trin til et andet."
)


def movement_matrix(ctx: FigureContext) -> Figure:
    """Cases that moved from one step to another (KORA Fig. 4.1), with the entries onto the ladder
    (a last row) and the exits from it (a last column) apart from the moves between steps."""
    moved = selectors.movements(ctx.scope, ctx.start, ctx.end)
    numbers = [s.number for s in ctx.steps]
    labels = [str(s) for s in ctx.steps]
    rows, cells = [], []
    for source, label in [*zip(numbers, labels, strict=True), (None, str(ENTRY_LABEL))]:
        row = []
        for target in [*numbers, None]:
            n = moved.get((source, target), 0)
            cell = Cell(None) if source == target else Cell(n, n=n)
            row.append(cell)
            cells.append(cell)
        rows.append(Row(label, row))
    protect(cells)
    table = Table(
        title=_("Sager, der er rykket fra ét trin til et andet"),
        row_header=_("Fra \\ til"),
        columns=[*labels, str(EXIT_LABEL)],
        rows=rows,
        notes=[
            _(
                "Perioden %(start)s-%(end)s. En sag, der rykker samme vej flere gange, tæller én gang i cellen."
            )
            % {
                "start": formats.date_format(ctx.start, "SHORT_DATE_FORMAT"),
                "end": formats.date_format(ctx.end, "SHORT_DATE_FORMAT"),
            },
            str(MOVEMENT_KINDS_NOTE),
        ],
    )
    return Figure("bevaegelser", table.title, _("Som KORA Figur 4.1"), table)


def movement_reasons(ctx: FigureContext) -> Figure:
    """Movements by reason (KORA ch. 4.2): entries, moves up, moves down and exits apart."""
    counted = selectors.movement_reasons(ctx.scope, ctx.start, ctx.end)
    rows, cells, sums = [], [], []
    for reason, label in LadderMovement.Reason.choices:
        found = [counted.get((reason, kind), (0, 0)) for kind, _label in MOVEMENT_KINDS]
        if not any(n for n, _cases in found):
            continue
        parts = [Cell(n, n=cases) for n, cases in found]
        # A lower bound of the distinct cases behind the total: hide rather than risk it.
        total = Cell(sum(n for n, _cases in found), n=max(cases for _n, cases in found))
        rows.append(Row(str(label), [*parts, total]))
        cells += [*parts, total]
        sums.append((total, parts))
    protect(cells, sums)
    table = Table(
        title=_("Bevægelser på trappen efter årsag"),
        row_header=_("Årsag"),
        columns=[*(label for _kind, label in MOVEMENT_KINDS), _("I alt")],
        rows=rows,
        notes=[_("Antal bevægelser."), str(MOVEMENT_KINDS_NOTE)],
    )
    chart = None
    if rows:
        chart = bar_chart(
            title=table.title,
            x_labels=[r.label for r in rows],
            series=[
                Series(str(label), [r.cells[i].number for r in rows], key=palette.movement(kind))
                for i, (kind, label) in enumerate(MOVEMENT_KINDS)
            ],
            y_title=_("Antal bevægelser"),
            x_title=_("Årsag"),
        )
    return Figure("bevaegelser-aarsager", table.title, _("Som KORA kapitel 4.2"), table, chart)


# --- Placements -------------------------------------------------------------------------------


def _category_table(
    ctx, *, title, columns_per_period, cells_for, notes, priced=False
) -> tuple[Table, list[dict]]:
    """``priced``: the rows' cells need the spend (``ctx.placed``), not only the child-days."""
    placed_list = ctx.placed if priced else ctx.placed_days
    per_period, all_cells, sums, rows = [], [], [], []
    for placed in placed_list:
        counted = {
            key: Cell(
                placed.child_years(key),
                "dec2",
                n=placed.children.get(key, 0),
                key=ctx.key("child_years", key, period=placed.period),
            )
            for key, *_rest in CATEGORY_ROWS
        }
        sums += [(counted[total], [counted[p] for p in parts]) for total, parts in CATEGORY_SUMS]
        all_cells += counted.values()
        per_period.append(counted)
    protect(all_cells, sums)
    for key, label, level, is_total in CATEGORY_ROWS:
        cells = []
        for placed, counted in zip(placed_list, per_period, strict=True):
            cells += cells_for(placed, counted, key)
        rows.append(Row(str(label), cells, level=level, total=is_total))
    table = Table(
        title=title,
        row_header=_("Anbringelsestype"),
        columns=[str(c) for _p in ctx.periods for c in columns_per_period],
        column_groups=[(p.label, len(columns_per_period)) for p in ctx.periods],
        rows=rows,
        notes=notes + _period_note(ctx.periods),
    )
    return table, per_period


def child_years(ctx: FigureContext) -> Figure:
    """Placed child-years (årsbørn) per placement type and in % of all placed (KORA Tab. 2.1-2.3, 4.1)."""
    table, per_period = _category_table(
        ctx,
        title=_("Anbragte årsbørn pr. anbringelsestype"),
        columns_per_period=[_("Årsbørn"), _("I % af alle anbragte"), _("Gns. anbragte")],
        cells_for=lambda placed, counted, key: [
            counted[key],
            share(counted[key], counted["all"]),
            # Child-days over the period's days: hidden with the child-years it is worked out from.
            Cell(placed.average_placed(key), "dec2", bases=(counted[key],)),
        ],
        notes=[
            _(
                "Årsbørn er anbringelsesdage delt med 365: et barn anbragt hele året tæller 1, et barn "
                "anbragt seks måneder tæller 0,5, uanset hvilken periode der opgøres. Derfor giver "
                "halvårenes årsbørn lagt sammen årets årsbørn. Et barn tæller under sin højeste aktive "
                "indsats, så det tæller kun én gang ad gangen."
            ),
            _(
                "Gns. anbragte er det gennemsnitlige antal børn, der var anbragt pr. dag i perioden "
                "(anbringelsesdage delt med periodens dage). Det er et andet tal end årsbørn og kan ikke "
                "lægges sammen over perioder."
            ),
        ],
    )
    chart = bar_chart(
        title=table.title,
        x_labels=[p.chart_label for p in ctx.periods],
        series=[
            Series(str(label), [c[key].number for c in per_period], key=palette.placement(key))
            for key, label in GROUP_SERIES
        ],
        decimals=2,
        y_title=_("Årsbørn"),
        x_title=str(PERIOD_AXIS),
    )
    return Figure("aarsboern", table.title, _("Som KORA Tabel 2.1-2.3 og 4.1"), table, chart)


def _target_label(target: PlacementTarget) -> str:
    return _("%(comparison)s %(share)s %%") % {
        "comparison": target.get_comparison_display().lower(),
        "share": number(target.share, 0),
    }


def adding_up(parts: list, decimals: int = 1) -> list[Decimal] | None:
    """Each part in % of their sum, rounded to ``decimals`` so that the shares shown add up to
    exactly 100 (the largest remainders get the last tenths); None when the sum is zero."""
    total = sum(parts)
    if not total:
        return None
    steps = 100 * 10**decimals
    exact = [Decimal(p) * steps / Decimal(total) for p in parts]
    whole = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exact]
    by_remainder = sorted(range(len(parts)), key=lambda i: (whole[i] - exact[i], i))
    for i in by_remainder[: steps - sum(whole)]:
        whole[i] += 1
    return [Decimal(w).scaleb(-decimals) for w in whole]


@dataclass
class _TargetPart:
    """A row of the targets figure: a target's categories, or the rest of the base."""

    label: str
    categories: tuple[str, ...]
    target: PlacementTarget | None = None

    @property
    def key(self) -> str:
        return _group_of(self.categories)


def _group_of(categories) -> str:
    """The placement group (selectors.GROUPS) made of exactly ``categories``, or "other"."""
    return next((k for k, members in selectors.GROUPS.items() if set(members) == set(categories)), "other")


def _target_parts(targets) -> tuple[tuple[str, ...] | None, list[_TargetPart]]:
    """The whole the targets' shares are of, and its parts: each target's categories and then the
    rest of the whole (home-based placements under the shipped 75/25). The whole is None when the
    shares are not parts of one whole (targets of different bases, or sharing a category)."""
    parts = [_TargetPart(t.name, tuple(t.categories), t) for t in targets]
    bases = {
        tuple(c for c in selectors.CATEGORIES if c in (t.base_categories or selectors.CATEGORIES))
        for t in targets
    }
    named = [c for t in targets for c in t.categories]
    if len(bases) != 1 or len(named) != len(set(named)) or not set(named) <= set(next(iter(bases))):
        return None, parts
    base = bases.pop()
    rest = tuple(c for c in base if c not in named)
    if rest:
        labels = {key: label for key, label, *_rest in CATEGORY_ROWS}
        what = labels.get(_group_of(rest)) or ", ".join(str(PlacementCategory(c).label) for c in rest)
        parts.append(_TargetPart(_("Øvrige anbragte: %(what)s") % {"what": what}, rest))
    return base, parts


def _children(placed: selectors.Placed, categories) -> int:
    """The children behind ``categories``: distinct in a group, else the largest category's (a lower
    bound, so that disclosure control errs on hiding)."""
    group = _group_of(categories)
    if group != "other":
        return placed.children.get(group, 0)
    return max((placed.children.get(c, 0) for c in categories), default=0)


def _target_cells(placed, base, parts) -> tuple[list[list[Cell]], Cell | None]:
    """One period's cells: per part its share, its child-years and whether the target is met; and
    the base's child-years (None when the parts are not of one whole)."""
    days = [sum(placed.days.get(c, 0) for c in p.categories) for p in parts]
    years = [
        Cell(selectors.child_years(n), "dec2", n=_children(placed, p.categories))
        for n, p in zip(days, parts, strict=True)
    ]
    whole = None
    if base is not None:
        base_days = sum(placed.days.get(c, 0) for c in base)
        whole = Cell(selectors.child_years(base_days), "dec2", n=_children(placed, base))
        protect([*years, whole], [(whole, years)])
        shares = adding_up(days) or [None] * len(parts)
    else:
        protect(years)
        shares = [selectors.target_share(placed, p.target) for p in parts]
    found = []
    for part, cell, value in zip(parts, years, shares, strict=True):
        share_cell = Cell(value, "pct", bases=(cell, whole) if whole else (cell,))
        actual = selectors.target_share(placed, part.target) if part.target else None
        met = text("")
        if part.target and actual is not None and not share_cell.hidden:
            met = text(_("Ja") if part.target.is_met(actual) else _("Nej"))
        found.append([share_cell, cell, met])
    return found, whole


def placement_targets(ctx: FigureContext) -> Figure:
    """The shares of family care and institution against the municipality's targets (Herning's
    Sverigesprojekt, Forebyggelsesudvalget 21.1.2013: 75/25), with the rest of the placed and the
    base they are shares of, so that the shares add up to 100 % on the page (issue 21, point 7)."""
    targets = selectors.targets(ctx.scope, ctx.end)
    base, parts = _target_parts(targets)
    per_period = [_target_cells(placed, base, parts) for placed in ctx.placed_days]
    rows = [
        Row(
            part.label,
            [text(_target_label(part.target) if part.target else "–")]
            + [c for cells, _whole in per_period for c in cells[i]],
        )
        for i, part in enumerate(parts)
    ]
    if base is not None:
        base_label = _("Grundlaget: anbragte i alt") if base == selectors.CATEGORIES else _("Grundlaget")
        rows.append(
            Row(
                base_label,
                [text("")]
                + [
                    c
                    for _cells, whole in per_period
                    for c in (Cell(Decimal(100), "pct", bases=(whole,)), whole, text(""))
                ],
                total=True,
            )
        )
    table = Table(
        title=_("Fordelingen af anbragte mod kommunens mål"),
        row_header=_("Mål"),
        columns=[_("Målet")] + [str(c) for _p in ctx.periods for c in (_("Andel"), _("Årsbørn"), _("Nået"))],
        column_groups=[("", 1)] + [(p.label, 3) for p in ctx.periods],
        rows=rows,
        notes=_target_notes(targets, base) + _period_note(ctx.periods),
    )
    chart = bar_chart(
        title=table.title,
        x_labels=[
            _target_x_label(p, whole) for p, (_cells, whole) in zip(ctx.periods, per_period, strict=True)
        ],
        series=[
            Series(
                part.label,
                [cells[i][0].number for cells, _whole in per_period],
                key=palette.placement(part.key),
            )
            for i, part in enumerate(parts)
        ],
        suffix=" %",
        targets=[(float(t.share), f"{t.name}: {_target_label(t)}") for t in targets],
        top_value=100,
        decimals=1,
        y_title=_("Andel af anbragte årsbørn (%)"),
        x_title=str(PERIOD_AXIS),
    )
    return Figure("maal", table.title, _("Mål fra Sverigesprojektet (75/25)"), table, chart)


def _target_x_label(period: Period, whole: Cell | None) -> str:
    """A period under the targets chart, with the base its shares are of on a line of its own."""
    if whole is None:
        return period.chart_label
    return "{}\n{}".format(period.chart_label, _("Grundlag: %(years)s årsbørn") % {"years": whole.display()})


def _target_notes(targets, base) -> list[str]:
    notes = [
        _("Andelen af anbragte årsbørn. Målene kan ændres af en administrator (kilde: %(sources)s).")
        % {"sources": "; ".join(sorted({t.source for t in targets if t.source})) or "–"}
    ]
    if base is not None:
        notes.append(
            _(
                "Andelene er af grundlaget i sidste række og giver tilsammen 100 %: de er rundet til én "
                "decimal, så summen holder (de største rester får den sidste tiendedel). Om et mål er nået, "
                "afgøres af den uafrundede andel."
            )
        )
    else:
        notes.append(_("Målene er andele af hver sit grundlag, så andelene lægges ikke sammen."))
    return notes


def placement_costs(ctx: FigureContext) -> Figure:
    """Spend per placement type and per placed child-year (KORA Tab. 2.5, 2.6)."""

    def cells_for(placed, counted, key):
        base = counted[key]
        return [
            Cell(placed.group_spend(key), "kr", bases=(base,)),
            Cell(placed.spend_per_child_year(key), "kr", bases=(base,)),
        ]

    notes = [
        _(
            "Udgiften er enhedsprisen pr. årsbarn, der gjaldt den enkelte dag, delt med 365, lagt sammen "
            "over dagene med hver aktiv anbringelse. Kr. pr. årsbarn er udgiften pr. anbragt barn omregnet til et helt år."
        )
    ]
    unpriced = sum(p.unpriced_days for p in ctx.placed)
    if unpriced:
        notes.append(
            _("%(days)s anbringelsesdage havde ingen gældende enhedspris og er ikke regnet med.")
            % {"days": formats.number_format(unpriced, 0, force_grouping=True)}
        )
    notes += _price_notes(ctx)
    table, per_period = _category_table(
        ctx,
        title=_("Udgifter til anbringelser"),
        columns_per_period=[
            _("Udgift (%(unit)s)") % {"unit": _kr(ctx)},
            _("Pr. årsbarn (%(unit)s)") % {"unit": _kr(ctx)},
        ],
        cells_for=cells_for,
        notes=notes,
        priced=True,
    )
    chart = bar_chart(
        title=_("Udgifter til anbringelser (1.000 kr.)"),
        x_labels=[p.chart_label for p in ctx.periods],
        series=[
            Series(
                str(label),
                [
                    None if c[key].hidden else float(placed.group_spend(key)) / 1000
                    for placed, c in zip(ctx.placed, per_period, strict=True)
                ],
                key=palette.placement(key),
            )
            for key, label in GROUP_SERIES
        ],
        y_title=_thousands(ctx),
        x_title=str(PERIOD_AXIS),
    )
    return Figure("udgifter", table.title, _("Som KORA Tabel 2.5 og 2.6"), table, chart)


def _spend_cells(ctx: FigureContext, types) -> list[tuple]:
    """Per period: the spend cells by type, by step, for placements and preventive measures, and in
    all, protected together (a hidden type cannot be worked out from its step or group total)."""
    cells, sums, per_period = [], [], []
    for spent in ctx.spent:
        by_type = {t.pk: Cell(spent.amount.get(t.pk, 0), "kr", n=spent.children.get(t.pk, 0)) for t in types}

        def total(members, by_type=by_type):
            # A lower bound of the distinct children behind a sum: hide rather than risk it.
            return Cell(
                sum((c.value for c in members), 0), "kr", n=max((c.n or 0 for c in members), default=0)
            )

        steps = {s.number: [by_type[t.pk] for t in types if t.ladder_step_id == s.pk] for s in ctx.steps}
        step_totals = {n: total(members) for n, members in steps.items()}
        placement = [by_type[t.pk] for t in types if t.placement_category]
        preventive = [by_type[t.pk] for t in types if not t.placement_category]
        groups = {"placement": total(placement), "preventive": total(preventive)}
        everything = total(list(by_type.values()))
        sums += [(step_totals[n], members) for n, members in steps.items()]
        sums += [
            (everything, list(step_totals.values())),
            (everything, list(groups.values())),
            (groups["placement"], placement),
            (groups["preventive"], preventive),
        ]
        cells += [*by_type.values(), *step_totals.values(), *groups.values(), everything]
        per_period.append((by_type, step_totals, groups, everything))
    protect(cells, sums)
    return per_period


def spend_per_measure(ctx: FigureContext) -> Figure:
    """Spend on every active measure by ladder step and measure type, preventive measures included,
    so that placement savings spent on costlier prevention show (KORA ch. 2.3)."""
    types = [t for t in selectors.measure_types() if any(t.pk in s.days for s in ctx.spent)]
    unit = _kr(ctx)
    per_period = _spend_cells(ctx, types)
    rows = []

    def row(label, pick, **kwargs):
        values = []
        for by_type, step_totals, groups, everything in per_period:
            cell = pick(by_type, step_totals, groups, everything)
            values += [cell, share(cell, everything)]
        return Row(str(label), values, **kwargs)

    for step in ctx.steps:
        members = [t for t in types if t.ladder_step_id == step.pk]
        if not members:
            continue
        rows.append(row(step, lambda b, st, g, e, n=step.number: st[n], total=True))
        rows += [row(t.localized_name, lambda b, st, g, e, pk=t.pk: b[pk], level=1) for t in members]
    rows += [
        row(_("Anbringelser i alt"), lambda b, st, g, e: g["placement"], total=True),
        row(_("Forebyggende indsatser i alt"), lambda b, st, g, e: g["preventive"], total=True),
        row(_("Alle indsatser i alt"), lambda b, st, g, e: e, total=True),
    ]
    unpriced = sum(n for s in ctx.spent for n in s.unpriced_days.values())
    notes = [
        _(
            "Alle indsatser, der var aktive en dag, tæller med den dag, også når sagen samtidig har en "
            "højere indsats: enhedsprisen pr. år for indsatstypen, der gjaldt den dag, delt med 365. "
            "Forebyggende indsatser er indsatser, der ikke er en anbringelse (fx MST, familiebehandling, "
            "aflastning og kontaktperson). Indsatserne står under deres trin i det nuværende katalog."
        ),
        *_price_notes(ctx),
    ]
    if unpriced:
        notes.append(
            _("%(days)s indsatsdage havde ingen gældende enhedspris og er ikke regnet med.")
            % {"days": formats.number_format(unpriced, 0, force_grouping=True)}
        )
    table = Table(
        title=_("Udgifter til alle indsatser pr. trin og indsatstype"),
        row_header=_("Trin og indsatstype"),
        columns=[
            str(c)
            for _p in ctx.periods
            for c in (_("Udgift (%(unit)s)") % {"unit": unit}, _("I % af alle udgifter"))
        ],
        column_groups=[(p.label, 2) for p in ctx.periods],
        rows=rows,
        notes=notes + _period_note(ctx.periods),
    )
    totals = {r.label: r for r in rows}
    chart = bar_chart(
        title=_("Udgifter til anbringelser og forebyggende indsatser (1.000 %(unit)s)") % {"unit": unit},
        x_labels=[p.chart_label for p in ctx.periods],
        series=[
            Series(
                label,
                [
                    None
                    if totals[label].cells[2 * i].number is None
                    else totals[label].cells[2 * i].number / 1000
                    for i in range(len(ctx.periods))
                ],
                key=palette.placement(group),
            )
            for group, label in (
                ("placement", str(_("Anbringelser i alt"))),
                ("preventive", str(_("Forebyggende indsatser i alt"))),
            )
        ],
        y_title=_thousands(ctx),
        x_title=str(PERIOD_AXIS),
    )
    return Figure("udgifter-indsatser", table.title, _("Som KORA kapitel 2.3"), table, chart)


def unit_cost_table(ctx: FigureContext) -> Figure:
    """The unit costs per measure type with their validity (configuration, editable in the admin)."""
    rows = []
    for cost in selectors.unit_costs():
        mt = cost.measure_type
        rows.append(
            Row(
                mt.localized_name,
                [
                    Cell(mt.ladder_step.number),
                    text(mt.get_placement_category_display() if mt.placement_category else "–"),
                    text(formats.date_format(cost.valid_from, "SHORT_DATE_FORMAT")),
                    text(formats.date_format(cost.valid_to, "SHORT_DATE_FORMAT") if cost.valid_to else "–"),
                    Cell(cost.amount_per_year, "kr"),
                ],
            )
        )
    table = Table(
        title=_("Enhedspriser pr. indsatstype"),
        row_header=_("Indsatstype"),
        columns=[_("Trin"), _("Anbringelsestype"), _("Gælder fra"), _("Gælder til"), _("Kr. pr. årsbarn")],
        rows=rows,
        notes=[
            _(
                "Priserne vedligeholdes af en administrator; en ændret pris slår igennem i udgifterne for dens periode."
            )
        ],
    )
    return Figure("enhedspriser", table.title, _("Som KORA Tabel 2.6"), table)


# --- Quality ----------------------------------------------------------------------------------


def breakdown_rates(ctx: FigureContext) -> Figure:
    """Placement breakdowns in % of placed child-years (KORA Tab. 3.1)."""
    counted = (ctx.batch or selectors).breakdowns(ctx.scope, ctx.periods)
    counts, years, rates = [], [], []
    for (n, children), placed in zip(counted, ctx.placed_days, strict=True):
        count = Cell(n, n=children, key=ctx.key("breakdowns", period=placed.period))
        placed_years = Cell(
            placed.child_years("all"),
            "dec2",
            n=placed.children.get("all", 0),
            key=ctx.key("child_years", "all", period=placed.period),
        )
        protect([count, placed_years])
        counts.append(count)
        years.append(placed_years)
        rates.append(share(count, placed_years))
    table = Table(
        title=_("Sammenbrud i anbringelser"),
        row_header="",
        columns=[p.label for p in ctx.periods],
        rows=[
            Row(_("Antal sammenbrud"), counts),
            Row(_("Anbragte årsbørn i alt"), years),
            Row(_("Sammenbrud i % af anbragte årsbørn"), rates, total=True),
        ],
        notes=[
            _(
                "Ankestyrelsens definition: anbringelser, der ophører, fordi barnet forlader "
                "anbringelsesstedet, eller fordi anbringelsesstedet opgiver at have barnet anbragt. "
                "Talt på anbringelsens sidste dag."
            ),
            *_period_note(ctx.periods),
        ],
    )
    return Figure("sammenbrud", table.title, _("Som KORA Tabel 3.1"), table)


def _team_unit(ctx: FigureContext, team) -> tuple:
    """What a team's row counts in ``ctx``'s scope: the team, or (a team outside the district
    chosen, always zero) the team within that district."""
    districts = ctx.scope.district_ids
    if districts is None or team.district_id in districts:
        return unit_of(Scope(ctx.scope.municipality_id, team_ids=(team.pk,)))
    return unit_of(Scope(ctx.scope.municipality_id, team_ids=(team.pk,), district_ids=districts))


def complaint_rates(ctx: FigureContext) -> Figure:
    """Complaints per team and in % of the team's cases (KORA Tab. 3.2)."""
    received = (ctx.batch or selectors).complaints(ctx.scope, ctx.periods)
    cases = (ctx.batch or selectors).cases_per_team(ctx.scope, ctx.periods)
    teams = ctx.batch.teams(ctx.scope) if ctx.batch is not None else list(teams_in(ctx.scope))
    rows, cells, sums = [], [], []
    totals = []
    for i, period in enumerate(ctx.periods):
        team_cells = [
            Cell(
                received.get((i, t.pk), 0),
                n=received.get((i, t.pk), 0),
                key=("complaints", _team_unit(ctx, t), _span(period)),
            )
            for t in teams
        ]
        total = Cell(
            sum(c.value for c in team_cells),
            n=sum(c.value for c in team_cells),
            key=ctx.key("complaints", period=period),
        )
        sums.append((total, team_cells))
        cells += [*team_cells, total]
        totals.append((team_cells, total))
    team_units = {t.pk: _team_unit(ctx, t) for t in teams}
    case_cells = {
        (i, key): Cell(
            cases.get((i, key), 0),
            n=cases.get((i, key), 0),
            # A case counts once however many teams it was in: no sum, but the same number in
            # the municipality's and the district's table.
            key=(
                "cases",
                ctx.unit if key is None else team_units[key],
                _span(period),
            ),
        )
        for i, period in enumerate(ctx.periods)
        for key in [t.pk for t in teams] + [None]
    }
    protect([*cells, *case_cells.values()], sums)
    for index, team in enumerate([*teams, None]):
        row = []
        for i, (team_cells, total) in enumerate(totals):
            count = total if team is None else team_cells[index]
            n_cases = case_cells[(i, None if team is None else team.pk)]
            row += [count, n_cases, share(count, n_cases)]
        label = _("I alt") if team is None else f"{team.name} ({team.district.name})"
        rows.append(Row(label, row, total=team is None))
    table = Table(
        title=_("Klager over sagsbehandlingen pr. team"),
        row_header=_("Team"),
        columns=[str(c) for _p in ctx.periods for c in (_("Klager"), _("Sager"), _("I % af sager"))],
        column_groups=[(p.label, 3) for p in ctx.periods],
        rows=rows,
        notes=[
            _(
                "Klager modtaget i perioden, talt for det team, der havde sagen, da klagen kom. Sager er alle "
                "sager, der var åbne på et tidspunkt i perioden."
            ),
            *_period_note(ctx.periods),
        ],
    )
    chart = bar_chart(
        title=_("Klager i % af sager"),
        x_labels=[r.label for r in rows],
        series=[
            Series(p.chart_label, [r.cells[i * 3 + 2].number for r in rows], key=key)
            for i, (p, key) in enumerate(
                zip(ctx.periods, palette.periods([p.start for p in ctx.periods]), strict=True)
            )
        ],
        suffix=" %",
        decimals=1,
        y_title=_("Klager i % af teamets sager"),
        x_title=_("Team (distrikt)"),
    )
    return Figure("klager", table.title, _("Som KORA Tabel 3.2"), table, chart)


# --- Well-being -------------------------------------------------------------------------------

SDQ_SHORT_LABELS = {
    "total": gettext_lazy("Samlet"),
    "emotional": gettext_lazy("Emotionelle"),
    "conduct": gettext_lazy("Adfærd"),
    "hyperactivity": gettext_lazy("Hyperaktivitet"),
    "peer": gettext_lazy("Jævnaldrende"),
    "prosocial": gettext_lazy("Prosocial"),
}
SDQ_LABELS = {
    "total": gettext_lazy("Samlet vanskelighedsscore (0-40)"),
    "emotional": gettext_lazy("Emotionelle symptomer (0-10)"),
    "conduct": gettext_lazy("Adfærdsproblemer (0-10)"),
    "hyperactivity": gettext_lazy("Hyperaktivitet og opmærksomhed (0-10)"),
    "peer": gettext_lazy("Problemer med jævnaldrende (0-10)"),
    "prosocial": gettext_lazy("Prosocial adfærd (0-10, højere er bedre)"),
}


def _sdq_chart(rows: list[Row]) -> Chart:
    """The mean scores before and after per scale, the two periods in the comparison's colours."""
    return bar_chart(
        title=_("Gennemsnitlig SDQ-score før og efter"),
        x_labels=[str(SDQ_SHORT_LABELS[s]) for s in selectors.SDQ_SCALES],
        series=[
            Series(_("Før"), [r.cells[1].number for r in rows], key=palette.ordinal(0)),
            Series(_("Efter"), [r.cells[2].number for r in rows], key=palette.ordinal(1)),
        ],
        decimals=1,
        y_title=_("Gennemsnitlig score (point)"),
        x_title=_("SDQ-skala"),
    )


def sdq_cohort(ctx: FigureContext) -> Figure:
    """The same children's SDQ scores before and after: means, mean change and a paired t-test
    (KORA Tab. 3.3)."""
    informant, before, after = ctx.extra["informant"], ctx.extra["before"], ctx.extra["after"]
    pairs = selectors.sdq_pairs(ctx.scope, informant=informant, before=before, after=after)
    rows, warnings = [], []
    results = {}
    for scale in selectors.SDQ_SCALES:
        complete = [p for p in pairs if p.before[scale] is not None and p.after[scale] is not None]
        result = paired([p.before[scale] for p in complete], [p.after[scale] for p in complete])
        results[scale] = result
        n = Cell(result.n, n=result.n)
        protect([n])
        ci = (
            text(f"{number(result.ci_low, 1)} ; {number(result.ci_high, 1)}")
            if result.ci_low is not None
            else text("–")
        )
        ci.bases = (n,)
        rows.append(
            Row(
                str(SDQ_LABELS[scale]),
                [
                    n,
                    Cell(result.mean_before, "dec1", bases=(n,)),
                    Cell(result.mean_after, "dec1", bases=(n,)),
                    Cell(result.mean_change, "dec1", bases=(n,)),
                    ci,
                    Cell(result.p, "p3", bases=(n,)) if result.p is not None else Cell(None, bases=(n,)),
                ],
                total=scale == "total",
            )
        )
    total = results["total"]
    if 0 < total.n < MIN_CHILDREN:
        warnings.append(_("For få børn til at vise et resultat: under %(min)s.") % {"min": MIN_CHILDREN})
    elif total.n and total.small:
        warnings.append(
            _(
                "Gruppen er lille (%(n)s børn). Med under %(limit)s børn er resultatet usikkert, og en "
                "ændring kan skyldes tilfældigheder. KORA kunne ikke konkludere noget ud fra 25 børn."
            )
            % {"n": total.n, "limit": SMALL_GROUP}
        )
    if total.n >= 3 and total.p is not None and not total.significant:
        warnings.append(
            _("Ændringen i den samlede score er ikke statistisk signifikant (p = %(p)s).")
            % {"p": Cell(total.p, "p3").display()}
        )
    table = Table(
        title=_("SDQ før og efter for de samme børn"),
        row_header=_("Skala"),
        columns=[
            _("Børn"),
            _("Før (gns.)"),
            _("Efter (gns.)"),
            _("Ændring"),
            _("95 %-interval for ændringen"),
            _("p-værdi"),
        ],
        rows=rows,
        notes=[
            _(
                "Børn med en score fra samme slags besvarer i begge perioder: den første i før-perioden og den "
                "sidste i efter-perioden. Højere vanskelighedsscore betyder flere vanskeligheder; en negativ "
                "ændring er en forbedring (for prosocial adfærd omvendt). Parret t-test, tosidet."
            )
        ],
    )
    chart = _sdq_chart(rows)
    return Figure("sdq", table.title, _("Som KORA Tabel 3.3"), table, chart, warnings=warnings)


# --- Comparison of district groups ------------------------------------------------------------


def _comparison_values(scope: Scope, period: Period) -> dict[str, Cell]:
    """The indicators of one group of districts in one period."""
    placed = selectors.placements(scope, [period])[0]
    broke, broke_children = selectors.breakdowns(scope, [period])[0]
    complaints = sum(selectors.complaints(scope, [period]).values())
    cases = selectors.cases_per_team(scope, [period], by_team=False).get((0, None), 0)
    v = {
        key: Cell(placed.child_years(key), "dec2", n=placed.children.get(key, 0))
        for key in ("home_based", "family_care", "institution", "all")
    }
    protect(v.values(), [(v["all"], [v["home_based"], v["family_care"], v["institution"]])])
    v["average_placed"] = Cell(placed.average_placed("all"), "dec2", bases=(v["all"],))
    v["cases"] = Cell(cases, n=cases)
    v["family_share"] = share(v["family_care"], v["all"])
    v["institution_share"] = share(v["institution"], v["all"])
    v["spend"] = Cell(placed.group_spend("all"), "kr", bases=(v["all"],))
    v["spend_per_year"] = Cell(placed.spend_per_child_year("all"), "kr", bases=(v["all"],))
    v["breakdowns"] = Cell(broke, n=broke_children)
    v["breakdown_rate"] = share(v["breakdowns"], v["all"])
    v["complaints"] = Cell(complaints, n=complaints)
    v["complaint_rate"] = share(v["complaints"], v["cases"])
    protect([v["cases"], v["breakdowns"], v["complaints"]])
    return v


def _comparison_test(key: str, before: dict[str, Cell], after: dict[str, Cell]) -> tuple[str, float | None]:
    """The significance test of a rate's change between the two periods, where KORA gives one:
    (the test's name, its two-sided p-value); ("", None) for the rows without a test."""
    if key == "breakdown_rate":
        return _("Eksakt test for to rater"), two_rates(
            before["breakdowns"].value,
            float(before["all"].value),
            after["breakdowns"].value,
            float(after["all"].value),
        )
    if key == "complaint_rate":
        return _("Fishers eksakte test"), fisher_exact(
            before["complaints"].value, before["cases"].value, after["complaints"].value, after["cases"].value
        )
    if key == "sdq_total":
        # The same children before and after, as the SDQ figure tests them (KORA Tab. 3.3).
        return _("Parret t-test"), before["sdq_p"].value
    return "", None


def _sdq_values(scope: Scope, periods: list[Period], informant: str) -> tuple[dict, dict]:
    """The SDQ row of one group: the children with a total score from ``informant`` in both
    periods (the first in period 1, the last in period 2), their mean before and after, and the
    paired t-test's p-value, hidden with the children when they are fewer than three."""
    pairs = [
        p
        for p in selectors.sdq_pairs(scope, informant=informant, before=periods[0], after=periods[1])
        if p.before["total"] is not None and p.after["total"] is not None
    ]
    result = paired([p.before["total"] for p in pairs], [p.after["total"] for p in pairs])
    children = Cell(result.n, n=result.n)
    protect([children])
    before = {
        "sdq_children": children,
        "sdq_total": Cell(result.mean_before, "dec1", bases=(children,)),
        "sdq_p": Cell(result.p, "p3", bases=(children,)),
    }
    after = {
        "sdq_children": children,
        "sdq_total": Cell(result.mean_after, "dec1", bases=(children,)),
    }
    return before, after


COMPARISON_ROWS = [
    ("cases", gettext_lazy("Sager (åbne i perioden)")),
    ("all", gettext_lazy("Anbragte årsbørn i alt")),
    ("home_based", gettext_lazy("Hjemmebaserede anbringelser (årsbørn)")),
    ("family_care", gettext_lazy("Familiepleje (årsbørn)")),
    ("institution", gettext_lazy("Institution (årsbørn)")),
    ("average_placed", gettext_lazy("Gns. anbragte pr. dag")),
    ("family_share", gettext_lazy("Familiepleje i % af anbragte")),
    ("institution_share", gettext_lazy("Institution i % af anbragte")),
    ("spend", gettext_lazy("Udgifter til anbringelser (kr.)")),
    ("spend_per_year", gettext_lazy("Kr. pr. anbragt årsbarn")),
    ("breakdowns", gettext_lazy("Sammenbrud")),
    ("breakdown_rate", gettext_lazy("Sammenbrud i % af anbragte årsbørn")),
    ("complaints", gettext_lazy("Klager")),
    ("complaint_rate", gettext_lazy("Klager i % af sager")),
    ("sdq_children", gettext_lazy("SDQ: børn med en samlet score før og efter")),
    ("sdq_total", gettext_lazy("SDQ: samlet vanskelighedsscore (gns.)")),
]
# Rows that count the same thing in both periods (the base of a paired test): no change.
NO_CHANGE_ROWS = {"sdq_children"}


def _comparison_notes(periods: list[Period], informant: str) -> list[str]:
    return [
        _("%(p1)s: %(s1)s-%(e1)s. %(p2)s: %(s2)s-%(e2)s. Ændring i procentpoint for andele.")
        % {
            "p1": periods[0].label,
            "s1": formats.date_format(periods[0].start, "SHORT_DATE_FORMAT"),
            "e1": formats.date_format(periods[0].end, "SHORT_DATE_FORMAT"),
            "p2": periods[1].label,
            "s2": formats.date_format(periods[1].start, "SHORT_DATE_FORMAT"),
            "e2": formats.date_format(periods[1].end, "SHORT_DATE_FORMAT"),
        },
        _(
            "Ændring i procent er ændringen i procent af periode 1. p-værdien er tosidet og viser, hvor "
            "sandsynlig en forskel mindst så stor er, hvis der ingen reel forskel er mellem perioderne "
            "(under 0,050: statistisk signifikant). Sammenbrud pr. årsbarn: eksakt test for to rater. "
            "Klager pr. sag: Fishers eksakte test. Andele af anbringelsesdage og beløb testes ikke: "
            "dagene er ikke uafhængige observationer."
        ),
        _(
            "SDQ: de samme børn med en samlet vanskelighedsscore fra %(informant)s i begge perioder, den "
            "første i periode 1 og den sidste i periode 2, testet med parret t-test, tosidet, som i "
            "SDQ-tabellen. En negativ ændring er en forbedring."
        )
        % {"informant": SdqScore.Informant(informant).label.lower()},
        _(
            "Årsbørn er anbringelsesdage delt med 365, så en kort periode har færre årsbørn end en lang. "
            "Perioder af forskellig længde sammenlignes bedst på gns. anbragte pr. dag."
        ),
        *_period_note(periods),
    ]


def comparison(ctx: FigureContext) -> Figure:
    """Two groups of districts over two periods side by side, with the change (as KORA compared the
    pilot districts with the rest, Tab. 2.1-3.2)."""
    groups, periods = ctx.extra["groups"], ctx.extra["periods"]
    informant = ctx.extra.get("informant", SdqScore.Informant.TEACHER)
    values = {
        (g, i): _comparison_values(scope, p)
        for g, (_l, scope) in enumerate(groups)
        for i, p in enumerate(periods)
    }
    for g, (_l, scope) in enumerate(groups):
        sdq_before, sdq_after = _sdq_values(scope, periods, informant)
        values[(g, 0)].update(sdq_before)
        values[(g, 1)].update(sdq_after)
    rows = []
    for key, label in COMPARISON_ROWS:
        cells = []
        for g in range(len(groups)):
            before, after = values[(g, 0)][key], values[(g, 1)][key]
            name, p = _comparison_test(key, values[(g, 0)], values[(g, 1)])
            if key in NO_CHANGE_ROWS:
                moved = [Cell(None, bases=(before,)), Cell(None, "pct", bases=(before,))]
            else:
                moved = [
                    change(before, after, "pp" if before.fmt == "pct" else None),
                    relative_change(before, after),
                ]
            cells += [before, after, *moved, Cell(p, "p3", bases=(before, after)), text(name or "–")]
        rows.append(Row(str(label), cells))
    columns = (_("Ændring"), _("Ændring i %"), _("p-værdi"), _("Test"))
    table = Table(
        title=_("Sammenligning af distriktsgrupper"),
        row_header=_("Nøgletal"),
        columns=[str(c) for _g in groups for c in (periods[0].label, periods[1].label, *columns)],
        column_groups=[(label, 2 + len(columns)) for label, _scope in groups],
        rows=rows,
        notes=_comparison_notes(periods, informant),
    )
    chart = bar_chart(
        title=_("Anbragte årsbørn"),
        x_labels=[label for label, _scope in groups],
        series=[
            Series(p.chart_label, [values[(g, i)]["all"].number for g in range(len(groups))], key=key)
            for i, (p, key) in enumerate(
                zip(periods, palette.periods([p.start for p in periods]), strict=True)
            )
        ],
        decimals=2,
        y_title=_("Årsbørn"),
        x_title=_("Distriktsgruppe"),
    )
    return Figure(
        "sammenligning",
        table.title,
        _("Som KORA's sammenligning af Sverigesdistrikter og øvrige distrikter"),
        table,
        chart,
    )


# --- Follow-up (KORA 2017, Fig. 2.2) -----------------------------------------------------------------

CASE_TYPE_LABELS = {
    "institution": gettext_lazy("Institutionsanbringelser"),
    "foster_family": gettext_lazy("Plejefamilieanbringelser"),
    "home_based": gettext_lazy("Hjemmebaserede anbringelser"),
    "preventive": gettext_lazy("Forebyggende indsatser"),
}


def _half_years(ctx: FigureContext) -> list[Period]:
    """Half-years of the chosen range, whatever the page's granularity: KORA counts per half-year."""
    halves = periods_between(ctx.start.year, ctx.end.year, granularity="half")
    clipped = [clip(p, max(ctx.first, ctx.start), min(ctx.last, ctx.end)) for p in halves]
    return [p for p in clipped if p is not None]


def _followup_counts(ctx: FigureContext) -> tuple[list[Period], list]:
    if "followups" not in ctx.extra:
        periods = _half_years(ctx)
        ctx.extra["followups"] = (
            periods,
            selectors.followups_per_half_year(ctx.scope, periods, today=ctx.last),
        )
    return ctx.extra["followups"]


def _computed_note(counted: list) -> list[str]:
    """When the follow-ups due were computed, if they were read from the nightly run's."""
    when = next((c.computed_at for c in counted if c.computed_at), None)
    if when is None:
        return []
    return [
        _(
            "Forfaldne opfølgninger er beregnet %(time)s; en opfølgning registreret siden tæller med fra næste nat."
        )
        % {"time": formats.date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT")}
    ]


def followups_per_case(ctx: FigureContext) -> Figure:
    """Follow-ups held per case and half-year by case type, beside what the municipality's rule and
    the law asked for (KORA Fig. 2.2)."""
    periods, counted = _followup_counts(ctx)
    rows, cells = [], []
    held_series = []
    for case_type in selectors.CASE_TYPES:
        label = CASE_TYPE_LABELS[case_type]
        held, rule, law = [], [], []
        for c in counted:
            n = c.cases.get(case_type, 0)
            held.append(Cell(c.per_case(c.held, case_type), "dec1", n=n))
            rule.append(Cell(c.per_case(c.due_municipal, case_type), "dec1", n=n))
            law.append(Cell(c.per_case(c.due_statutory, case_type), "dec1", n=n))
        cells += held + rule + law
        rows += [
            Row(_("%(type)s: afholdt") % {"type": label}, held, total=True),
            Row(_("%(type)s: kommunens regel") % {"type": label}, rule),
            Row(_("%(type)s: lovens minimum") % {"type": label}, law),
        ]
        held_series.append((str(label), held, palette.placement(case_type)))
    protect(cells)
    table = Table(
        title=_("Opfølgninger pr. sag pr. halvår"),
        row_header=_("Sagstype"),
        columns=[p.label for p in periods],
        rows=rows,
        notes=[
            _(
                "Afholdt: opfølgninger holdt i halvåret divideret med sagerne af typen, talt i halvår "
                "(en sag af typen hele halvåret tæller 1). En opfølgning tæller under den type, sagen "
                "havde den dag. Sagstypen følger sagens højeste aktive indsats."
            ),
            _(
                "Kommunens regel og lovens minimum: de opfølgninger, som kommunens regelsæt og loven "
                "(SEL § 70 / Barnets Lov § 95) krævede i halvåret, beregnet af opfølgningsmotoren ud fra "
                "de datoer, der faktisk blev holdt, og talt efter indsatsens egen type. Tilsynsbesøg "
                "(§ 156) tæller ikke med."
            ),
            *_period_note(periods),
            *_computed_note(counted),
        ],
    )
    chart = line_chart(
        title=_("Afholdte opfølgninger pr. sag pr. halvår"),
        x_labels=[p.chart_label for p in periods],
        series=[Series(label, [cell.number for cell in held], key=key) for label, held, key in held_series],
        decimals=1,
        y_title=str(FOLLOWUPS_AXIS),
        x_title=str(HALF_YEAR_AXIS),
    )
    return Figure("opfoelgning", table.title, _("Som KORA Figur 2.2"), table, chart)


def followups_kora(ctx: FigureContext) -> Figure:
    """KORA's own definition of Fig. 2.2 (statutory follow-ups with a child conversation per case
    and half-year) beside the product's (every follow-up held), so the figures can be set against
    KORA's."""
    periods, counted = _followup_counts(ctx)
    rows, cells, series = [], [], []
    for case_type in selectors.CASE_TYPES:
        label = CASE_TYPE_LABELS[case_type]
        kora, own = [], []
        for c in counted:
            n = c.cases.get(case_type, 0)
            kora.append(Cell(c.per_case(c.held_with_conversation, case_type), "dec1", n=n))
            own.append(Cell(c.per_case(c.held, case_type), "dec1", n=n))
        cells += kora + own
        rows += [
            Row(_("%(type)s: med børnesamtale (KORA)") % {"type": label}, kora, total=True),
            Row(_("%(type)s: alle afholdte") % {"type": label}, own),
        ]
        series.append(Series(str(label), [cell.number for cell in kora], key=palette.placement(case_type)))
    protect(cells)
    table = Table(
        title=_("Opfølgninger med børnesamtale pr. sag pr. halvår (KORA's definition)"),
        row_header=_("Sagstype"),
        columns=[p.label for p in periods],
        rows=rows,
        notes=[
            _(
                "Med børnesamtale (KORA): lovpligtige opfølgninger (SEL § 70 / Barnets Lov § 95), hvor der "
                "blev holdt en samtale med barnet, holdt i halvåret og divideret med sagerne af typen, talt i "
                "halvår (en sag af typen hele halvåret tæller 1), som KORA Figur 2.2. En opfølgning uden "
                "børnesamtale og en modtaget skriftlig status tæller ikke med."
            ),
            _(
                "Alle afholdte: produktets egen definition i figuren »Opfølgninger pr. sag pr. halvår«: "
                "alle opfølgninger, der er holdt, med eller uden børnesamtale. En opfølgning tæller under "
                "den sagstype, sagen havde den dag."
            ),
            *_period_note(periods),
        ],
    )
    chart = line_chart(
        title=_("Opfølgninger med børnesamtale pr. sag pr. halvår"),
        x_labels=[p.chart_label for p in periods],
        series=series,
        decimals=1,
        y_title=str(FOLLOWUPS_AXIS),
        x_title=str(HALF_YEAR_AXIS),
    )
    return Figure("opfoelgning-kora", table.title, _("Som KORA Figur 2.2"), table, chart)


def _out_of(part: Cell, whole: Cell) -> Cell:
    """The counts behind a share, as "6 af 9", hidden with them."""
    cell = text(_("%(part)s af %(whole)s") % {"part": part.value, "whole": whole.value})
    cell.bases = (part, whole)
    return cell


def followups_on_time(ctx: FigureContext) -> Figure:
    """The share of the follow-ups due in each half-year that were held on time."""
    periods, counted = _followup_counts(ctx)
    rows, cells = [], []
    for case_type in selectors.CASE_TYPES:
        label = CASE_TYPE_LABELS[case_type]
        municipal, statutory = [], []
        for c in counted:
            n = c.cases.get(case_type, 0)
            due_m = Cell(c.due_municipal.get(case_type, 0), n=n)
            done_m = Cell(c.on_time_municipal.get(case_type, 0), n=n)
            due_s = Cell(c.due_statutory.get(case_type, 0), n=n)
            done_s = Cell(c.on_time_statutory.get(case_type, 0), n=n)
            cells += [due_m, done_m, due_s, done_s]
            municipal += [share(done_m, due_m), _out_of(done_m, due_m)]
            statutory += [share(done_s, due_s), _out_of(done_s, due_s)]
        rows += [
            Row(_("%(type)s: kommunens regel") % {"type": label}, municipal),
            Row(_("%(type)s: loven") % {"type": label}, statutory),
        ]
    protect(cells)
    table = Table(
        title=_("Opfølgninger holdt rettidigt"),
        row_header=_("Sagstype og krav"),
        columns=[str(c) for _p in periods for c in (_("Andel"), _("Rettidige af forfaldne"))],
        column_groups=[(p.label, 2) for p in periods],
        rows=rows,
        notes=[
            _(
                "Andelen af de opfølgninger, der forfaldt i halvåret (til og med seneste dag med data), "
                "som blev holdt på eller før fristen. En frist, der ikke er holdt, tæller som ikke rettidig."
            ),
            *_period_note(periods),
            *_computed_note(counted),
        ],
    )
    return Figure("rettidighed", table.title, _("Tæt opfølgning, Herningmodellen 1.0, Tabel 5.1"), table)


# --- Registry ---------------------------------------------------------------------------------

FIGURES: dict[str, Callable[[FigureContext], Figure]] = {
    "trappe-nu": ladder_now,
    "trappe": ladder_over_time,
    "bevaegelser": movement_matrix,
    "bevaegelser-aarsager": movement_reasons,
    "aarsboern": child_years,
    "maal": placement_targets,
    "udgifter": placement_costs,
    "udgifter-indsatser": spend_per_measure,
    "enhedspriser": unit_cost_table,
    "sammenbrud": breakdown_rates,
    "klager": complaint_rates,
    "sdq": sdq_cohort,
    "sammenligning": comparison,
    "opfoelgning": followups_per_case,
    "opfoelgning-kora": followups_kora,
    "rettidighed": followups_on_time,
}


# --- Disclosure control across tables (issue 21 point 6) ---------------------------------------


@dataclass(frozen=True)
class Family:
    """Figures whose cells add up across the tables a person can ask for: ``collect`` are computed
    for every related scope (and period granularity when ``periods``) and solved together;
    ``members`` get the solution (a figure whose cells are all computed from collected ones, as
    spend from child-years, only needs it applied)."""

    name: str
    collect: tuple[str, ...]
    members: tuple[str, ...]
    periods: bool


FAMILIES = (
    Family("placements", ("aarsboern", "sammenbrud"), ("aarsboern", "udgifter", "sammenbrud"), periods=True),
    Family("complaints", ("klager",), ("klager",), periods=True),
    Family("ladder", ("trappe-nu", "trappe"), ("trappe-nu", "trappe"), periods=False),
)
_FAMILY_OF = {key: f for f in FAMILIES for key in f.members}
# The quantities that add up over the teams of a district and the districts of the municipality,
# and over the half-years of a year (a count on a day, and the cases on it, only over the teams).
SCOPE_ADDITIVE = {"child_years", "breakdowns", "complaints", "on_step", "on_day"}
PERIOD_ADDITIVE = {"child_years", "breakdowns", "complaints"}


def _organisation(ctx: FigureContext) -> tuple[dict[tuple, Scope], dict[tuple, list[list[tuple]]]]:
    """Every part of the organisation the person can choose (their whole scope, its districts for
    management, its teams), and how each is made up of others."""
    reach = ctx.reach
    teams = list(teams_in(reach))
    team_scopes = {t.pk: Scope(reach.municipality_id, team_ids=(t.pk,)) for t in teams}
    scopes = {unit_of(reach): reach, **{unit_of(s): s for s in team_scopes.values()}}
    children = {unit_of(reach): [[unit_of(s) for s in team_scopes.values()]]}
    if reach.team_ids is None:
        districts = {}
        for t in teams:
            districts.setdefault(t.district_id, []).append(unit_of(team_scopes[t.pk]))
        for district_id, units in districts.items():
            scope = Scope(reach.municipality_id, district_ids=(district_id,))
            scopes[unit_of(scope)] = scope
            children[unit_of(scope)] = [units]
        children[unit_of(reach)].append([("districts", (d,)) for d in districts])
    chosen = ctx.scope
    if chosen.team_ids is not None and chosen.district_ids is not None:
        # A team chosen together with its district counts the team.
        inside = {t.pk for t in teams if t.district_id in chosen.district_ids}
        if set(chosen.team_ids) <= inside:
            ctx.unit_key = ("teams", tuple(sorted(chosen.team_ids)))
    return scopes, children


def _related(ctx: FigureContext, family: Family) -> tuple[list[FigureContext], dict]:
    """The contexts of the tables related to ``ctx``'s (``ctx`` itself among them)."""
    scopes, children = _organisation(ctx)
    granularity = ctx.choice["granularity"]
    granularities = ["year", "half"] if family.periods and granularity in ("year", "half") else [granularity]
    members = [ctx]
    for unit, scope in scopes.items():
        for g in granularities:
            if unit == ctx.unit and g == granularity:
                continue
            members.append(
                FigureContext.for_years(
                    scope,
                    (ctx.first, ctx.last),
                    year_from=ctx.choice["year_from"],
                    year_to=ctx.choice["year_to"],
                    granularity=g,
                    price_year=ctx.choice["price_year"],
                    reach=ctx.reach,
                    prices=ctx.prices,
                )
            )
    # Their child-days counted together (``ctx``'s too, unless counted already); the batch stays
    # with ``ctx``, so the next family solved for the page reuses what was counted.
    batch = ctx.batch or RelatedCounts(ctx.reach)
    for member in members:
        if member is ctx and "placed_days" in ctx.__dict__:
            continue
        batch.want(member.scope, member.periods)
        member.batch = batch
    return members, children


def _solved(ctx: FigureContext, family: Family) -> set:
    """The keys of the cells hidden when ``family``'s tables related to ``ctx`` are solved together;
    computed once per context."""
    cache = ctx.extra.setdefault("disclosure", {})
    if family.name not in cache:
        members, children = _related(ctx, family)
        with disclosure.session("collect") as recorded:
            for member in members:
                for key in family.collect:
                    FIGURES[key](member)
        system = disclosure.System()
        for cells, sums in recorded.calls:
            for cell in cells:
                system.add(cell)
            for total, parts in sums:
                system.relate(total, parts)
        disclosure.related(
            system, scope_additive=SCOPE_ADDITIVE, period_additive=PERIOD_ADDITIVE, children=children
        )
        disclosure.solve(system)
        cache[family.name] = {v for v in system.cells if v[0] != "cell" and system.hidden(v)}
    return cache[family.name]


def compute(key: str, ctx: FigureContext) -> Figure:
    """The figure ``key`` for ``ctx`` as the page, its export and the statistics API show it: with
    the disclosure control solved over every table related to it that the person can see."""
    family = _FAMILY_OF.get(key)
    if family is None or ctx.reach is None or not ctx.choice:
        return FIGURES[key](ctx)
    hidden = _solved(ctx, family)
    with disclosure.session("apply", hidden=hidden):
        return FIGURES[key](ctx)
