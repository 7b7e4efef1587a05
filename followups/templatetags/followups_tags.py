"""Template helpers of the follow-up pages and the reminder bell in the header."""

from __future__ import annotations

import functools

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from followups import engine, wording
from followups.models import DeadlineKind, Form, Reminder
from followups.selectors import deadline_url, unread_reminder_count
from herning.core.choices import labels_in_language
from herning.core.markup import escaped, format_markup
from herning.core.paths import KeyedPaths

register = template.Library()

_STATUS = {
    engine.OVERDUE: (_("Overskredet"), "error"),
    engine.DUE: (_("I dag"), "warning"),
    engine.UPCOMING: (_("Kommende"), "info"),
}


_BELL = (
    '<a href="{}" class="function-link reminder-bell"><svg class="icon-svg" focusable="false" '
    'aria-hidden="true"><use href="{}#notifications"></use></svg>{}{}</a>'
)


@register.simple_tag(takes_context=True)
def reminder_bell(context) -> SafeString | str:
    """The bell in the header: a link to the reminders with the number not yet read; a page that
    counted them already (Min dag) gives its count as ``unread_reminders``, read once. Nothing for
    a person not signed in with both factors (``signed_in``): the reminders name children's
    deadlines. Drawn in Python with the markup its template had (``tests/herning/test_page_header.py``)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not context.get("signed_in") or user is None or not user.is_authenticated:
        return ""
    counted = context.get("unread_reminders")
    count = counted if counted is not None else unread_reminder_count(user)
    badge = ""
    if count:
        shown = formats.localize(count)
        unread = ngettext("%(counter)s ulæst", "%(counter)s ulæste", count) % {"counter": shown}
        badge = format_markup(
            ' <span class="badge badge-error" aria-hidden="true">{}</span><span class="sr-only">, {}</span>',
            shown,
            unread,
        )
    return format_markup(
        _BELL,
        reverse("followups:reminders"),
        static("dkfds/img/all-svg-icons.svg"),
        gettext("Påmindelser"),
        badge,
    )


def due_status(item: engine.Due) -> dict:
    """The status of a due date in words and a colour (never by colour alone)."""
    if item.status == engine.HELD:
        if item.on_time:
            return {"label": _("Afholdt"), "variant": "success"}
        return {"label": _("Afholdt for sent"), "variant": "warning"}
    label, variant = _STATUS[item.status]
    return {"label": label, "variant": variant}


def _status_of(deadline, now) -> str:
    """Overdue from the deadline's moment, due on its day, else coming: the one rule for every
    deadline table and list."""
    if now >= deadline.due_at:
        return engine.OVERDUE
    if timezone.localdate(now) == deadline.due_on:
        return engine.DUE
    return engine.UPCOMING


@register.simple_tag
def deadline_status(deadline, now=None) -> dict:
    label, variant = _STATUS[_status_of(deadline, now or timezone.now())]
    return {"label": label, "variant": variant}


def form_labels(forms) -> str:
    """The forms a follow-up may take, in words: "møde, hjemmebesøg"."""
    labels = dict(Form.choices)
    return ", ".join(str(labels[f]).lower() for f in forms if f in labels)


@register.filter
def reminder_label(reminder: Reminder) -> str:
    """The reminder's headline counted now, not at the stage that wrote it (``followups.wording``)."""
    return wording.headline(reminder)


