"""The 75/25 figure shows the base its shares are of, and the shares add up to 100 % on the page
(issue 21, point 7), rounding included; the same categories get the same colour on every figure."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from evaluation import palette, selectors
from evaluation.figures import (
    FIGURES,
    FigureContext,
    _target_cells,
    _target_parts,
    adding_up,
)
from evaluation.models import PlacementTarget
from evaluation.periods import clip, year
from evaluation.scope import Scope
from measures.models import PlacementCategory as C

D = datetime.date
FAMILY = [C.NETWORK_FOSTER, C.FOSTER_FAMILY, C.SPECIAL_FOSTER]


def _targets():
    return [
        PlacementTarget(name="Familiepleje", categories=FAMILY, comparison="at_least", share=Decimal(75)),
        PlacementTarget(
            name="Institution", categories=[C.INSTITUTION], comparison="at_most", share=Decimal(25)
        ),
    ]


def test_shares_are_rounded_so_that_they_add_up_to_100():
    assert adding_up([1, 1, 1]) == [Decimal("33.4"), Decimal("33.3"), Decimal("33.3")]
    # Rounded each on its own these would be 52.5 + 26.2 + 21.3 = 100.0, but 1/3 each gives 99.9.
    assert sum(adding_up([1279, 639, 520])) == 100
    assert sum(adding_up([2, 2, 2, 1], decimals=0)) == 100
    assert adding_up([0, 0]) is None


def test_the_targets_are_parts_of_one_base_with_the_rest_of_the_placed():
    base, parts = _target_parts(_targets())
    assert base == selectors.CATEGORIES
    assert [(p.label, p.key) for p in parts] == [
        ("Familiepleje", "family_care"),
        ("Institution", "institution"),
        ("Øvrige anbragte: Hjemmebaserede anbringelser", "home_based"),
    ]
    # Targets of different bases are not parts of one whole: no rest, no base row.
    narrowed = _targets()
    narrowed[1].base_categories = [C.INSTITUTION, *FAMILY]
    assert _target_parts(narrowed)[0] is None


def test_one_periods_shares_add_up_and_carry_the_base():
    placed = selectors.Placed(
        period=year(2025),
        days={
            C.HOME_BASED: 520,
            C.NETWORK_FOSTER: 184,
            C.FOSTER_FAMILY: 1095,
            C.SPECIAL_FOSTER: 0,
            C.INSTITUTION: 639,
        },
        children={
            C.HOME_BASED: 5,
            C.NETWORK_FOSTER: 3,
            C.FOSTER_FAMILY: 6,
            C.SPECIAL_FOSTER: 0,
            C.INSTITUTION: 4,
            "family_care": 9,
            "all": 18,
        },
    )
    base, parts = _target_parts(_targets())
    cells, whole = _target_cells(placed, base, parts)
    with translation.override("da"):
        assert [row[0].display() for row in cells] == ["52,5 %", "26,2 %", "21,3 %"]
        assert [row[2].display() for row in cells] == ["Nej", "Nej", ""]
        assert whole.display() == "6,68"  # 2438 days / 365
    assert sum(row[0].value for row in cells) == 100


@pytest.fixture
def whole(kora):
    return Scope(municipality_id=kora.org.municipality.pk)


def test_the_figure_shows_the_base_under_each_period_and_hides_as_the_child_years_table_does(whole):
    partial = clip(year(2025), D(2025, 1, 1), D(2025, 12, 3))
    ctx = FigureContext(whole, D(2025, 1, 1), D(2025, 12, 3), D(2025, 1, 1), D(2025, 12, 3), [partial])
    with translation.override("da"):
        figure = FIGURES["maal"](ctx)
        years = FIGURES["aarsboern"](ctx)
    table = {row.label: [c.display() for c in row.cells] for row in figure.table.rows}
    assert table["Grundlaget: anbragte i alt"][1:3] == ["100,0 %", years.table.rows[-1].cells[0].display()]
    # Home-based has two children: hidden, and with it the smallest other part, as in the
    # child-years table, so the hidden share cannot be worked out from 100 %.
    assert table["Øvrige anbragte: Hjemmebaserede anbringelser"][1] == "<3"
    assert [t.label for t in figure.chart.x_labels] == [
        f"2025 (til 03.12.2025) Grundlag: {table['Grundlaget: anbragte i alt'][2]} årsbørn"
    ]
    assert figure.chart.y_title.label == "Andel af anbragte årsbørn (%)"


def test_a_category_has_the_same_colour_on_every_figure_that_shows_it(whole):
    ctx = FigureContext(whole, D(2025, 1, 1), D(2025, 12, 31), D(2025, 1, 1), D(2025, 12, 31), [year(2025)])
    ctx.extra.update({"informant": "teacher", "before": year(2025), "after": year(2025)})
    ctx.extra.update({"groups": [("A", whole), ("B", whole)], "periods": [year(2024), year(2025)]})
    seen: dict[str, set[str]] = {}
    with translation.override("da"):
        for build in FIGURES.values():
            chart = build(ctx).chart
            if chart is None:
                continue
            for css, label, _hatch in chart.legend:
                seen.setdefault(label.split(":")[0], set()).add(css)
    family = palette.css_class(palette.placement("family_care"))
    institution = palette.css_class(palette.placement("institution"))
    assert seen["Familiepleje"] == {family}  # child-years and the 75/25 targets
    assert seen["Institution"] == {institution}
    assert seen["Plejefamilieanbringelser"] == {family}  # the follow-ups' case type
    assert seen["Institutionsanbringelser"] == {institution}
    assert seen["1. Forebyggelse"] == {palette.css_class(palette.step(1))}
    assert len(seen["2025"]) == 1  # a year on the complaints and on the comparison of districts
    for label, classes in seen.items():
        assert len(classes) == 1, (label, classes)
