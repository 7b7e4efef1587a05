"""Disclosure control across tables: suppression solved over every table a person can set side by
side, and the attacker that checks it (issue 21 point 6, "small numbers cannot be worked out").

A hidden cell must not be recoverable from what the same person can see elsewhere: a total, the
same count for a finer period (the half-years of a year) or for a finer part of the organisation
(the districts of the municipality, the teams of a district). Each table's additive structure is
declared where the table is made (``tables.protect``'s sums, and a ``Cell.key`` naming the
quantity a cell shows, e.g. ``("child_years", "all", unit, period)``); ``evaluation.figures``
computes the related tables (``figures.FAMILIES``) and this module solves them together.

The additive relations that occur on the pages, the exports and the statistics API (they share the
tables, ``evaluation.views.figure_for``):

- within a table: the parts of a total (the placement types of "Anbragte i alt", the family-care
  types of "Familiepleje i alt", the ladder steps of a month's or a day's cases, the teams of the
  complaints total, the measure types of a step, a group and all spend);
- across periods: a year's child-years, placement spend, breakdowns and complaints are the sum of
  its two half-years (a page counted per year and the same page counted per half-year);
- across the organisation: the municipality's count is the sum of its districts', a district's of
  its teams', a team leader's teams together the sum of each team's (child-years, spend,
  breakdowns, complaints, and the cases on each ladder step on a day);
- across figures: the same quantity shown by two figures is one quantity (the child-years of
  "Anbragte årsbørn" and of "Sammenbrud"; a day's cases of "Sager på indsatstrappen" and of the
  month rows; a team's complaints and cases in the municipality's and in the district's table).

Not declared (no exact linear relation between the tables a person can ask for, or a limit, see
docs/brugervejledning.md): rolling twelve months against calendar periods; distinct counts
(children, cases open in a period, cases that moved) which do not add up; the district comparison's
freely chosen groups and dates, the SDQ cohorts' freely chosen windows, and the movements over a
freely chosen range of years.

The solution: primary suppression (fewer than ``MIN_CHILDREN`` children, not none), then, for every
relation with exactly one hidden member, hide the smallest other visible member that is not zero (a
zero is no person), until nothing changes; then ask the attacker (``recoverable``) and, while it
recovers a cell, hide one more member of a relation holding it. A cell is recoverable iff its unit
vector lies in the row space of the relations' coefficients restricted to the hidden cells; this
is worked out exactly with fractions.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Hashable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from fractions import Fraction

from evaluation.tables import MIN_CHILDREN, Cell

Var = Hashable


def var_of(cell: Cell) -> Var:
    """The quantity a cell shows: its key when it has one (the same key in two tables is the same
    number), otherwise the cell itself."""
    return cell.key if cell.key is not None else ("cell", id(cell))


def _value(cell: Cell) -> Fraction:
    """The cell's number (none or a text: 0, nothing to hide behind)."""
    if cell.value is None or isinstance(cell.value, str):
        return Fraction(0)
    return Fraction(str(cell.value))


