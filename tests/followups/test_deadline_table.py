"""The rows of a deadline table (``followups/_deadline_table.html``, on the deadlines page and the
team overview), drawn in Python by ``followups_tags.deadline_rows``: each cell says what the
template said, in Danish and in English, escaped."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from cases.models import Child
from followups.models import Deadline, DeadlineKind
from herning.organisation.models import User

CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")
NOW = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=CPH)


def _deadline(pk, kind, due_at: datetime.datetime, **fields) -> Deadline:
    return Deadline(pk=pk, kind=kind, source_id=pk + 4, due_on=due_at.date(), due_at=due_at, **fields)


def _rows():
    overdue = _deadline(
        7,
        DeadlineKind.ASSESSMENT,
        datetime.datetime(2026, 3, 1, 14, 5, tzinfo=CPH),
        case_id=12345,
        statutory=True,
        rule="Barnets Lov § 133",
        explanation="Inden 24 timer <efter> modtagelsen",
        explanation_en="Within 24 hours of receipt",
        responsible=User(username="dorte", first_name="Dorte", last_name="Bak"),
    )
    overdue.child = Child(first_name="Emma", last_name="<Hansen>")
    today = _deadline(
        8,
        DeadlineKind.HANDOVER,
        datetime.datetime(2026, 3, 2, 23, 59, tzinfo=CPH),
        statutory=False,
        rule="kommunens regel",
        explanation="Overlevering",
        explanation_en="",
    )
    later = _deadline(
        9,
        DeadlineKind.FOLLOWUP,
        datetime.datetime(2026, 4, 1, 23, 59, tzinfo=CPH),
        case_id=3,
        statutory=False,
        rule="r",
        explanation="Hver 6. uge",
        explanation_en="Every 6 weeks",
    )
    return [overdue, today, later]


def _render(lang, **context):
    with translation.override(lang):
        return render_to_string(
            "followups/_deadline_table.html", {"caption": "c", "empty": "Ingen <frister>", **context}
        )


def _row(html: str, pk: int) -> str:
    start = html.index(f'<tr id="frist-{pk}">')
    return html[start : html.index("</tr>", start)]


def test_each_cell_says_when_how_late_what_whose_and_why_in_danish():
    html = _render("da", rows=_rows(), show_responsible=True, now=NOW)
    first = _row(html, 7)
    # An assessment's hour, in local time; the status in words; the provision of a statutory one.
    assert '<td class="nowrap">01.03.2026 kl. 14.05</td>' in first
    assert '<span class="badge badge-error">Overskredet</span>' in first
    assert '>24-timers vurdering af underretning</a><br><span class="muted">Barnets Lov § 133</span>' in first
    assert '<td>Emma &lt;Hansen&gt;<br><span class="muted">sag 12345</span></td>' in first
    assert "<td>Dorte Bak</td>" in first
    assert "<td>Inden 24 timer &lt;efter&gt; modtagelsen</td>" in first
    second = _row(html, 8)
    assert '<span class="badge badge-warning">I dag</span>' in second
    assert "<td>ingen</td>" in second and "sag " not in second and "muted" not in second
    assert '<td class="nowrap">02.03.2026</td>' in second  # no hour but for an assessment
    third = _row(html, 9)
    assert '<span class="badge badge-info">Kommende</span>' in third
    assert f'<a href="{reverse("followups:measure_schedule", args=[9 + 4])}">Opfølgning</a>' in third
    assert html.count("<tr id=") == 3 and html.count("<td>") >= 3 * 4


def test_each_cell_speaks_english_where_the_page_does():
    html = _render("en", rows=_rows(), show_responsible=False, now=NOW)
    first = _row(html, 7)
    assert "kl." not in first and " at " in first
    assert '<span class="badge badge-error">Overdue</span>' in first
    assert "case 12345" in first and "<td>Within 24 hours of receipt</td>" in first
    # A deadline without an English explanation keeps the Danish one; no responsible column.
    assert "<td>Overlevering</td>" in _row(html, 8) and "Dorte" not in html


@pytest.mark.parametrize("show_responsible, columns", [(True, 6), (False, 5)])
def test_an_empty_table_says_so_across_every_column(show_responsible, columns):
    html = _render("da", rows=[], show_responsible=show_responsible)
    assert f'<tr><td colspan="{columns}">Ingen &lt;frister&gt;</td></tr>' in html
