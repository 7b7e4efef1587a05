"""The team overview's largest table, "Dage siden sidste opfølgning", drawn in Python.

It lists up to 50 children with every active measure under each: some 200 rows of six cells. Drawn
by the template language, its 2,000 variable lookups, filters and translations took 11 of the 29 ms
the page's template took (``benchmarks/RESULTS.md``, the findings of 5 December 2026); here each
row is one ``format_html`` call, which escapes every value as the template did. The markup is the
template's; ``tests/dashboards`` reads it."""

from __future__ import annotations

import datetime
import functools

from django import template
from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from dashboards.selectors import ChildRecency

register = template.Library()

# A key no record has, replaced by each row's own: one ``reverse`` per table, not one per row.
_KEY = 987654321


def _link(name: str):
    pattern = reverse(name, args=[_KEY])
    return lambda pk: pattern.replace(str(_KEY), str(pk))


@register.simple_tag
def recency_rows(listed: list[ChildRecency]) -> SafeString:
    """A ``<tbody>`` per child: the child's row (name, advisor, step, the oldest overdue deadline),
    then a row per measure (when it was last followed up, the days since, its next deadline)."""
    short = get_format("SHORT_DATE_FORMAT")

    # Some 200 dates, most of them shared (a week's deadlines fall on a few days): each distinct
    # day is formatted once, as dateformat.format costs more than the rest of a row.
    @functools.cache
    def day(value: datetime.date) -> str:
        return dateformat.format(value, short)

    case_link = _link("cases:case_detail")
    measure_link = _link("followups:measure_schedule")
    overdue = format_html('<span class="badge badge-error">{}</span> ', gettext("Overskredet"))
    nobody = gettext("ingen")
    parts = []
    for child in listed:
        case = child.case
        oldest = child.oldest_overdue
        parts.append(
            format_html(
                '<tbody class="recency-child">\n      <tr>\n'
                '        <th scope="rowgroup"><a href="{}">{}</a></th>\n'
                "        <td>{}</td>\n        <td>{}</td>\n"
                '        <td colspan="3">{}</td>\n      </tr>\n',
                case_link(case.pk),
                case.child_name,
                case.advisor or nobody,
                case.step or "–",
                format_html("{}{}", overdue, gettext("ældste frist %(date)s") % {"date": day(oldest)})
                if oldest
                else "",
            )
        )
        for measure in child.measures:
            last = (
                day(measure.last_followup)
                if measure.last_followup
                else gettext("ingen endnu (startet %(start)s)") % {"start": day(measure.start)}
            )
            if measure.next_due:
                coming = format_html("{}{}", overdue if measure.overdue else "", day(measure.next_due))
            else:
                coming = "–"
            parts.append(
                format_html(
                    '      <tr class="recency-measure">\n'
                    '        <th scope="row" class="evaluation-indent"><a href="{}">{}</a></th>\n'
                    "        <td></td><td></td>\n"
                    '        <td class="nowrap">{}</td>\n'
                    '        <td class="align-text-right">{}</td>\n'
                    '        <td class="nowrap">{}</td>\n      </tr>\n',
                    measure_link(measure.pk),
                    measure.name,
                    last,
                    measure.days,
                    coming,
                )
            )
        parts.append("    </tbody>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through format_html
