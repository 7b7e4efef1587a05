"""Readable charts (issue 21, point 7): with the longest real labels, no two pieces of text overlap
and none leaves the image; long names are wrapped, thinned, slanted or abbreviated with the whole
name kept in a <title>; every chart names its axes."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.template.loader import render_to_string
from django.utils import formats, translation

from evaluation.charts import Chart, Series, Text, bar_chart, line_chart, text_width
from evaluation.periods import clip, periods_between
from measures.catalog import AFTERCARE_TYPES, MEASURE_TYPES
from measures.models import LadderMovement

D = datetime.date


def _axes(points):
    for (x1, y1), (x2, y2) in itertools.pairwise([*points, points[0]]):
        yield (y1 - y2, x2 - x1)


def _overlap(a: Text, b: Text) -> bool:
    """Two (possibly turned) boxes overlap unless some edge's normal separates them."""
    pa, pb = a.corners(), b.corners()
    for axis in [*_axes(pa), *_axes(pb)]:
        qa = [x * axis[0] + y * axis[1] for x, y in pa]
        qb = [x * axis[0] + y * axis[1] for x, y in pb]
        if max(qa) <= min(qb) or max(qb) <= min(qa):
            return False
    return True


def assert_readable(chart: Chart):
    texts = chart.texts()
    for t in texts:
        for x, y in t.corners():
            assert 0 <= x <= chart.width and 0 <= y <= chart.height, (
                t.label,
                x,
                y,
                chart.width,
                chart.height,
            )
    for a, b in itertools.combinations(texts, 2):
        assert not _overlap(a, b), (a.label, b.label)
    for t in chart.x_labels:
        # What is written is the label or an abbreviation of it with the whole in the <title>.
        assert t.abbreviated or " ".join(t.lines) == t.label


def _measure_names():
    return sorted((row[1] for row in [*MEASURE_TYPES, *AFTERCARE_TYPES]), key=len, reverse=True)


LONG_TEAMS = [
    f"Børne- og familieteam {name} (Distrikt {name})"
    for name in ("Nordvest", "Sydøst", "Midtby", "Vestjylland", "Herning Øst", "Sunds og Ilskov")
]


@pytest.mark.parametrize("count", [3, 8, 14, 25])
def test_the_longest_measure_type_names_as_bars(count):
    names = (_measure_names() * 2)[:count]
    chart = bar_chart(
        title="Udgifter",
        x_labels=names,
        series=[Series("Udgift", [float(i + 1) * 1000 for i in range(count)])],
        y_title="1.000 kr., 2024-priser",
        x_title="Indsatstype",
    )
    assert_readable(chart)
    assert len(chart.x_labels) == count  # a category axis names every bar


def test_long_team_names_in_groups_of_bars_wrap_rather_than_run_into_each_other():
    chart = bar_chart(
        title="Klager i % af sager",
        x_labels=LONG_TEAMS,
        series=[Series(str(y), [5.0, 10.0, 2.5, 7.0, 1.0, 3.0]) for y in (2024, 2025)],
        suffix=" %",
        y_title="Klager i % af teamets sager",
        x_title="Team (distrikt)",
    )
    assert_readable(chart)
    assert all(len(t.lines) > 1 and not t.rotate for t in chart.x_labels)


def test_team_names_as_they_are_named_wrap_whole():
    teams = [f"Team {n} (Distrikt {n})" for n in ("Nord", "Syd", "Midt", "Vest", "Øst", "Sunds-Ilskov")]
    chart = bar_chart(
        title="x",
        x_labels=teams,
        series=[Series(str(y), [5.0] * 6) for y in (2024, 2025, 2026)],
        y_title="Årsbørn",
        x_title="Team (distrikt)",
    )
    assert_readable(chart)
    assert not any(t.abbreviated or t.rotate for t in chart.x_labels)


