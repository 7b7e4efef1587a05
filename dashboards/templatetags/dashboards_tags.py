"""The team overview's longest tables drawn in Python.

"Dage siden sidste opfølgning" lists up to 50 children with every active measure under each: some
200 rows of six cells. Drawn by the template language, its 2,000 variable lookups, filters and
translations took 11 of the 29 ms the page's template took (``benchmarks/RESULTS.md``, the findings
of 5 December 2026). The children on an institution step are up to 50 rows more, each with a link,
a date and a translated badge; the measures started without the child's hearing 25 more. Here
each row is one ``format_markup`` call (``herning.core.markup``: ``format_html``'s output at a
fraction of its cost), which escapes every value as the template did. The markup is the
template's; ``tests/dashboards`` reads it."""

from __future__ import annotations

import datetime
import functools

from django import template
from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from dashboards.selectors import ChildRecency, MyDay, Placement, WorkGroup
from followups.models import DeadlineKind
from herning.core.choices import labels_in_language
from herning.core.markup import format_markup
from herning.core.paths import keyed_path
from measures.models import Measure

register = template.Library()


def _days():
    """The short date of a day, each distinct day formatted once: a table's dates are mostly shared
    (a week's deadlines fall on a few days), and ``dateformat.format`` costs more than a row."""
    short = get_format("SHORT_DATE_FORMAT")

    @functools.cache
    def day(value: datetime.date) -> str:
        return dateformat.format(value, short)

    return day


def _child_row(*classes: str) -> str:
    """The ``format_markup`` pattern of a table row naming a child: the child's name linking to the
    case, then a cell per class given ("" for none). One pattern per table, one call per row."""
    cells = "".join(f'        <td class="{c}">{{}}</td>\n' if c else "        <td>{}</td>\n" for c in classes)
    return '\n      <tr>\n        <th scope="row"><a href="{}">{}</a></th>\n' + cells + "      </tr>\n    "


