"""Reads of meetings, agreements, network maps and slots. Every read starts from
``visible_to(user)`` (``cases.access``; the meeting's own rule, that staff who take part in a
meeting may read it, is ``NetworkMeeting.objects.visible_to``).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cases.access import person_state
from cases.models import Case
from herning.core.statements import kept
from herning.organisation.models import Role
from network_meetings.models import (
    Agreement,
    MeetingSlot,
    NetworkMap,
    NetworkMeeting,
    Participant,
)

# The roles that take part in and plan network meetings (docs/domain.md §1 and §6).
MEETING_ROLES = (
    Role.ADVISOR,
    Role.TEAM_LEADER,
    Role.DUTY_ADVISOR,
    Role.PSYCHOLOGIST,
    Role.HEALTH_VISITOR,
)


def meeting_list(*, user, scope: str = "mine") -> QuerySet[NetworkMeeting]:
    """The meetings on the list page: ``mine`` (I planned or take part) or ``team`` (my teams')."""
    meetings = NetworkMeeting.objects.visible_to(user)
    if scope == "team":
        meetings = meetings.filter(team__in=[t.pk for t in user.teams_for(*MEETING_ROLES)])
    else:
        mine = Exists(Participant.objects.for_system().filter(meeting=OuterRef("pk"), user=user))
        meetings = meetings.filter(Q(created_by=user) | Q(mine))
    return meetings.select_related("child", "team").annotate(
        participant_count=Count("participants", distinct=True),
        open_agreement_count=Count("agreements", filter=Q(agreements__done_at__isnull=True), distinct=True),
    )


def meeting_detail(*, user, pk: int) -> NetworkMeeting:
    """One visible meeting with what its pages show; raises DoesNotExist otherwise (a 404)."""
    return (
        NetworkMeeting.objects.visible_to(user)
        .select_related(
            "child",
            "case",
            "team",
            "chair",
            "minute_taker",
            "created_by",
            "previous_meeting",
            "minutes",
        )
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.for_system().select_related("user")),
            Prefetch(
                "agreements", queryset=Agreement.objects.for_system().select_related("owner", "done_by")
            ),
            "consents",
        )
        .get(pk=pk)
    )


def previous_open_agreements(meeting: NetworkMeeting) -> list[Agreement]:
    """The open agreements of the meeting this one follows up (they go on its agenda)."""
    if not meeting.previous_meeting_id:
        return []
    return list(
        Agreement.objects.for_system()
        .open()
        .filter(meeting_id=meeting.previous_meeting_id)
        .select_related("owner", "meeting__child")
        .order_by("due_on", "pk")
    )


def meetings_for_child(child, user) -> QuerySet[NetworkMeeting]:
    """The meetings about ``child`` that ``user`` may read, newest first, for the child page's
    panel, summary and timeline (rendered with ``network_meetings/_child_meetings.html``).
    ``child`` is one the page read through ``Child.objects.visible_to(user)``
    (``cases.extensions``)."""
    return _meetings_of_child(user=user, child_id=child.pk)


@kept(bound=("child_id",), keyed={"user": person_state})
def _meetings_of_child(*, user, child_id: int) -> QuerySet[NetworkMeeting]:
    # Compiled once per person and process (herning.core.statements): the access rule, written
    # for the case and the person's part in the meeting, is most of the statement.
    return (
        NetworkMeeting.objects.visible_to(user, readable_child=child_id)
        .select_related("team", "chair", "child")
        .annotate(
            open_agreement_count=Count("agreements", filter=Q(agreements__done_at__isnull=True)),
        )
        .order_by("-starts_at", "-pk")
    )


def open_staff_agreements(*, user=None, due_by: datetime.date | None = None) -> QuerySet[Agreement]:
    """Agreements owned by a member of staff, with a date, not done: what the reminder engine and
    "Min dag" pick up. Narrow to one person with ``user`` and to a horizon with ``due_by``."""
    agreements = (
        Agreement.objects.for_system()
        .open()
        .filter(owner_user__isnull=False, due_on__isnull=False)
        .exclude(meeting__status=NetworkMeeting.Status.CANCELLED)
        .order_by("due_on", "pk")
    )
    if user is not None:
        agreements = agreements.filter(owner_user=user)
    if due_by is not None:
        agreements = agreements.filter(due_on__lte=due_by)
    return agreements


# --- Network maps -----------------------------------------------------------------------------


def investigation_has_network_map(investigation) -> bool:
    """Whether a network map is attached to ``investigation`` (the case page warns while not)."""
    return NetworkMap.objects.for_system().filter(investigation=investigation).exists()


def network_map_versions(child) -> list[NetworkMap]:
    return list(
        NetworkMap.objects.for_system()
        .filter(child=child)
        .select_related("investigation", "created_by")
        .annotate(person_count=Count("people"))
        .order_by("-version")
    )


def latest_network_map(child) -> NetworkMap | None:
    return NetworkMap.objects.for_system().filter(child=child).order_by("-version").first()


def child_open_case(child) -> Case | None:
    return Case.objects.for_system().open().filter(child=child).select_related("team").first()


# --- Slots ------------------------------------------------------------------------------------


def week_bounds(year: int, week: int) -> tuple[datetime.datetime, datetime.datetime]:
    """Monday 00:00 to the next Monday 00:00 of ISO ``week``, local time."""
    monday = datetime.date.fromisocalendar(year, week, 1)
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(monday + datetime.timedelta(days=7), datetime.time.min)
    )
    return start, end


def slots_in_week(*, team, year: int, week: int) -> list[MeetingSlot]:
    start, end = week_bounds(year, week)
    return list(
        MeetingSlot.objects.for_system()
        .filter(team=team, starts_at__gte=start, starts_at__lt=end)
        .select_related("meeting", "offered_by", "booked_by")
        .order_by("starts_at")
    )


def bookable_slots(*, municipality_id: int) -> QuerySet[MeetingSlot]:
    """Open slots of the municipality's teams that have not started yet."""
    return (
        MeetingSlot.objects.for_system()
        .filter(
            status=MeetingSlot.Status.OPEN,
            team__district__municipality_id=municipality_id,
            starts_at__gt=timezone.now(),
        )
        .select_related("team")
        .order_by("starts_at")
    )
