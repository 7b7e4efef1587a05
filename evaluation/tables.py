"""Tables of figures, how their cells are shown, and the disclosure control that keeps them from
singling out a child.

The rule (stated on every page): a cell that counts fewer than ``MIN_CHILDREN`` children (but not
none) is shown as "<3" (primary suppression). So that a hidden cell cannot be worked out from a
total and the other cells, where a total is shown and exactly one of its parts is hidden, the
smallest other part that is not zero is hidden too, shown as ".." (secondary suppression), until
no hidden cell can be recovered (checked by ``evaluation.disclosure.recoverable``). The same holds
across the tables a person can see for the same part of the organisation and period (the
half-years of a year, the teams of a district): ``evaluation.disclosure``. A cell computed from
hidden cells (a share, a spend, a change) is hidden with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext_lazy as _

MIN_CHILDREN = 3
PRIMARY_MARK = f"<{MIN_CHILDREN}"
SECONDARY_MARK = ".."

DISCLOSURE_NOTE = _(
    "Tallene viser aldrig en enkelt person. Celler med færre end 3 børn vises som <3; celler, som "
    "ellers kunne regnes ud af en total eller af de samme tal for en anden periode eller en anden del "
    "af organisationen, og tal beregnet af skjulte celler vises som .. Et nul skjules ikke."
)

# How a cell's value is written: decimals, and the unit after it.
FORMATS = {
    "int": (0, ""),
    "dec1": (1, ""),
    "dec2": (2, ""),
    "pct": (1, " %"),
    "pp": (1, ""),
    "kr": (0, ""),
    "p3": (3, ""),
    "text": (None, ""),
}


def rounded(value, decimals: int) -> Decimal:
    """``value`` rounded half up (as people round, not to even) to ``decimals``."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number(value, decimals: int) -> str:
    """``value`` rounded half up to ``decimals`` and written the local way (1.234,5 in Danish);
    Django's own number formatting cuts decimals off instead of rounding."""
    return formats.number_format(rounded(value, decimals), decimals, use_l10n=True, force_grouping=True)


@dataclass(eq=False)
class Cell:
    """One value of a table. ``n`` is the number of children behind it (None: not a count of
    people, e.g. a unit price); ``bases`` are the cells it is computed from."""

    value: int | float | Decimal | str | None = None
    fmt: str = "int"
    n: int | None = None
    bases: tuple[Cell, ...] = ()
    primary: bool = False
    secondary: bool = False
    # The quantity shown, where another table can show it or a sum of it (``evaluation.disclosure``):
    # e.g. ("child_years", "all", unit, (start, end)).
    key: tuple | None = None

    @property
    def hidden(self) -> bool:
        return self.primary or self.secondary or any(b.hidden for b in self.bases)

    @property
    def mark(self) -> str:
        """ "<3" for a count of too few children and for what is computed from it (its first base),
        ".." for the rest that is hidden."""
        if self.primary:
            return PRIMARY_MARK
        if self.secondary:
            return SECONDARY_MARK
        if self.bases and self.bases[0].hidden:
            return self.bases[0].mark
        return SECONDARY_MARK if self.hidden else ""

    @property
    def number(self) -> float | None:
        """The value for a chart: None when hidden or empty."""
        if self.hidden or self.value is None or isinstance(self.value, str):
            return None
        return float(self.value)

    def display(self) -> str:
        if self.hidden:
            return self.mark
        if self.value is None:
            return "–"
        decimals, unit = FORMATS[self.fmt]
        if decimals is None:
            return str(self.value)
        if self.fmt == "p3" and self.value < 0.001:
            # A p-value is never shown as 0,000.
            return f"<{number(0.001, 3)}"
        return f"{number(self.value, decimals)}{unit}"

    def export(self):
        """The value for a spreadsheet: a number where there is one, else the text shown."""
        if self.hidden:
            return self.mark
        if self.value is None or self.fmt == "text":
            return "" if self.value is None else str(self.value)
        decimals, _unit = FORMATS[self.fmt]
        value = rounded(self.value, decimals)
        return int(value) if decimals == 0 else float(value)

    @property
    def is_numeric(self) -> bool:
        return self.fmt != "text"


def text(value) -> Cell:
    return Cell(value=str(value), fmt="text")


def share(part: Cell, whole: Cell) -> Cell:
    """``part`` in % of ``whole``; empty when the whole is zero."""
    if not whole.value:
        return Cell(None, "pct", bases=(part, whole))
    return Cell(Decimal(str(part.value)) * 100 / Decimal(str(whole.value)), "pct", bases=(part, whole))


def change(before: Cell, after: Cell, fmt: str | None = None) -> Cell:
    if before.value is None or after.value is None:
        return Cell(None, fmt or before.fmt, bases=(before, after))
    return Cell(
        Decimal(str(after.value)) - Decimal(str(before.value)), fmt or before.fmt, bases=(before, after)
    )


def relative_change(before: Cell, after: Cell) -> Cell:
    """The change from ``before`` to ``after`` in % of ``before``; empty when ``before`` is zero."""
    if before.value is None or after.value is None or not before.value:
        return Cell(None, "pct", bases=(before, after))
    old = Decimal(str(before.value))
    return Cell((Decimal(str(after.value)) - old) * 100 / old, "pct", bases=(before, after))


def protect(cells: Iterable[Cell], sums: Sequence[tuple[Cell, Sequence[Cell]]] = ()) -> None:
    """Apply the disclosure control to ``cells`` in place; ``sums`` are (total, parts) relations
    shown in the same table. While a family of related tables is solved together
    (``evaluation.disclosure.session``), the call is recorded or the family's solution replayed."""
    from evaluation import disclosure

    cells = list(cells)
    current = disclosure.SESSION.get()
    if current is not None:
        current.protect(cells, sums)
        return
    system = disclosure.System()
    for cell in cells:
        system.add(cell)
    for total, parts in sums:
        system.relate(total, parts)
    disclosure.solve(system)


@dataclass
class Row:
    label: str
    cells: list[Cell]
    level: int = 0
    total: bool = False


@dataclass
class Table:
    """A table as shown and exported. ``column_groups`` is an optional upper header row of
    (label, span) over ``columns``."""

    title: str
    row_header: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    column_groups: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def flat_columns(self) -> list[str]:
        """Column names for a file: the group label joined with the column's."""
        if not self.column_groups:
            return [str(c) for c in self.columns]
        names = []
        for label, span in self.column_groups:
            names += [
                f"{label} – {c}" if label else str(c) for c in self.columns[len(names) : len(names) + span]
            ]
        return names