@dataclass
class System:
    """Cells grouped into quantities, and the linear relations (total = sum of parts) among them."""

    cells: dict[Var, list[Cell]] = field(default_factory=dict)
    relations: list[tuple[Var, tuple[Var, ...]]] = field(default_factory=list)
    # The cells already added (by identity): a family adds each cell once per table and once per
    # sum that holds it, hundreds of times on a management page.
    _seen: set[int] = field(default_factory=set)
    _hidden: set | None = None

    def add(self, cell: Cell) -> Var:
        var = var_of(cell)
        if id(cell) not in self._seen:
            self._seen.add(id(cell))
            self.cells.setdefault(var, []).append(cell)
        return var

    def relate(self, total: Cell | Var, parts: Iterable[Cell | Var]) -> None:
        def v(x):
            return self.add(x) if isinstance(x, Cell) else x

        self.relations.append((v(total), tuple(v(p) for p in parts)))

    def hidden(self, var: Var) -> bool:
        if self._hidden is not None:
            return var in self._hidden
        return any(c.hidden for c in self.cells[var])

    def track_hidden(self) -> None:
        """From now on, know which quantities are hidden from a set kept by ``hide`` (``solve``
        asks hundreds of thousands of times on a national management page), instead of asking
        every cell each time; no cell is added or marked by other means while solving."""
        self._hidden = {var for var, group in self.cells.items() if any(c.hidden for c in group)}

    def value(self, var: Var) -> Fraction:
        return _value(self.cells[var][0])

    def rank(self, var: Var) -> tuple:
        """An order of the quantities that does not depend on which table was made first (a
        keyed one by its key), so that every page of a family finds the same solution."""
        if isinstance(var, tuple) and var and var[0] != "cell":
            return (0, repr(var))
        return (1, list(self.cells).index(var))

    def hide(self, var: Var) -> None:
        for cell in self.cells[var]:
            cell.secondary = True
        if self._hidden is not None:
            self._hidden.add(var)


def primary(cells: Iterable[Cell]) -> None:
    """A count of fewer than ``MIN_CHILDREN`` children, but not none, is hidden."""
    for cell in cells:
        if cell.n is not None and 0 < cell.n < MIN_CHILDREN:
            cell.primary = True


def _order(system: System, var: Var):
    """Which visible member to hide first: the smallest, then the one seen first (stable)."""
    return (abs(system.value(var)), system.rank(var))


def _hide_one_more(system: System, total: Var, parts: Sequence[Var]) -> bool:
    """Hide the smallest visible part that is not zero, else the total; False if neither can be."""
    candidates = [p for p in parts if not system.hidden(p) and system.value(p) != 0]
    if not candidates and not system.hidden(total) and system.value(total) != 0:
        candidates = [total]
    if not candidates:
        return False
    system.hide(min(candidates, key=lambda v: _order(system, v)))
    return True


def _single_pass(system: System) -> None:
    """Hide until no relation has exactly one hidden member."""
    changed = True
    while changed:
        changed = False
        for total, parts in system.relations:
            members = {total, *parts}
            if sum(1 for m in members if system.hidden(m)) == 1:
                changed |= _hide_one_more(system, total, parts)


def _hide_near(system: System, var: Var) -> bool:
    """Hide one more member of a relation holding ``var``; where every such member is hidden or zero,
    one of a relation reached from it through hidden members (where the attacker's equations come
    from). False once nothing visible but zeros is left around it: then nothing can be worked out,
    since the hidden values only meet equations that zeros satisfy."""
    reached, frontier = {var}, [var]
    while frontier:
        touching = [(t, p) for t, p in system.relations if any(m in frontier for m in (t, *p))]
        if any(_hide_one_more(system, t, p) for t, p in touching):
            return True
        frontier = [m for t, p in touching for m in (t, *p) if system.hidden(m) and m not in reached]
        reached.update(frontier)
    return False


def solve(system: System) -> None:
    """Suppress over the whole system (in place): primary, the one-hidden rule, then repairs until
    the attacker recovers nothing."""
    primary(c for group in system.cells.values() for c in group)
    system.track_hidden()
    system.relations.sort(key=lambda r: [system.rank(m) for m in (r[0], *r[1])])
    while True:
        _single_pass(system)
        found = recoverable(system)
        if not found or not any(_hide_near(system, var) for var in found):
            return


