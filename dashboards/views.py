"""The advisor's day ("Min dag"), the team leader's overview and management's caseload view.

The first two are the advisor's and the team leader's start pages (``start:my_day``,
``start:team``). The management view shows aggregates only; the evaluation figures (the ladder
over time, placements, costs) stay on management's own page (``start:management``) and are linked.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.selectors import children_of_cases
from dashboards import charts, figures, selectors
from dashboards.forms import OverviewFilterForm
from evaluation.tables import DISCLOSURE_NOTE
from herning.audit.looks import log_look, shows_no_child
from herning.core.access import role_required
from herning.organisation.models import District, Role, Team


@require_GET
@role_required(Role.ADVISOR)
def my_day(request):
    now = timezone.now()
    day = selectors.my_day(request.user, now=now)
    log_look(request, day.shown())
    return render(
        request,
        "dashboards/my_day.html",
        {
            "title": _("Min dag"),
            "day": day,
            "soon_days": selectors.SOON_DAYS,
        },
    )


@require_GET
@role_required(Role.TEAM_LEADER)
def team(request):
    now = timezone.now()
    led = request.user.teams_for(Role.TEAM_LEADER)
    districts = sorted({(t.district_id, str(t.district)) for t in led}, key=lambda d: d[1])
    form = OverviewFilterForm(request.GET or None, districts=districts)
    district, window = form.chosen(timezone.localdate(now))
    teams = sorted((t for t in led if district in (None, t.district_id)), key=lambda t: (t.name, t.pk))
    overview = selectors.team_overview(request.user, teams=teams, window=window, now=now)
    log_look(request, children_of_cases(overview.shown_case_ids()))
    return render(
        request,
        "dashboards/team.html",
        {
            "title": _("Teamoverblik"),
            "form": form,
            "overview": overview,
            "loads_chart": charts.loads_chart(overview.advisors, teams),
            "steps_chart": charts.steps_chart(overview),
            "movements_chart": charts.movements_chart(overview.advisors),
            "several_teams": len(teams) > 1,
            "overdue_listed": selectors.OVERDUE_LISTED,
        },
    )


@require_GET
@role_required(Role.MANAGEMENT)
@shows_no_child("counts per team only, with the evaluation's disclosure control; never a child")
def management(request):
    """Caseload and deadlines across all teams and districts, aggregated: no person is named."""
    now = timezone.now()
    municipality_id = request.user.municipality_id
    all_teams = list(
        Team.objects.filter(district__municipality_id=municipality_id)
        .select_related("district")
        .order_by("district__name", "name")
    )
    districts = [(d.pk, d.name) for d in District.objects.filter(municipality_id=municipality_id)]
    form = OverviewFilterForm(request.GET or None, districts=districts)
    district, window = form.chosen(timezone.localdate(now))
    teams = [t for t in all_teams if district in (None, t.district_id)]
    overview = selectors.management_overview(
        municipality_id=municipality_id, teams=teams, window=window, now=now
    )
    months = overview.target.months if overview.target else None
    return render(
        request,
        "dashboards/management.html",
        {
            "title": _("Sagstal og frister"),
            "form": form,
            "overview": overview,
            "caseload_table": figures.caseload_table(overview.teams, window),
            "deadlines_table": figures.deadlines_table(overview.teams, selectors.COMING_DAYS),
            "ladder_table": figures.ladder_table(overview.teams, window, months),
            "cohort": figures.cohort_cells(overview.cohort),
            "average_chart": charts.average_load_chart(overview.teams),
            "overdue_chart": charts.overdue_chart(overview.teams),
            "disclosure_note": DISCLOSURE_NOTE,
        },
    )
