"""Shared pieces of network_meetings.views: Pages for network meetings, the network map and the meeting slots."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404

from cases.permissions import Action, may, require
from herning.audit.models import AccessLog
from herning.audit.services import log_child_read
from network_meetings import selectors
from network_meetings.models import (
    NetworkMeeting,
)

PAGE = AccessLog.Channel.PAGE
PRINT = AccessLog.Channel.PRINT


def int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def visible_meeting(request, pk: int, *, purpose: str | None = None, channel: str = PAGE) -> NetworkMeeting:
    """The meeting if the person may read it (else 404); with ``purpose`` the read is logged."""
    try:
        meeting = selectors.meeting_detail(user=request.user, pk=pk)
    except NetworkMeeting.DoesNotExist:
        raise Http404 from None
    if purpose:
        log_child_read(
            user=request.user,
            child=meeting.child,
            case=meeting.case,
            channel=channel,
            purpose=purpose,
            what=request.path,
        )
    return meeting


def require_edit(request, meeting: NetworkMeeting) -> None:
    """A page that shows or reads a form for a change answers 403 with the reason before it looks
    at the form, as the service would refuse the write (``Action.EDIT_MEETING``). A view that
    calls the service straight away leaves the refusal to the service."""
    require(request.user, Action.EDIT_MEETING, meeting)


def meeting_context(request, meeting: NetworkMeeting, tab: str, **extra) -> dict:
    can_edit = may(request.user, Action.EDIT_MEETING, meeting)
    return {
        "meeting": meeting,
        "tab": tab,
        "can_edit": can_edit,
        # Rights to change it, and a meeting still open to change (not held, not cancelled).
        "can_change": can_edit and meeting.status == NetworkMeeting.Status.PLANNED,
        **extra,
    }


def error_message(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))
