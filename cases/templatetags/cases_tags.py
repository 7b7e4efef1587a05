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
from django.utils import dateformat
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