@register.simple_tag
def reminder_items(reminders) -> SafeString:
    """The items of Min dag's list of unread reminders: the headline counted now and the kind of
    deadline, as a link to where its work is done, the day it is due and its case. Drawn here, as
    the deadline tables are (``deadline_rows``): the template's filters and translation per item
    took a millisecond of the page's CPU for its ten reminders (``benchmarks/RESULTS.md``)."""
    day = functools.cache(lambda value: formats.date_format(value, "DATE_FORMAT"))
    kinds = labels_in_language(DeadlineKind)
    paths = KeyedPaths()
    parts = []
    for r in reminders:
        d = r.deadline
        parts.append(
            format_markup(
                '\n    <li><a href="{}"><strong>{}</strong>: {}</a> – {}{}</li>\n    ',
                deadline_url(d, paths),
                wording.headline(r),
                kinds.get(d.kind, d.kind),
                day(r.due_on),
                format_markup(", {}", gettext("sag %(case)s") % {"case": d.case_id}) if d.case_id else "",
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - each part is built by format_markup


@register.filter
def link(deadline) -> str:
    return deadline_url(deadline)


@register.filter
def explanation(obj) -> str:
    """The explanation of a due date or a deadline in the page's language."""
    english = (get_language() or "da").startswith("en")
    if isinstance(obj, engine.Due):
        return obj.explanation("en" if english else "da")
    return obj.explanation_en if english and obj.explanation_en else obj.explanation


@register.filter
def deadline_when(deadline) -> str:
    """ "overskredet for 2 dage siden", "om 4 dage" …, counted now (``followups.wording``)."""
    return wording.when(deadline)


@register.simple_tag
def deadline_rows(rows, show_responsible=False, now=None, empty="") -> SafeString:
    """The rows of a deadline table (``followups/_deadline_table.html``): when, the status in words,
    what (a link, with the provision of a statutory one), the child and the case, who is
    responsible, why. Drawn here rather than by the template language: the team overview lists 50
    overdue deadlines, and the template's lookups, filters and translations per cell took 4 of the
    page's 57 ms of CPU (``benchmarks/RESULTS.md``). ``format_markup`` (``herning.core.markup``) escapes every
    value, as the template did, and the markup is the template's."""
    now = now or timezone.now()
    at, nobody = gettext("kl."), gettext("ingen")
    status = {key: (str(label), variant) for key, (label, variant) in _STATUS.items()}
    day = functools.cache(lambda value: formats.date_format(value, "SHORT_DATE_FORMAT"))
    # get_kind_display flattens the field's choices on every call: a third of the rows' time.
    kinds = labels_in_language(DeadlineKind)
    paths = KeyedPaths()
    parts = []
    for d in rows:
        when = day(d.due_on)
        if d.kind == DeadlineKind.ASSESSMENT:
            when = f"{when} {at} {formats.time_format(timezone.localtime(d.due_at), 'TIME_FORMAT')}"
        label, variant = status[_status_of(d, now)]
        child = getattr(d, "child", None)
        who = ""
        if show_responsible:
            who = format_markup("<td>{}</td>", d.responsible or nobody)
        parts.append(
            format_markup(
                '\n    <tr id="frist-{}">\n      <td class="nowrap">{}</td>\n'
                '      <td><span class="badge badge-{}">{}</span></td>\n'
                '      <td><a href="{}">{}</a>{}</td>\n'
                "      <td>{}{}</td>\n      {}\n      <td>{}</td>\n    </tr>\n  ",
                d.pk,
                when,
                variant,
                label,
                deadline_url(d, paths),
                kinds.get(d.kind, d.kind),
                format_markup('<br><span class="muted">{}</span>', d.rule) if d.statutory else "",
                child.full_name if child else "",
                format_markup(
                    '<br><span class="muted">{}</span>', gettext("sag %(case)s") % {"case": d.case_id}
                )
                if d.case_id
                else "",
                who,
                explanation(d),
            )
        )
    if not parts:
        return format_markup(
            '\n    <tr><td colspan="{}">{}</td></tr>\n  ', 6 if show_responsible else 5, empty
        )
    return mark_safe("".join(parts))  # noqa: S308 - each part is built by format_markup


@register.simple_tag
def schedule_rows(data) -> SafeString:
    """The rows of a measure's schedule (``followups/_measure_schedule.html``): the date, whether the
    municipality's rule or the law asks it, its status (held on time or late, overdue, due,
    coming) and whether it binds first, why it is due, and what it asks for. Drawn here rather than
    by the template language, as ``deadline_rows`` is: a placement's schedule has 15-30 rows, and
    the template's tags, filters and translations per cell were half the schedule page's
    template time (``benchmarks/RESULTS.md``)."""
    first = data.binds_first
    english = (get_language() or "da").startswith("en")
    day = functools.cache(lambda value: formats.date_format(value, "SHORT_DATE_FORMAT"))
    # The template's own texts go in as markup, as ``{% translate %}`` of a literal puts them: the
    # catalogue's, not a value's ("The municipality's rule" keeps its apostrophe).
    statutory, municipal = _markup(gettext("Lovpligtig")), _markup(gettext("Kommunens regel"))
    binds_first = format_markup("<br><strong>{}</strong>", _markup(gettext("Binder først")))
    supervision = _markup(gettext("Besøg på anbringelsesstedet med børnesamtale"))
    written = _markup(
        gettext(
            "Skriftlig status fra leverandøren, ingen børnesamtale: registrér den som »skriftlig status modtaget«"
        )
    )
    conversation, by_law = _markup(gettext("børnesamtale")), _markup(gettext("Opfølgning efter loven"))
    parts = []
    for item in data.schedule.items:
        status = due_status(item)
        if item.obligation == engine.SUPERVISION:
            asks = supervision
        elif item.written_status:
            asks = written
        elif item.kind == engine.MUNICIPAL:
            asks = escaped(capfirst(form_labels(item.allowed_forms)))
            if item.child_conversation_required:
                asks += f"; {conversation}"
            if item.relaxed_by:
                exception = _markup(gettext("Undtagelse: %(exc)s")) % {"exc": escaped(item.relaxed_by)}
                asks += f'<br><span class="muted">{exception}</span>'
        else:
            asks = by_law
        is_first = item == first
        parts.append(
            format_markup(
                '\n      <tr{}>\n        <td class="nowrap">{}</td>\n        <td>{}</td>\n'
                '        <td><span class="badge badge-{}">{}</span>{}{}</td>\n'
                "        <td>{}</td>\n        <td>{}</td>\n      </tr>\n    ",
                mark_safe(' class="binds-first"') if is_first else "",
                day(item.due_date),
                format_markup('{}<br><span class="muted">{}</span>', statutory, item.rule)
                if item.kind == engine.STATUTORY
                else municipal,
                status["variant"],
                status["label"],
                format_markup("<br>{}", day(item.held_on)) if item.held_on else "",
                binds_first if is_first else "",
                item.explanation("en" if english else "da"),
                mark_safe(asks),  # noqa: S308 - built of escaped parts
            )
        )
    if not parts:
        return format_markup(
            '\n      <tr><td colspan="5">{}</td></tr>\n    ', _markup(gettext("Ingen opfølgninger at vise."))
        )
    return mark_safe("".join(parts))  # noqa: S308 - each part is built by format_markup


def _markup(translated: str) -> SafeString:
    """A text of the template's own, translated, as ``{% translate %}`` gives it: markup as it is.
    (Each is written out as ``gettext("…")`` where it is used, for ``makemessages`` to find.)"""
    return mark_safe(translated)  # noqa: S308 - the catalogue's text, as the template language has it
