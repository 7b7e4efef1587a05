"""The case list's rows drawn in Python.

The list shows 50 cases a page, eight cells each: a link, the masked CPR number, the state and the
step in words, the advisor, the team, the district and a date. Drawn by the template language, its
400 cells' lookups, filters and ``{% url %}`` tags were the largest part of the page's template
time (``benchmarks/RESULTS.md``). Here each row is one ``format_markup`` call
(``herning.core.markup``: ``format_html``'s output at a fraction of its cost), which escapes every
value as the template did; the markup is the template's, and ``tests/cases`` reads it."""

from __future__ import annotations

import functools

from django import template
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from herning.core.markup import format_markup
from herning.core.paths import keyed_path

register = template.Library()

_ROW = (
    "\n    <tr>\n"
    '      <th scope="row"><a href="{}">{}</a></th>\n'
    '      <td class="cpr nowrap">{}</td>\n'
    "      <td>{}</td>\n      <td>{}</td>\n      <td>{}</td>\n      <td>{}</td>\n      <td>{}</td>\n"
    '      <td class="nowrap">{}</td>\n'
    "    </tr>\n  "
)


@register.simple_tag
def case_rows(cases) -> SafeString:
    """A row per case: the child (a link to the case), the masked CPR number, the state, the step
    ("Under afklaring" before any), the advisor ("Ingen" without), the team, the district and the
    day the case was opened."""
    short = get_format("SHORT_DATE_FORMAT")
    day = functools.cache(lambda value: dateformat.format(value, short))
    case_link = keyed_path("cases:case_detail")
    unsettled, nobody = gettext("Under afklaring"), gettext("Ingen")
    parts = [
        format_markup(
            _ROW,
            case_link(case.pk),
            case.child.full_name,
            case.child.masked_cpr,
            case.get_state_display(),
            case.current_step or unsettled,
            case.advisor or nobody,
            case.team,
            case.district,
            day(case.opened_on),
        )
        for case in cases
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through format_markup


_NOTE = (
    '\n<details class="details journal-note" name="journal-{}">\n'
    '  <summary class="details-summary">{}: {}{} <span class="muted">– {}</span></summary>\n'
    '  <div class="details-text">\n'
    '  <p class="muted">{}{}</p>\n'
    '  <p class="note-text">{}</p>\n'
    "  {}\n"
    "  </div>\n"
    "</details>\n"
)


@register.simple_tag
def journal_notes(notes, case, can_edit: bool) -> SafeString:
    """A page of the journal's notes, newest first, each folded: the day and heading (and
    "(rettet)"), who wrote it and when, a correction's who, when and why, the text, and the link to
    correct it. Drawn by the template language, a page of ten notes was 1.3 ms of the case page's
    CPU; the markup is templates/cases/panels/_journal.html's loop's, held to it by
    tests/cases/test_journal_markup.py."""
    if not notes:
        return format_markup("<p>{}</p>", gettext("Ingen journalnotater."))
    short_date, short_moment = get_format("SHORT_DATE_FORMAT"), get_format("SHORT_DATETIME_FORMAT")
    written, corrected = gettext("Skrevet af %(who)s %(when)s"), gettext("Rettet af %(who)s %(when)s")
    corrected_mark, correct = gettext("rettet"), gettext("Ret notatet")
    correct_link = keyed_path("cases:journal_correct")
    parts = []
    for note in notes:
        when = format_markup("{}", dateformat.format(timezone.localtime(note.written_at), short_moment))
        # A blocktranslate's text is the catalogue's, its values escaped.
        by = written % {"who": format_markup("{}", note.written_by), "when": when}
        correction = ""
        if note.corrected_at:
            moment = dateformat.format(timezone.localtime(note.corrected_at), short_moment)
            correction = format_markup(
                " · <strong>{}</strong>: {}",
                mark_safe(  # noqa: S308 - the catalogue's text, its values escaped
                    corrected
                    % {"who": format_markup("{}", note.corrected_by), "when": format_markup("{}", moment)}
                ),
                note.correction_reason,
            )
        link = (
            format_markup(
                '<p class="d-print-none"><a href="{}">{}<span class="sr-only"> {}</span></a></p>',
                correct_link(note.pk),
                correct,
                note,
            )
            if can_edit
            else ""
        )
        parts.append(
            format_markup(
                _NOTE,
                case.pk,
                dateformat.format(note.occurred_on, short_date),
                note.get_heading_display(),
                format_markup(" ({})", corrected_mark) if note.corrected_at else "",
                note.written_by,
                mark_safe(by),  # noqa: S308 - the catalogue's text, its values escaped
                correction,
                note.text,
                link,
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through format_markup
