"""Management's tables of caseload, deadlines and the ladder per team, with the evaluation app's
disclosure control (``evaluation.tables``): a count of fewer than three children is not shown, so
no child can be told apart. Counts of staff and deadlines are not counts of children."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from cases.caseload import ABOVE, AT_CAP, WARNING
from dashboards.selectors import Cohort, TeamFigures, Window
from evaluation.tables import Cell, Row, Table, protect, share


def _label(f: TeamFigures) -> str:
    return f"{f.team.name} ({f.team.district})"


def _children(value: int) -> Cell:
    return Cell(value, n=value)


def _table(
    title: str, columns: list[str], figures: list[TeamFigures], cells_of, *, children: set[int]
) -> Table:
    """One row per team and a total row; the columns in ``children`` count children and are
    protected, with the total as the sum of the teams."""
    rows = [cells_of(f) for f in figures]
    totals = [sum(float(r[i].value or 0) for r in rows) for i in range(len(columns))]
    total_cells = [Cell(int(t), n=int(t)) if i in children else Cell(int(t)) for i, t in enumerate(totals)]
    cells = [c for r in rows for i, c in enumerate(r) if i in children]
    protect(
        [*cells, *(total_cells[i] for i in children)],
        [(total_cells[i], [r[i] for r in rows]) for i in children],
    )
    table_rows = [Row(_label(f), r) for f, r in zip(figures, rows, strict=True)]
    table_rows.append(Row(_("Alle teams"), total_cells, total=True))
    return Table(title=title, row_header=_("Team"), columns=columns, rows=table_rows)


def caseload_table(figures: list[TeamFigures], window: Window) -> Table:
    def cells(f: TeamFigures) -> list[Cell]:
        return [
            Cell(f.advisors),
            _children(f.open_cases),
            _children(f.without_advisor),
            Cell(f.advisors_at_level(WARNING)),
            Cell(f.advisors_at_level(AT_CAP, ABOVE)),
            Cell(f.overrides),
        ]

    table = _table(
        _("Sagstal mod loftet"),
        [
            _("Rådgivere"),
            _("Åbne sager"),
            _("Uden rådgiver"),
            _("Rådgivere over advarselsniveau"),
            _("Rådgivere ved eller over loftet"),
            _("Loftet tilsidesat i perioden"),
        ],
        figures,
        cells,
        children={1, 2},
    )
    # The average load per advisor, after the protected counts (it counts no child on its own).
    table.columns.insert(3, _("Sager pr. rådgiver"))
    for row, f in zip(table.rows, [*figures, None], strict=True):
        if f is None:
            advisors = sum(x.advisors for x in figures)
            loads = sum(sum(x.loads) for x in figures)
            value = Decimal(loads) / advisors if advisors else None
        else:
            value = Decimal(str(f.average_load)) if f.average_load is not None else None
        row.cells.insert(3, Cell(value, "dec1"))
    table.notes.append(
        _(
            "Et advarselsniveau og et loft pr. team; en rådgiver tæller med alle sine åbne sager. "
            "Tilsidesættelser: %(start)s-%(end)s."
        )
        % {"start": window.start.strftime("%d.%m.%Y"), "end": window.end.strftime("%d.%m.%Y")}
    )
    return table


def deadlines_table(figures: list[TeamFigures], coming_days: int) -> Table:
    def cells(f: TeamFigures) -> list[Cell]:
        return [Cell(f.overdue), Cell(f.overdue_statutory), Cell(f.coming)]

    return _table(
        _("Åbne frister"),
        [
            _("Overskredne"),
            _("Heraf lovpligtige"),
            _("De næste %(days)s dage") % {"days": coming_days},
        ],
        figures,
        cells,
        children=set(),
    )


def ladder_table(figures: list[TeamFigures], window: Window, target_months: int | None) -> Table:
    def cells(f: TeamFigures) -> list[Cell]:
        return [
            _children(f.down),
            _children(f.up),
            _children(f.first),
            _children(f.transfers_in),
            _children(f.transfers_out),
            _children(f.placed),
            _children(f.placed_beyond_target),
        ]

    beyond = (
        _("Heraf i mindst %(months)s mdr.") % {"months": target_months}
        if target_months
        else _("Heraf over målet")
    )
    table = _table(
        _("Indsatstrappen og flytninger"),
        [
            _("Ned ad trappen"),
            _("Op ad trappen"),
            _("Første indsats"),
            _("Flyttet hertil"),
            _("Flyttet herfra"),
            _("På institution nu"),
            beyond,
        ],
        figures,
        cells,
        children=set(range(7)),
    )
    table.notes.append(
        _(
            "Bevægelser og flytninger mellem distrikter: %(start)s-%(end)s. På institution: sager på et "
            "trin med døgninstitution, opholdssted eller sikret institution."
        )
        % {"start": window.start.strftime("%d.%m.%Y"), "end": window.end.strftime("%d.%m.%Y")}
    )
    return table


def cohort_cells(cohort: Cohort | None) -> tuple[Cell, Cell, Cell] | None:
    """The cohort's children, those who stepped down, and their share; protected."""
    if cohort is None:
        return None
    entered = _children(cohort.entered)
    down = _children(cohort.stepped_down)
    protect([entered, down])
    return entered, down, share(down, entered)
