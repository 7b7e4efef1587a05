"""The network meetings' part of the child page: a panel, timeline events and the answer to
"has this investigation a network map?", registered through ``cases.extensions``."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.extensions import (
    Panel,
    SummaryPart,
    TimelineEvent,
    read_once,
    register_network_map_check,
    register_panel,
    register_summary_part,
    register_timeline_provider,
)
from network_meetings.selectors import investigation_has_network_map, meetings_for_child


def _meetings(child, user) -> list:
    """The child's meetings ``user`` may read, read once for the page's panel and its timeline
    (both are given the same ``child`` in one request; the read checks access, so it is not cheap)."""
    return read_once(
        child, f"_network_meetings_read_{user.pk}", lambda: list(meetings_for_child(child, user))
    )


def meetings_context(child, case, user) -> dict:
    return {"meetings": _meetings(child, user), "child_pk": child.pk}


def next_meeting_summary(child, case, user) -> dict:
    """The summary's next planned meeting about the child (read with the panel's, no query more)."""
    now = timezone.now()
    coming = [m for m in _meetings(child, user) if m.status == m.Status.PLANNED and m.starts_at >= now]
    return {"meeting": min(coming, key=lambda m: m.starts_at) if coming else None}


def timeline_events(child, user) -> list[TimelineEvent]:
    return [
        TimelineEvent(
            timezone.localtime(m.starts_at).date(),
            "meeting",
            _("%(kind)s (%(status)s)") % {"kind": m.get_kind_display(), "status": m.get_status_display()},
            url=reverse("network_meetings:detail", args=[m.pk]),
            order=5,
        )
        for m in _meetings(child, user)
    ]


def register() -> None:
    register_panel(
        Panel(
            "network_meetings",
            gettext_lazy("Netværksmøder"),
            "network_meetings/panels/_meetings.html",
            meetings_context,
            order=40,
        )
    )
    register_summary_part(
        SummaryPart(
            "network_meeting",
            "network_meetings/summary/_next.html",
            next_meeting_summary,
            order=50,
            side=True,
        )
    )
    register_timeline_provider("network_meetings", timeline_events)
    register_network_map_check(investigation_has_network_map)
