"""Template helpers of the follow-up pages and the reminder bell in the header."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followups import engine, wording
from followups.models import Form, Reminder
from followups.selectors import deadline_url, unread_reminder_count

register = template.Library()

_STATUS = {
    engine.OVERDUE: (_("Overskredet"), "error"),
    engine.DUE: (_("I dag"), "warning"),
    engine.UPCOMING: (_("Kommende"), "info"),
}


@register.inclusion_tag("followups/_bell.html", takes_context=True)
def reminder_bell(context):
    """The bell in the header: a link to the reminders with the number not yet read."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"count": unread_reminder_count(user) if user is not None and user.is_authenticated else 0}


@register.simple_tag
def due_status(item: engine.Due) -> dict:
    """The status of a due date in words and a colour (never by colour alone)."""
    if item.status == engine.HELD:
        if item.on_time:
            return {"label": _("Afholdt"), "variant": "success"}
        return {"label": _("Afholdt for sent"), "variant": "warning"}
    label, variant = _STATUS[item.status]
    return {"label": label, "variant": variant}


@register.simple_tag
def deadline_status(deadline, now=None) -> dict:
    now = now or timezone.now()
    if now >= deadline.due_at:
        return {"label": _("Overskredet"), "variant": "error"}
    if timezone.localdate(now) == deadline.due_on:
        return {"label": _("I dag"), "variant": "warning"}
    return {"label": _("Kommende"), "variant": "info"}


@register.filter
def form_labels(forms) -> str:
    labels = dict(Form.choices)
    return ", ".join(str(labels[f]).lower() for f in forms if f in labels)


@register.filter
def reminder_label(reminder: Reminder) -> str:
    """The reminder's headline counted now, not at the stage that wrote it (``followups.wording``)."""
    return wording.headline(reminder)


@register.filter
def link(deadline) -> str:
    return deadline_url(deadline)


@register.filter
def explanation(obj) -> str:
    """The explanation of a due date or a deadline in the page's language."""
    from django.utils.translation import get_language

    english = (get_language() or "da").startswith("en")
    if isinstance(obj, engine.Due):
        return obj.explanation("en" if english else "da")
    return obj.explanation_en if english and obj.explanation_en else obj.explanation


@register.filter
def deadline_when(deadline) -> str:
    """ "overskredet for 2 dage siden", "om 4 dage" …, counted now (``followups.wording``)."""
    return wording.when(deadline)