@register.simple_tag
def placement_rows(listed: list[Placement]) -> SafeString:
    """A row per child on an institution step: the child, the advisor, since when, the months, and
    where that stands against the step-down target (none: "–")."""
    day = _days()
    case_link = keyed_path("cases:case_detail")
    nobody = gettext("ingen")
    beyond = gettext("%(months)s måneder eller mere")
    under = gettext("Under %(months)s måneder")
    row = _child_row("", "nowrap", "align-text-right", "")
    parts = []
    for placement in listed:
        case = placement.case
        if placement.target_months is None:
            status = "–"
        elif placement.beyond_target:
            status = format_markup(
                '<span class="badge badge-warning">{}</span>', beyond % {"months": placement.target_months}
            )
        else:
            status = format_markup(
                '<span class="badge badge-info">{}</span>', under % {"months": placement.target_months}
            )
        parts.append(
            format_markup(
                row,
                case_link(case.pk),
                case.child_name,
                case.advisor or nobody,
                day(placement.since),
                placement.months,
                status,
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through format_markup


@register.simple_tag
def unheard_rows(listed: list[Measure]) -> SafeString:
    """A row per measure started without the child heard first: the child, the measure, its start,
    the advisor, and the law's reason given (or that none is recorded)."""
    day = _days()
    case_link = keyed_path("cases:case_detail")
    nobody = gettext("ingen")
    unrecorded = format_markup('<span class="badge badge-warning">{}</span>', gettext("Ikke registreret"))
    row = _child_row("", "nowrap", "", "")
    parts = []
    for measure in listed:
        if measure.hearing_omitted:
            reason = measure.get_hearing_omitted_display()
            if measure.hearing_omitted_note:
                reason = format_markup("{}: {}", reason, measure.hearing_omitted_note)
        else:
            reason = unrecorded
        parts.append(
            format_markup(
                row,
                case_link(measure.case_id),
                measure.case.child.full_name,
                measure.measure_type,
                day(measure.start_date),
                measure.case.advisor or nobody,
                reason,
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through format_markup


@register.simple_tag
def recency_rows(listed: list[ChildRecency]) -> SafeString:
    """A ``<tbody>`` per child: the child's row (name, advisor, step, the oldest overdue deadline),
    then a row per measure (when it was last followed up, the days since, its next deadline)."""
    day = _days()
    case_link = keyed_path("cases:case_detail")
    measure_link = keyed_path("followups:measure_schedule")
    overdue = format_markup('<span class="badge badge-error">{}</span> ', gettext("Overskredet"))
    nobody = gettext("ingen")
    parts = []
    for child in listed:
        case = child.case
        oldest = child.oldest_overdue
        parts.append(
            format_markup(
                '<tbody class="recency-child">\n      <tr>\n'
                '        <th scope="rowgroup"><a href="{}">{}</a></th>\n'
                "        <td>{}</td>\n        <td>{}</td>\n"
                '        <td colspan="3">{}</td>\n      </tr>\n',
                case_link(case.pk),
                case.child_name,
                case.advisor or nobody,
                case.step or "–",
                format_markup("{}{}", overdue, gettext("ældste frist %(date)s") % {"date": day(oldest)})
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
                coming = format_markup("{}{}", overdue if measure.overdue else "", day(measure.next_due))
            else:
                coming = "–"
            parts.append(
                format_markup(
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
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through format_markup


@register.simple_tag(takes_context=True)
def work_items(context, group: WorkGroup, day: MyDay) -> SafeString:
    """The lines of one group of Min dag's list: the status, the date, the child (a link to the
    case), what is due and why, a measure's other deadlines of the group under it, and the button
    where the work is done (for a meeting's agreement, a form marking it done). Some 30 lines of a
    dozen values each; drawn by the template language they were a third of the page's CPU."""
    from followups.templatetags.followups_tags import deadline_status, explanation

    day_of = _days()
    kinds = labels_in_language(DeadlineKind)
    by = gettext("Senest %(date)s")
    csrf = format_markup(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', context.get("csrf_token", "")
    )
    parts = []
    for item in group.items:
        d = item.deadline
        status = deadline_status(d, day.now)
        if item.child_name and d.case_id:
            child = format_markup('<a href="{}">{}</a> · ', item.case_url, item.child_name)
        elif item.child_name:
            child = format_markup("{} · ", item.child_name)
        else:
            child = ""
        parts.append(
            format_markup(
                '\n      <li id="frist-{}"><span class="badge badge-{}">{}</span>\n'
                "        {}:\n        {}<strong>{}</strong>{}\n        {}\n"
                '        <br><span class="muted">{}</span>\n        {}\n'
                '        <div class="inline-actions">{}</div>\n      </li>\n      ',
                d.pk,
                status["variant"],
                status["label"],
                by % {"date": day_of(d.due_on)},
                child,
                kinds.get(d.kind, d.kind),
                format_markup(" ({})", d.rule) if d.statutory else "",
                format_markup("<br>{}", item.agreement.text) if item.agreement is not None else "",
                explanation(d),
                _other_deadlines(item.others, kinds, day_of),
                _work_button(item, csrf),
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through format_markup


def _other_deadlines(others, kinds: dict[str, str], day_of) -> SafeString | str:
    """A measure's other deadlines of the same group, under its first: kind, date, provision."""
    if not others:
        return ""
    other_by = gettext("%(kind)s senest %(date)s")
    return format_markup(
        '<ul class="deadline-others">{}</ul>',
        mark_safe(  # noqa: S308 - each line is built by format_markup
            "".join(
                format_markup(
                    '<li id="frist-{}">{}{}</li>',
                    o.pk,
                    other_by % {"kind": kinds.get(o.kind, o.kind), "date": day_of(o.due_on)},
                    format_markup(" ({})", o.rule) if o.statutory else "",
                )
                for o in others
            )
        ),
    )


def _work_button(item, csrf: SafeString) -> SafeString:
    """Where the work is done: a link, or for a meeting's agreement a form marking it done that
    brings the advisor back to the day."""
    if item.agreement is None:
        return format_markup(
            '\n          <a class="button button-secondary" href="{}">{}<span class="sr-only"> {}</span></a>\n        ',
            item.action_url,
            item.action_label,
            item.child_name,
        )
    agreement = item.agreement
    return format_markup(
        '\n          <form method="post" action="{}" class="inline-form">\n'
        '            {}<input type="hidden" name="next" value="{}">\n'
        '            <button type="submit" class="button button-secondary">{}'
        '<span class="sr-only">: {}</span></button>\n          </form>\n        ',
        # Few a day, and of two keys: reversed one by one.
        reverse("network_meetings:agreement_done", args=[agreement.meeting_id, agreement.pk]),
        csrf,
        reverse("start:my_day"),
        gettext("Markér som udført"),
        Truncator(agreement.text).chars(60),
    )
