"""Statistics on network meetings (issue 6, point 7): meetings per case, and the days from the
first concern to the first meeting. Aggregates only; no names leave here.

A case's first concern is the earliest of its first notification's ``received_at`` and the
concern date recorded on its meetings (``concern_noted_on``). Meetings on a child without a case
are counted per child, with the child's notifications that are not on a case. Cancelled
meetings do not count.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils import timezone

from cases.models import Notification
from network_meetings.models import NetworkMeeting


@dataclass(frozen=True)
class FirstMeeting:
    """A case (or a child without a case) and the road from concern to its first meeting."""

    case_id: int | None
    child_id: int
    team_id: int
    first_meeting_on: datetime.date
    first_concern_on: datetime.date | None
    meetings: int

    @property
    def days_from_concern(self) -> int | None:
        """Days from the first concern to the first meeting; unknown when no concern date is known
        or when the only one known lies after the meeting."""
        if self.first_concern_on is None or self.first_concern_on > self.first_meeting_on:
            return None
        return (self.first_meeting_on - self.first_concern_on).days


def _held_or_planned(municipality_id: int):
    return (
        NetworkMeeting.objects.for_figures()
        .filter(municipality_id=municipality_id)
        .exclude(status=NetworkMeeting.Status.CANCELLED)
    )


def _local_date(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date()


def _in_period(day: datetime.date, start: datetime.date | None, end: datetime.date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


def first_meetings(
    *, municipality_id: int, start: datetime.date | None = None, end: datetime.date | None = None
) -> list[FirstMeeting]:
    """One row per case (or child without a case) whose first meeting falls in [start, end]."""
    groups = list(
        _held_or_planned(municipality_id)
        .values("case_id", "child_id")
        .annotate(
            first=Min("starts_at"),
            count=Count("pk"),
            concern=Min("concern_noted_on"),
            team=Min("team_id"),
        )
        .order_by()
    )
    groups = [g for g in groups if _in_period(_local_date(g["first"]), start, end)]
    case_ids = [g["case_id"] for g in groups if g["case_id"]]
    child_ids = [g["child_id"] for g in groups if not g["case_id"]]
    first_by_case = dict(
        Notification.objects.for_figures()
        .filter(case_id__in=case_ids)
        .values("case_id")
        .annotate(first=Min("received_at"))
        .order_by()
        .values_list("case_id", "first")
    )
    first_by_child = dict(
        Notification.objects.for_figures()
        .filter(child_id__in=child_ids, case__isnull=True)
        .values("child_id")
        .annotate(first=Min("received_at"))
        .order_by()
        .values_list("child_id", "first")
    )
    rows = []
    for g in groups:
        notified = first_by_case.get(g["case_id"]) if g["case_id"] else first_by_child.get(g["child_id"])
        candidates = [d for d in (g["concern"], _local_date(notified) if notified else None) if d]
        rows.append(
            FirstMeeting(
                case_id=g["case_id"],
                child_id=g["child_id"],
                team_id=g["team"],
                first_meeting_on=_local_date(g["first"]),
                first_concern_on=min(candidates) if candidates else None,
                meetings=g["count"],
            )
        )
    return rows


def meetings_per_case(
    *, municipality_id: int, start: datetime.date | None = None, end: datetime.date | None = None
) -> dict[tuple[str, int], int]:
    """Meetings held or planned in [start, end] per case, keyed ("case", id) or, for a child
    without a case, ("child", id)."""
    meetings = _held_or_planned(municipality_id)
    if start:
        meetings = meetings.filter(
            starts_at__gte=timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
        )
    if end:
        meetings = meetings.filter(
            starts_at__lt=timezone.make_aware(
                datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
            )
        )
    counts = meetings.values("case_id", "child_id").annotate(n=Count("pk")).order_by()
    return {
        (("case", row["case_id"]) if row["case_id"] else ("child", row["child_id"])): row["n"]
        for row in counts
    }


@dataclass(frozen=True)
class TeamFigures:
    team_id: int | None
    team_name: str
    meetings: int
    cases: int
    involving: int
    with_consent: int
    first_meetings: int
    median_days: float | None

    @property
    def meetings_per_case(self) -> float | None:
        return round(self.meetings / self.cases, 1) if self.cases else None


def team_figures(*, municipality_id: int, start: datetime.date, end: datetime.date) -> list[TeamFigures]:
    """Per team and for the municipality (last row, ``team_id`` None): meetings in the period,
    cases met, meetings per case, and the median days from first concern to first meeting."""
    begin = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    stop = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    per_team = list(
        _held_or_planned(municipality_id)
        .filter(starts_at__gte=begin, starts_at__lt=stop)
        .values("team_id", "team__name")
        .annotate(
            meetings=Count("pk"),
            cases=Count("case_id", distinct=True),
            caseless_children=Count("child_id", filter=Q(case__isnull=True), distinct=True),
            involving=Count("pk", filter=Q(kind=NetworkMeeting.Kind.INVOLVING)),
            with_consent=Count("pk", filter=Q(consent_given_at__isnull=False)),
        )
        .order_by("team__name")
    )
    days_by_team: dict[int | None, list[int]] = defaultdict(list)
    firsts_by_team: dict[int | None, int] = defaultdict(int)
    for row in first_meetings(municipality_id=municipality_id, start=start, end=end):
        firsts_by_team[row.team_id] += 1
        firsts_by_team[None] += 1
        if row.days_from_concern is not None:
            days_by_team[row.team_id].append(row.days_from_concern)
            days_by_team[None].append(row.days_from_concern)

    def median(values: list[int]) -> float | None:
        return statistics.median(values) if values else None

    result = [
        TeamFigures(
            team_id=row["team_id"],
            team_name=row["team__name"],
            meetings=row["meetings"],
            cases=row["cases"] + row["caseless_children"],
            involving=row["involving"],
            with_consent=row["with_consent"],
            first_meetings=firsts_by_team[row["team_id"]],
            median_days=median(days_by_team[row["team_id"]]),
        )
        for row in per_team
    ]
    result.append(
        TeamFigures(
            team_id=None,
            team_name="",
            meetings=sum(r.meetings for r in result),
            cases=sum(r.cases for r in result),
            involving=sum(r.involving for r in result),
            with_consent=sum(r.with_consent for r in result),
            first_meetings=firsts_by_team[None],
            median_days=median(days_by_team[None]),
        )
    )
    return result