def recoverable(system: System) -> list[Var]:
    """The hidden quantities a person who sees every visible cell can work out: those whose unit
    vector lies in the row space of the relations restricted to the hidden quantities (exact, with
    fractions; the visible values only move the right-hand side)."""
    order = {var: system.rank(var) for var in system.cells}
    pivots: dict[Var, dict[Var, Fraction]] = {}
    for total, parts in system.relations:
        row: dict[Var, Fraction] = {}
        for var, coefficient in [(total, 1), *((p, -1) for p in parts)]:
            if system.hidden(var):
                row[var] = row.get(var, Fraction(0)) + coefficient
        row = {v: c for v, c in row.items() if c}
        # Reduce by the pivots so far: a pivot row holds no other pivot, so one pass is enough.
        for var in [v for v in row if v in pivots]:
            factor = row.get(var, Fraction(0))
            if factor:
                for v, c in pivots[var].items():
                    row[v] = row.get(v, Fraction(0)) - factor * c
        row = {v: c for v, c in row.items() if c}
        if not row:
            continue
        pivot = min(row, key=order.__getitem__)
        row = {v: c / row[pivot] for v, c in row.items()}
        for other in pivots.values():
            factor = other.get(pivot)
            if factor:
                for v, c in row.items():
                    other[v] = other.get(v, Fraction(0)) - factor * c
                for v in [v for v, c in other.items() if not c]:
                    del other[v]
        pivots[pivot] = row
    return sorted((p for p, row in pivots.items() if len(row) == 1), key=order.__getitem__)


# --- Relations between tables ---------------------------------------------------------------------


def related(
    system: System,
    *,
    scope_additive: set[str],
    period_additive: set[str],
    children: dict[Hashable, list[list[Hashable]]],
) -> None:
    """Add the relations between tables: for a key ``(measure, *what, unit, (start, end))``, the
    unit's count is the sum of each partition of it in ``children`` (scope) and a period's the sum
    of two adjoining periods that make it up (period), where all the parts were computed."""
    keys = {v for v in system.cells if isinstance(v, tuple) and v and v[0] != "cell"}
    spans = {v[-1] for v in keys}
    one_day = datetime.timedelta(days=1)
    for key in sorted(keys, key=repr):
        measure, *what, unit, span = key
        if measure in scope_additive:
            for partition in children.get(unit, []):
                parts = [(measure, *what, child, span) for child in partition]
                if all(p in keys for p in parts):
                    system.relate(key, parts)
        if measure in period_additive and isinstance(span, tuple):
            for first in spans:
                if not isinstance(first, tuple) or first[0] != span[0] or first[1] >= span[1]:
                    continue
                second = (first[1] + one_day, span[1])
                parts = [(measure, *what, unit, first), (measure, *what, unit, second)]
                if all(p in keys for p in parts):
                    system.relate(key, parts)


# --- Running the figures twice: collect, then apply ----------------------------------------------


@dataclass
class Session:
    """What ``tables.protect`` does while a family of tables is solved together: ``collect``
    records every call's cells and sums; ``apply`` hides the cells whose key the family's solution
    hid, in the figure computed again (its charts and texts then see the final hidden cells)."""

    mode: str
    hidden: set = field(default_factory=set)
    calls: list[tuple[list[Cell], list[tuple[Cell, list[Cell]]]]] = field(default_factory=list)

    def protect(self, cells: list[Cell], sums) -> None:
        primary(cells)
        if self.mode == "collect":
            self.calls.append((cells, [(t, list(p)) for t, p in sums]))
            return
        for cell in cells:
            if cell.key in self.hidden and not cell.hidden:
                cell.secondary = True
        # A cell the family left out (no key) is still protected within its table.
        system = System()
        for cell in cells:
            system.add(cell)
        for total, parts in sums:
            system.relate(total, parts)
        solve(system)


SESSION: ContextVar[Session | None] = ContextVar("disclosure_session", default=None)


@contextlib.contextmanager
def session(mode: str, hidden: set | None = None):
    current = Session(mode, hidden=hidden or set())
    token = SESSION.set(current)
    try:
        yield current
    finally:
        SESSION.reset(token)


def collecting() -> bool:
    """Whether the tables being made now are only collected (``session("collect")``): their
    figures are thrown away once their cells are recorded, so nothing needs to be drawn."""
    current = SESSION.get()
    return current is not None and current.mode == "collect"