@pytest.mark.parametrize("months", [12, 24, 36, 60])
def test_months_thin_out_on_a_long_axis(months):
    with translation.override("da"):
        days = [D(2022 + (m // 12), m % 12 + 1, 28) for m in range(months)]
        labels = [formats.date_format(d, "M Y") for d in days]
    chart = line_chart(
        title="Sager på trin",
        x_labels=labels,
        series=[Series("Trin 1", [float(m % 7) for m in range(months)])],
        y_title="Antal sager",
        x_title="Måned",
    )
    assert_readable(chart)
    shown = [t.label for t in chart.x_labels]
    assert shown[0] == labels[0] and set(shown) <= set(labels)
    if months > 24:
        assert len(shown) < months  # every n-th month stands for the rest


def test_many_advisors_slant_their_names_and_a_warning_wraps_over_its_bar():
    names = [f"Anne-Mette Kristensen-{i}" for i in range(18)]
    chart = bar_chart(
        title="Åbne sager",
        x_labels=names,
        series=[Series("Åbne sager", [30.0] * 18, alerts=["Over loftet"] * 18)],
        targets=[(25.0, "Loft 25"), (22.0, "Advarsel 22")],
        y_title="Åbne sager",
        x_title="Rådgiver",
    )
    assert_readable(chart)
    assert {t.rotate for t in chart.x_labels} == {-45}


def test_a_target_label_gives_way_to_a_warning_over_a_bar():
    chart = bar_chart(
        title="Åbne sager",
        x_labels=["Anne K.", "Bo L.", "Carl M.", "Dorte N."],
        series=[Series("Åbne sager", [10.0, 12.0, 20.0, 26.0], alerts=["", "", "", "Over loftet"])],
        targets=[(25.0, "Loft 25"), (22.0, "Advarsel 22")],
        y_title="Åbne sager",
    )
    assert_readable(chart)
    assert chart.targets[0].text.anchor == "start"  # moved to the left end of its line


def test_movement_reasons_and_partial_years_fit():
    reasons = [str(label) for _value, label in LadderMovement.Reason.choices]
    chart = bar_chart(
        title="Bevægelser",
        x_labels=reasons,
        series=[Series(k, [1.0] * len(reasons)) for k in ("Ind", "Op", "Ned", "Ud")],
        y_title="Antal bevægelser",
        x_title="Årsag",
    )
    assert_readable(chart)
    with translation.override("da"):
        periods = [
            clip(p, D(2017, 3, 1), D(2026, 12, 3)) for p in periods_between(2017, 2026, granularity="year")
        ]
        labels = [f"{p.chart_label}\nGrundlag: 123,45 årsbørn" for p in periods]
    assert labels[0].startswith("2017 (fra 01.03.2017)") and labels[-1].startswith("2026 (til 03.12.2026)")
    chart = bar_chart(
        title="Mål",
        x_labels=labels,
        series=[Series(k, [50.0] * len(labels)) for k in ("Familiepleje", "Institution", "Øvrige")],
        suffix=" %",
        targets=[(75.0, "Familiepleje: mindst 75 %"), (25.0, "Institution: højst 25 %")],
        top_value=100,
        y_title="Andel af anbragte årsbørn (%)",
        x_title="Periode",
    )
    assert_readable(chart)


def test_an_abbreviated_label_keeps_the_whole_name_in_its_title():
    name = "Anbringelse på døgninstitution eller socialpædagogisk opholdssted med skole"
    chart = bar_chart(
        title="x", x_labels=[name] * 30, series=[Series("s", [1.0] * 30)], y_title="Antal", x_title="Type"
    )
    assert_readable(chart)
    label = chart.x_labels[0]
    assert label.abbreviated and label.lines[-1].endswith("…")
    svg = render_to_string("evaluation/charts/chart.html", {"chart": chart, "chart_id": "c"})
    assert f"<title>{name}</title>" in svg


def test_every_chart_names_its_axes_in_the_image():
    chart = line_chart(
        title="t",
        x_labels=["1. halvår 2025", "2. halvår 2025 (til 03.12.2025)"],
        series=[Series("Institution", [1.0, 2.0], key="placement-institution")],
        y_title="Opfølgninger pr. sag",
        x_title="Halvår",
    )
    svg = render_to_string("evaluation/charts/chart.html", {"chart": chart, "chart_id": "c"})
    assert ">Opfølgninger pr. sag</tspan>" in svg and ">Halvår</tspan>" in svg
    assert 'class="chart-line pal-placement-institution"' in svg
    assert f'viewBox="0 0 {chart.width} {chart.height}"' in svg
    assert_readable(chart)


def test_the_width_estimate_errs_wide():
    # IBM Plex Sans at 12 px: "Anbragte årsbørn" is about 95 px wide; the estimate must not be less.
    assert text_width("Anbragte årsbørn") >= 95
    assert text_width("WWW") > text_width("iii") * 2
