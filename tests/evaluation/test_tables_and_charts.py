"""Disclosure control (figures never single out a child), the periods, and the server-drawn charts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from xml.etree import ElementTree

from django.template.loader import render_to_string
from django.utils import translation

from evaluation.charts import Series, bar_chart, line_chart
from evaluation.periods import clip, month_ends, periods_between, spanning, year
from evaluation.tables import Cell, change, protect, share

D = datetime.date


def test_fewer_than_three_children_show_as_less_than_three_and_none_as_zero():
    one, two, three, none = Cell(1, n=1), Cell(2, n=2), Cell(3, n=3), Cell(0, n=0)
    protect([one, two, three, none])
    assert [c.display() for c in (one, two, three, none)] == ["<3", "<3", "3", "0"]
    assert [c.export() for c in (one, two, three, none)] == ["<3", "<3", 3, 0]


def test_a_hidden_part_of_a_shown_total_hides_the_smallest_other_part():
    small, medium, large = Cell(2, n=2), Cell(5, n=5), Cell(9, n=9)
    total = Cell(16, n=16)
    protect([small, medium, large, total], [(total, [small, medium, large])])
    # 16 - 5 - 9 would give the hidden 2 away: the 5 is hidden too
    assert [c.display() for c in (small, medium, large, total)] == ["<3", "..", "9", "16"]


def test_a_total_with_only_one_counted_part_is_hidden_with_it():
    part, empty = Cell(4, n=2), Cell(0, n=0)
    total = Cell(4, n=4)
    protect([part, empty, total], [(total, [part, empty])])
    assert (part.display(), empty.display(), total.display()) == ("<3", "0", "..")


def test_secondary_suppression_runs_until_nothing_can_be_worked_out():
    # Two sums sharing a cell: hiding for the first makes the second need one more.
    a, b, c = Cell(1, n=1), Cell(4, n=4), Cell(6, n=6)
    d, e = Cell(3, n=3), Cell(8, n=8)
    first, second = Cell(11, n=11), Cell(15, n=15)
    protect([a, b, c, d, e, first, second], [(first, [a, b, c]), (second, [b, d, e])])
    assert a.primary and b.secondary and d.secondary
    assert not (c.hidden or e.hidden or first.hidden or second.hidden)


def test_cells_computed_from_hidden_cells_are_hidden_too():
    part, whole = Cell(2, n=2), Cell(10, n=10)
    protect([part, whole])
    percent = share(part, whole)
    assert (percent.display(), percent.number) == ("<3", None)
    assert change(whole, part).display() == ".."
    with translation.override("da"):
        assert share(Cell(3, n=3), whole).display() == "30,0 %"


def test_numbers_are_rounded_half_up_and_written_the_danish_way():
    with translation.override("da"):
        assert Cell(Decimal("1234.565"), "dec2").display() == "1.234,57"
        assert Cell(Decimal("2991400"), "kr").display() == "2.991.400"
    with translation.override("en"):
        assert Cell(Decimal("1234.565"), "dec2").display() == "1,234.57"


def test_periods_years_half_years_and_month_ends():
    assert [p.name for p in periods_between(2024, 2025, granularity="half")] == [
        "1. halvår 2024",
        "2. halvår 2024",
        "1. halvår 2025",
        "2. halvår 2025",
    ]
    assert year(2024).days == 366
    assert month_ends(D(2025, 1, 15), D(2025, 3, 10)) == [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 10)]
    partial = clip(year(2025), D(2024, 11, 25), D(2025, 11, 24))
    assert (partial.start, partial.end, partial.partial, partial.days) == (
        D(2025, 1, 1),
        D(2025, 11, 24),
        True,
        328,
    )
    assert clip(year(2023), D(2024, 1, 1), D(2025, 1, 1)) is None
    assert spanning(D(2025, 7, 1), D(2025, 12, 31)).name == "2. halvår 2025"
    with translation.override("da"):
        assert spanning(D(2025, 2, 1), D(2025, 3, 31)).name == "01.02.2025-31.03.2025"


def _render(chart):
    return render_to_string("evaluation/charts/chart.html", {"chart": chart, "chart_id": "c"})


def test_a_chart_is_an_image_with_a_title_and_draws_no_hidden_value():
    chart = line_chart(
        title="Sager pr. trin",
        x_labels=["jan", "feb", "mar"],
        series=[Series("Trin 1", [4.0, None, 6.0]), Series("Trin 2", [1.0, 2.0, 3.0])],
    )
    svg = _render(chart)
    assert 'role="img"' in svg and 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Sager pr. trin</title>' in svg
    # The hidden February value breaks the line in two instead of being drawn.
    assert len(chart.lines[0].segments) == 2 and len(chart.lines[0].points) == 2
    # Series differ by more than colour: each line has its own class, styled with its own dash.
    assert 'class="chart-line pal-ordinal-0"' in svg and 'class="chart-line pal-ordinal-1"' in svg


def test_bar_chart_draws_targets_and_keeps_coordinates_unlocalised():
    with translation.override("da"):
        chart = bar_chart(
            title="Andele",
            x_labels=["2024", "2025"],
            series=[Series("Familiepleje", [62.5, 70.25])],
            suffix=" %",
            targets=[(75, "Mål: mindst 75 %")],
            top_value=100,
            decimals=1,
        )
        svg = _render(chart)
    assert "Mål: mindst 75 %" in svg
    assert "Familiepleje, 2025: 70,3 %" in svg  # the title speaks Danish
    assert 'y1="76.0"' in svg  # the geometry does not: 75 % of the plot, with a decimal point
    assert chart.ticks[-1].label == "100 %"


def test_a_chart_with_every_value_hidden_is_left_out():
    assert bar_chart(title="x", x_labels=["a"], series=[Series("s", [None])]).empty


def test_every_text_of_a_chart_is_escaped_and_wellformed_svg():
    """The chart is written out in Python (``evaluation.svg``): each value it writes, the title,
    the labels, a bar's title, the legend and the id, is escaped, and the markup parses as XML
    with a ``<text>`` per label, slanted and abbreviated ones keeping the whole in a ``<title>``."""
    hostile = '<script>alert("x")</script> & co'
    labels = [f"{hostile} {i} med et langt navn på en indsats" for i in range(14)]
    chart = bar_chart(
        title=hostile,
        x_labels=labels,
        series=[
            Series(hostile, list(range(14)), alerts=["Over <loftet>"] + [""] * 13),
            Series("B", [1] * 14),
        ],
        targets=[(5, hostile)],
        y_title=hostile,
        x_title=hostile,
    )
    svg = render_to_string("evaluation/charts/chart.html", {"chart": chart, "chart_id": 'c"x'})
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'id="c&quot;x-title"' in svg
    root = ElementTree.fromstring(svg)  # noqa: S314 - markup the test itself drew; raises if broken
    texts = root.iter("{http://www.w3.org/2000/svg}text")
    drawn = [t for t in texts if "chart-axis-title" not in (t.get("class") or "")]
    # 14 x labels (slanted or wrapped, each abbreviated with the whole in its title), ticks, the
    # target's label and the alert above the first bar.
    assert len(drawn) >= 14 + len(chart.ticks) + 2
    abbreviated = [t for t in drawn if t.find("{http://www.w3.org/2000/svg}title") is not None]
    wholes = {t.find("{http://www.w3.org/2000/svg}title").text for t in abbreviated}
    assert wholes & set(labels) and wholes <= set(labels) | {hostile, "Over <loftet>"}
    assert any(t.get("transform", "").startswith("rotate(") for t in drawn) or any(
        len(t.findall("{http://www.w3.org/2000/svg}tspan")) > 1 for t in drawn
    )
    legend = root.find("ul")
    assert ["".join(li.itertext()) for li in legend] == [hostile, "B", "Over <loftet>"]
