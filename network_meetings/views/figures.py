"""Figures on network meetings for management (aggregates only)."""

from __future__ import annotations

import datetime

from django.shortcuts import render
from django.utils import timezone

from herning.audit.looks import shows_no_child
from herning.core.access import role_required
from herning.organisation.models import Role
from network_meetings import figures, forms


@role_required(Role.MANAGEMENT)
@shows_no_child("key figures of the meetings for management: counts, never a child")
def meeting_figures(request):
    today = timezone.localdate()
    form = forms.PeriodForm(
        request.GET or None, initial={"start": today - datetime.timedelta(days=365), "end": today}
    )
    start, end = today - datetime.timedelta(days=365), today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    rows = figures.team_figures(municipality_id=request.user.municipality_id, start=start, end=end)
    return render(
        request,
        "network_meetings/figures.html",
        {"form": form, "rows": rows[:-1], "total": rows[-1], "start": start, "end": end},
    )
