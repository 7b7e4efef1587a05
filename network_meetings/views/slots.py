"""The teams' fixed weekly meeting slots: calendar, offering and releasing."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.permissions import Action, require
from herning.audit.looks import shows_no_child
from herning.core.access import role_required
from herning.core.dates import validate_reading_date
from herning.core.forms import add_service_errors
from herning.organisation.models import Team
from network_meetings import forms, selectors, services
from network_meetings.models import (
    MeetingSlot,
)
from network_meetings.views.common import error_message, int_or_404


def _parse_week(value: str | None) -> tuple[int, int]:
    """``2026-W10`` (the browser's week input) or today's ISO week, also for a week outside the
    bounds of a read (``herning.core.dates``): the page links the weeks before and after it."""
    if value:
        try:
            year, week = value.upper().split("-W")
            validate_reading_date(datetime.date.fromisocalendar(int(year), int(week), 1))
            return int(year), int(week)
        except (ValueError, ValidationError):
            pass
    iso = timezone.localdate().isocalendar()
    return iso.year, iso.week


def _week_param(day: datetime.date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


@role_required(*selectors.MEETING_ROLES)
@shows_no_child("a team's meeting times: a booked time shows its status, never the meeting or the child")
def slot_calendar(request):
    user = request.user
    teams = Team.objects.filter(district__municipality_id=user.municipality_id).select_related("district")
    if "team" in request.GET:
        team = get_object_or_404(teams, pk=int_or_404(request.GET["team"]))
    else:
        team = user.primary_team or teams.first()
        if team is None:
            raise Http404
    year, week = _parse_week(request.GET.get("uge"))
    monday = datetime.date.fromisocalendar(year, week, 1)
    slots = selectors.slots_in_week(team=team, year=year, week=week)
    days = []
    for offset in range(7):
        day = monday + datetime.timedelta(days=offset)
        day_slots = [s for s in slots if timezone.localtime(s.starts_at).date() == day]
        if offset < 5 or day_slots:
            days.append({"date": day, "slots": day_slots})
    member = team.pk in user.team_ids
    context = {
        "teams": teams,
        "team": team,
        "year": year,
        "week": week,
        "week_param": _week_param(monday),
        "previous_week": _week_param(monday - datetime.timedelta(days=7)),
        "next_week": _week_param(monday + datetime.timedelta(days=7)),
        "days": days,
        "now": timezone.now(),
        "is_member": member,
    }
    return render(request, "network_meetings/slot_calendar.html", context)


@role_required(*selectors.MEETING_ROLES)
@shows_no_child("the form for offering a team's free meeting times: a free slot names no child")
def slot_offer(request):
    user = request.user
    require(user, Action.MANAGE_SLOTS)  # the form offers the person's own teams; none, no form
    teams = Team.objects.filter(pk__in=user.team_ids).order_by("name")
    form = forms.SlotOfferForm(request.POST or None, teams=teams, initial={"team": user.primary_team})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            slots = services.slots_offer(
                team=data["team"],
                by=user,
                first_start=data["first_start"],
                duration=data["duration"],
                place=data["place"],
                weeks=data["weeks"],
            )
        except ValidationError as error:
            add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
        else:
            messages.success(request, _("%(n)s faste mødetider er udbudt.") % {"n": len(slots)})
            url = reverse("network_meetings:slots")
            return redirect(f"{url}?team={data['team'].pk}&uge={_week_param(data['day'])}")
    return render(request, "network_meetings/slot_offer.html", {"form": form})


@role_required(*selectors.MEETING_ROLES)
@require_POST
def slot_release(request, pk):
    user = request.user
    slot = get_object_or_404(MeetingSlot.objects.visible_to(user), pk=pk)
    try:
        services.slot_release(slot=slot, by=user)
    except ValidationError as error:
        error_message(request, error)
    else:
        messages.success(request, _("Tiden er frigivet."))
    url = reverse("network_meetings:slots")
    return redirect(f"{url}?team={slot.team_id}&uge={_week_param(timezone.localtime(slot.starts_at).date())}")
