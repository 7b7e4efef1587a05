"""The team overview's tables of placements and of measures started without the child's hearing,
drawn in Python by ``dashboards_tags.placement_rows`` and ``unheard_rows``: each cell says what the
template said, in Danish and in English, escaped."""

from __future__ import annotations

import datetime

from django.template import Context, Template
from django.utils import translation

from cases.models import Case, Child
from dashboards.selectors import CaseRow, Placement
from herning.organisation.models import User
from measures.models import Measure, MeasureType

TODAY = datetime.date(2026, 3, 2)
ADVISOR = User(username="dorte", first_name="Dorte", last_name="<Bak>")


def _render(tag: str, rows, lang: str) -> str:
    with translation.override(lang):
        return Template("{% load dashboards_tags %}{% " + tag + " rows %}").render(Context({"rows": rows}))


def _cells(html: str) -> list[list[str]]:
    rows = html.split("<tr>")[1:]
    return [[cell.strip() for cell in row.split("</tr>")[0].strip().split("\n")] for row in rows]


def _placements() -> list[Placement]:
    return [
        # On the step since eleven months, against a target of eight: beyond it.
        Placement(CaseRow(41, "Emma <Hansen>", ADVISOR, 6), datetime.date(2025, 4, 1), TODAY, 8),
        Placement(CaseRow(42, "Bo Berg", None, 6), datetime.date(2026, 1, 15), TODAY, 8),
        # No target set in the municipality.
        Placement(CaseRow(43, "Ida Isak", ADVISOR, 6), datetime.date(2026, 2, 1), TODAY, None),
    ]


def test_a_placement_row_names_the_child_the_advisor_since_when_and_the_target_in_danish():
    assert _cells(_render("placement_rows", _placements(), "da")) == [
        [
            '<th scope="row"><a href="/sager/41/">Emma &lt;Hansen&gt;</a></th>',
            "<td>Dorte &lt;Bak&gt;</td>",
            '<td class="nowrap">01.04.2025</td>',
            '<td class="align-text-right">11</td>',
            '<td><span class="badge badge-warning">8 måneder eller mere</span></td>',
        ],
        [
            '<th scope="row"><a href="/sager/42/">Bo Berg</a></th>',
            "<td>ingen</td>",
            '<td class="nowrap">15.01.2026</td>',
            '<td class="align-text-right">1</td>',
            '<td><span class="badge badge-info">Under 8 måneder</span></td>',
        ],
        [
            '<th scope="row"><a href="/sager/43/">Ida Isak</a></th>',
            "<td>Dorte &lt;Bak&gt;</td>",
            '<td class="nowrap">01.02.2026</td>',
            '<td class="align-text-right">1</td>',
            "<td>–</td>",
        ],
    ]


def test_a_placement_row_in_english():
    first, second, _third = _cells(_render("placement_rows", _placements(), "en"))
    assert first[2:] == [
        '<td class="nowrap">01/04/2025</td>',
        '<td class="align-text-right">11</td>',
        '<td><span class="badge badge-warning">8 months or more</span></td>',
    ]
    assert second[1] == "<td>none</td>"
    assert second[4] == '<td><span class="badge badge-info">Under 8 months</span></td>'


def _measure(pk, case_id, child: Child, advisor, **fields) -> Measure:
    measure = Measure(pk=pk, case_id=case_id, start_date=datetime.date(2026, 2, 2), **fields)
    measure.case = Case(pk=case_id, child=child, advisor=advisor)
    measure.measure_type = MeasureType(name="Familiebehandling", name_en="Family treatment")
    return measure


def _unheard() -> list[Measure]:
    urgent = Measure.HearingOmitted.URGENT
    return [
        _measure(
            1,
            51,
            Child(first_name="Emma", last_name="<Hansen>"),
            ADVISOR,
            hearing_omitted=urgent,
            hearing_omitted_note="Akut <om natten> & uden varsel",
        ),
        _measure(2, 52, Child(first_name="Bo", last_name="Berg"), None, hearing_omitted=urgent),
        # Imported, or from before the hearing was asked: nothing recorded.
        _measure(3, 53, Child(first_name="Ida", last_name="Isak"), ADVISOR),
    ]


def test_an_unheard_measure_row_names_the_child_the_measure_and_the_laws_reason_in_danish():
    with translation.override("da"):
        urgent = str(Measure.HearingOmitted.URGENT.label)
    assert _cells(_render("unheard_rows", _unheard(), "da")) == [
        [
            '<th scope="row"><a href="/sager/51/">Emma &lt;Hansen&gt;</a></th>',
            "<td>Familiebehandling</td>",
            '<td class="nowrap">02.02.2026</td>',
            "<td>Dorte &lt;Bak&gt;</td>",
            f"<td>{urgent}: Akut &lt;om natten&gt; &amp; uden varsel</td>",
        ],
        [
            '<th scope="row"><a href="/sager/52/">Bo Berg</a></th>',
            "<td>Familiebehandling</td>",
            '<td class="nowrap">02.02.2026</td>',
            "<td>ingen</td>",
            f"<td>{urgent}</td>",
        ],
        [
            '<th scope="row"><a href="/sager/53/">Ida Isak</a></th>',
            "<td>Familiebehandling</td>",
            '<td class="nowrap">02.02.2026</td>',
            "<td>Dorte &lt;Bak&gt;</td>",
            '<td><span class="badge badge-warning">Ikke registreret</span></td>',
        ],
    ]


def test_an_unheard_measure_row_in_english():
    first, second, third = _cells(_render("unheard_rows", _unheard(), "en"))
    assert first[1:3] == ["<td>Family treatment</td>", '<td class="nowrap">02/02/2026</td>']
    assert first[4].startswith("<td>The decision could not wait")
    assert second[3] == "<td>none</td>"
    assert third[4] == '<td><span class="badge badge-warning">Not recorded</span></td>'


def test_the_empty_tables_draw_no_row():
    assert _render("placement_rows", [], "da") == _render("unheard_rows", [], "en") == ""
