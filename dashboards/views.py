"""The advisor's day ("Min dag"), the team leader's overview and management's caseload view.

The first two are the advisor's and the team leader's start pages (``start:my_day``,
``start:team``). The management view shows aggregates only; the evaluation figures (the ladder
over time, placements, costs) stay on management's own page (``start:management``) and are linked.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
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
            # The header's bell shows the same count.
            "unread_reminders": day.unread_reminders,
        },
    )


def _team_overview(request) -> tuple[OverviewFilterForm, selectors.TeamOverview]:
    """The filter form and the overview of the teams the person leads, of the chosen district."""
    now = timezone.now()
    led = request.user.teams_for(Role.TEAM_LEADER)
    districts = sorted({(t.district_id, str(t.district)) for t in led}, key=lambda d: d[1])
    form = OverviewFilterForm(request.GET or None, districts=districts)
    district, window = form.chosen(timezone.localdate(now))
    teams = sorted((t for t in led if district in (None, t.district_id)), key=lambda t: (t.name, t.pk))
    return form, selectors.team_overview(request.user, teams=teams, window=window, now=now)


def _team_url(request, name: str = "start:team", *args) -> str:
    """The address of the overview, or of one of its sections, with the page's filters."""
    query = request.GET.urlencode()
    return reverse(name, args=args) + (f"?{query}" if query else "")


def _section_titles(window) -> dict[str, str]:
    """Each section's heading (those of the period name it)."""
    period = {
        "start": date_format(window.start, "SHORT_DATE_FORMAT"),
        "end": date_format(window.end, "SHORT_DATE_FORMAT"),
    }
    return {
        "bevaegelser": _("Bevægelser på indsatstrappen %(start)s-%(end)s") % period,
        "institution": _("Børn anbragt på institution"),
        "uden-partshoering": _("Indsatser startet uden partshøring af barnet %(start)s-%(end)s") % period,
        "opfoelgning": _("Dage siden sidste opfølgning"),
        "overskredne": _("Overskredne frister"),
        "anmodninger": _("Anmodninger, der venter på dig"),
        "loftet": _("Loftet tilsidesat %(start)s-%(end)s") % period,
    }


@require_GET
@role_required(Role.TEAM_LEADER)
@shows_no_child(
    "the first screen counts per advisor and per step; the sections that name children are read as "
    "they are scrolled to (team_section), each logging the children it names"
)
def team(request):
    """The team leader's overview: its first screen, with the sections below it each read when it
    is scrolled to (HTMX), or opened on a page of its own without JavaScript."""
    form, overview = _team_overview(request)
    titles = _section_titles(overview.window)
    return render(
        request,
        "dashboards/team.html",
        {
            "title": _("Teamoverblik"),
            "form": form,
            "overview": overview,
            "loads_chart": charts.loads_chart(overview.advisors, overview.teams),
            "steps_chart": charts.steps_chart(overview),
            "several_teams": len(overview.teams) > 1,
            "sections": [
                {"key": key, "title": titles[key], "url": _team_url(request, "start:team_section", key)}
                for key in selectors.TEAM_SECTIONS
            ],
        },
    )


@require_GET
@role_required(Role.TEAM_LEADER)
def team_section(request, key: str):
    """One section of the team overview below its first screen (``selectors.TEAM_SECTIONS``): the
    part HTMX swaps in when it is scrolled to, or a page of its own when asked without HTMX. It
    reads what the section shows and logs every child it names."""
    if key not in selectors.TEAM_SECTIONS:
        raise Http404
    form, overview = _team_overview(request)
    log_look(request, children_of_cases(overview.shown_case_ids(key)))
    context = {
        "overview": overview,
        "key": key,
        "several_teams": len(overview.teams) > 1,
        "overdue_listed": selectors.OVERDUE_LISTED,
        # A decision on a request returns to the overview, not to this part.
        "team_url": _team_url(request),
    }
    if key == "bevaegelser":
        context["movements_chart"] = charts.movements_chart(overview.movement_rows)
    template = f"dashboards/team/_{key.replace('-', '_')}.html"
    if request.htmx:
        return render(request, template, context)
    title = _section_titles(overview.window)[key]
    return render(
        request,
        "dashboards/team_section_page.html",
        {**context, "title": title, "form": form, "template_name": template},
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
