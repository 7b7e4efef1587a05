"""Small numbers cannot be worked out (issue 21 point 6): suppression solved across the tables a
person can see, and an attacker that tries to recover every suppressed cell from the others."""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation import disclosure
from evaluation.tables import Cell, protect

D = datetime.date
YEAR, H1, H2 = (
    (D(2025, 1, 1), D(2025, 12, 31)),
    (D(2025, 1, 1), D(2025, 6, 30)),
    (D(2025, 7, 1), D(2025, 12, 31)),
)
ALL = ("all",)


def _dense_rref(rows: list[list[Fraction]]) -> list[list[Fraction]]:
    """An independent reduced row echelon form (plain Gauss-Jordan on dense rows)."""
    rows = [list(r) for r in rows if any(r)]
    rank = 0
    for col in range(len(rows[0]) if rows else 0):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        rows[rank] = [a / rows[rank][col] for a in rows[rank]]
        for i in range(len(rows)):
            if i != rank and rows[i][col]:
                factor = rows[i][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rows[:rank]


def _recoverable_by_rank(system: disclosure.System) -> set:
    """A hidden cell is recoverable iff its unit vector is in the row space: in reduced form, iff
    some row is that unit vector."""
    hidden = [v for v in system.cells if system.hidden(v)]
    index = {v: i for i, v in enumerate(hidden)}
    rows = []
    for total, parts in system.relations:
        row = [Fraction(0)] * len(hidden)
        for var, coefficient in [(total, 1), *((p, -1) for p in parts)]:
            if var in index:
                row[index[var]] += coefficient
        rows.append(row)
    found = set()
    for row in _dense_rref(rows):
        nonzero = [i for i, a in enumerate(row) if a]
        if len(nonzero) == 1:
            found.add(hidden[nonzero[0]])
    return found


# --- The attacker ----------------------------------------------------------------------------------


def test_the_attacker_recovers_a_lone_hidden_part_and_not_two():
    a, b, c, total = Cell(2, n=2), Cell(5, n=5), Cell(9, n=9), Cell(16, n=16)
    system = disclosure.System()
    system.relate(total, [a, b, c])
    a.primary = True
    assert disclosure.recoverable(system) == [disclosure.var_of(a)]
    b.secondary = True
    assert disclosure.recoverable(system) == []


def test_the_attacker_combines_relations():
    # a + b, a + c and b + c shown: every one of the three hidden cells can be worked out.
    a, b, c = Cell(1, n=1), Cell(2, n=2), Cell(4, n=4)
    ab, ac, bc = Cell(3, n=3), Cell(5, n=5), Cell(6, n=6)
    system = disclosure.System()
    for total, parts in ((ab, [a, b]), (ac, [a, c]), (bc, [b, c])):
        system.relate(total, parts)
    a.primary = b.primary = c.secondary = True
    assert set(disclosure.recoverable(system)) == {disclosure.var_of(x) for x in (a, b, c)}
    disclosure.solve(system)
    assert disclosure.recoverable(system) == []


# --- The leak across tables, and its repair -------------------------------------------------------


def _hierarchy(values: dict[tuple[str, tuple], dict[str, int]]):
    """Cells of the tables of two teams (each its own district) and the municipality, per
    period, keyed as the figures key them, with each table's total and the sums between tables."""
    tables = {}
    for (team, span), counts in values.items():
        tables[(("teams", (team,)), span)] = counts
    for (unit, span), counts in list(tables.items()):
        for parent in (ALL, ("districts", (unit[1][0],))):
            into = tables.setdefault((parent, span), {})
            for category, n in counts.items():
                into[category] = into.get(category, 0) + n if parent == ALL else n
    cells = {}
    for (unit, span), counts in tables.items():
        for category, n in counts.items():
            cells[("placed", category, unit, span)] = Cell(n, n=n, key=("placed", category, unit, span))
        total = sum(counts.values())
        cells[("placed", "total", unit, span)] = Cell(total, n=total, key=("placed", "total", unit, span))
    return tables, cells


def _table_sums(tables, cells):
    return {
        (unit, span): [
            (cells[("placed", "total", unit, span)], [cells[("placed", c, unit, span)] for c in counts])
        ]
        for (unit, span), counts in tables.items()
    }


def _system(tables, cells, teams):
    system = disclosure.System()
    for cell in cells.values():
        system.add(cell)
    for sums in _table_sums(tables, cells).values():
        for total, parts in sums:
            system.relate(total, parts)
    children = {ALL: [[("teams", (t,)) for t in teams], [("districts", (t,)) for t in teams]]}
    children.update({("districts", (t,)): [[("teams", (t,))]] for t in teams})
    disclosure.related(system, scope_additive={"placed"}, period_additive={"placed"}, children=children)
    return system


def test_a_team_hidden_on_its_own_page_was_worked_out_from_the_municipality_and_the_other_team():
    # Team 1 has one child in foster care; team 2 five. Each table protected alone (as before issue
    # 21 point 6) hides team 1's 1, but the municipality shows 6 and team 2 shows 5: 6 - 5 = 1.
    values = {(1, YEAR): {"foster": 1, "institution": 4}, (2, YEAR): {"foster": 5, "institution": 7}}
    tables, cells = _hierarchy(values)
    for (unit, span), sums in _table_sums(tables, cells).items():
        protect([cells[k] for k in cells if k[2:] == (unit, span)], sums)
    system = _system(tables, cells, teams=(1, 2))
    assert ("placed", "foster", ("teams", (1,)), YEAR) in disclosure.recoverable(system)

    tables, cells = _hierarchy(values)
    system = _system(tables, cells, teams=(1, 2))
    disclosure.solve(system)
    assert disclosure.recoverable(system) == []
    assert cells[("placed", "foster", ("teams", (1,)), YEAR)].primary


def test_a_half_year_hidden_was_worked_out_from_the_year_and_the_other_half():
    values = {
        (1, H1): {"foster": 2, "institution": 6},
        (1, H2): {"foster": 4, "institution": 5},
        (1, YEAR): {"foster": 6, "institution": 11},
    }
    tables, cells = _hierarchy(values)
    for (unit, span), sums in _table_sums(tables, cells).items():
        protect([cells[k] for k in cells if k[2:] == (unit, span)], sums)
    system = _system(tables, cells, teams=(1,))
    assert ("placed", "foster", ("teams", (1,)), H1) in disclosure.recoverable(system)

    tables, cells = _hierarchy(values)
    system = _system(tables, cells, teams=(1,))
    disclosure.solve(system)
    assert disclosure.recoverable(system) == []


def test_a_zero_is_not_hidden_to_protect_a_neighbour():
    small, zero, big, total = Cell(2, n=2), Cell(0, n=0), Cell(7, n=7), Cell(9, n=9)
    protect([small, zero, big, total], [(total, [small, zero, big])])
    assert (small.display(), zero.display(), big.display(), total.display()) == ("<3", "0", "..", "9")


# --- Random small data ------------------------------------------------------------------------------

COUNTS = st.integers(min_value=0, max_value=7)
CATEGORIES = ("foster", "network", "institution")


@st.composite
def organisations(draw):
    teams = tuple(range(1, draw(st.integers(min_value=1, max_value=3)) + 1))
    values = {}
    for team in teams:
        halves = [{c: draw(COUNTS) for c in CATEGORIES} for _half in (H1, H2)]
        values[(team, H1)], values[(team, H2)] = halves
        values[(team, YEAR)] = {c: halves[0][c] + halves[1][c] for c in CATEGORIES}
    return teams, values


@settings(max_examples=60, deadline=None)
@given(organisations())
def test_no_suppressed_cell_can_be_recovered_from_the_tables_a_person_sees(organisation):
    teams, values = organisation
    tables, cells = _hierarchy(values)
    system = _system(tables, cells, teams)
    disclosure.solve(system)
    assert disclosure.recoverable(system) == []
    assert _recoverable_by_rank(system) == set()
    for cell in cells.values():
        assert cell.hidden == (cell.primary or cell.secondary)
        if 0 < cell.n < 3:
            assert cell.primary
        if cell.value == 0:
            assert not cell.hidden  # a zero is no person


@settings(max_examples=60, deadline=None)
@given(organisations(), st.data())
def test_the_attacker_agrees_with_a_plain_rank_test(organisation, data):
    teams, values = organisation
    tables, cells = _hierarchy(values)
    system = _system(tables, cells, teams)
    for cell in cells.values():
        cell.secondary = data.draw(st.booleans())
    assert set(disclosure.recoverable(system)) == _recoverable_by_rank(system)


# --- The figures on the evaluation fixture -------------------------------------------------------


def _contexts(user, granularity):
    """A figure context for every part of the organisation ``user`` can choose, counted per
    ``granularity``, as the pages build them."""
    from evaluation import selectors
    from evaluation.figures import FigureContext
    from evaluation.scope import Scope, scope_for, sees_whole_municipality, teams_in

    reach = scope_for(user)
    coverage = selectors.coverage(reach)
    teams = list(teams_in(reach))
    scopes = [reach, *(Scope(reach.municipality_id, team_ids=(t.pk,)) for t in teams)]
    if sees_whole_municipality(user):
        scopes += [Scope(reach.municipality_id, district_ids=(d,)) for d in {t.district_id for t in teams}]
    return [
        FigureContext.for_years(
            s, coverage, year_from=2025, year_to=2025, granularity=granularity, reach=reach
        )
        for s in scopes
    ]


def _everything_seen(user, keys, figure):
    """Every keyed cell of the family's figures ``user`` can see (each scope, per year and per
    half-year), with the relations the tables declare, and whether each cell is hidden."""
    from evaluation import figures

    family = next(f for f in figures.FAMILIES if any(k in f.members for k in keys))
    system, shown = disclosure.System(), {}
    for granularity in ("year", "half"):
        for ctx in _contexts(user, granularity):
            with disclosure.session("collect") as recorded:
                for key in family.collect:
                    figures.FIGURES[key](ctx)
            for cells, sums in recorded.calls:
                for total, parts in sums:
                    system.relate(total, parts)
                for cell in cells:
                    system.add(cell)
            for key in family.members:
                for row in figure(key, ctx).table.rows:
                    for cell in row.cells:
                        if cell.key is not None:
                            shown.setdefault(cell.key, set()).add(cell.hidden)
            children = figures._organisation(ctx)[1]
    disclosure.related(
        system,
        scope_additive=figures.SCOPE_ADDITIVE,
        period_additive=figures.PERIOD_ADDITIVE,
        children=children,
    )
    # The attacker sees what the pages showed: a quantity is hidden where a table hid it.
    for var, cells in system.cells.items():
        for cell in cells:
            cell.primary, cell.secondary = False, var in shown and True in shown[var]
    return system, shown


FAMILY_FIGURES = [("aarsboern",), ("klager",), ("trappe",)]


@pytest.mark.parametrize("persona", ["management", "team_leader"])
@pytest.mark.parametrize("figure", FAMILY_FIGURES)
def test_no_suppressed_cell_of_the_figures_can_be_worked_out(kora, persona, figure):
    from evaluation.figures import compute

    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        system, shown = _everything_seen(getattr(kora.org, persona), figure, compute)
    # The same quantity is hidden in every table that shows it, and none can be worked out.
    assert [key for key, states in shown.items() if len(states) > 1] == []
    for var in disclosure.recoverable(system):
        print("REC", var, system.value(var))
        for t, p in system.relations:
            if var == t or var in p:
                print("   ", [(m[:-1], m[-1], system.value(m), system.hidden(m)) for m in (t, *p)])
    assert disclosure.recoverable(system) == []
    assert any(True in states for states in shown.values())


def test_before_issue_21_point_6_the_tables_protected_alone_gave_cells_away(kora):
    """The figures protected table by table (as before) leak on the fixture: a quantity hidden in
    one table is shown in another, or worked out from the others."""
    from evaluation.figures import FIGURES

    def alone(key, ctx):
        return FIGURES[key](ctx)

    leaks = []
    with time_machine.travel("2026-01-15 10:00 +01:00", tick=False):
        for figure in FAMILY_FIGURES:
            system, shown = _everything_seen(kora.org.management, figure, alone)
            leaks += [key for key, states in shown.items() if len(states) > 1]
            leaks += disclosure.recoverable(system)
    assert leaks
