"""Management's caseload view across all teams and districts (issue 5, point 5): aggregated, no
person data, with the evaluation app's disclosure control on counts of children."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from dashboards import selectors
from tests.access import AccessMatrix, outcome_for_all
from tests.dashboards.conftest import fill_the_day
from tests.dashboards.factories import give_cases
from tests.factories import CaseFactory
from tests.followups.factories import start_measure

URL = "/overblik/sagstal/"


class TestManagementCaseloadPage(AccessMatrix):
    url = URL
    expected = outcome_for_all(403, management=200, anonymous=302)


def figures(org, *, teams=None, days=90):
    now = timezone.now()
    return selectors.management_overview(
        municipality_id=org.municipality.pk,
        teams=teams or [org.team_a, org.team_b],
        window=selectors.Window(days=days, end=timezone.localdate(now)),
        now=now,
    )


def test_caseload_per_team_against_the_cap(org):
    give_cases(org.advisor, org.team_a, 25)
    give_cases(org.colleague, org.team_a, 21)
    give_cases(org.duty_advisor, org.team_a, 5)
    CaseFactory(team=org.team_a, advisor=None)
    give_cases(org.outsider, org.team_b, 10)
    team_a, team_b = figures(org).teams
    assert (team_a.advisors, team_a.open_cases, team_a.without_advisor) == (3, 52, 1)
    assert team_a.average_load == 17
    assert team_a.advisors_at_level("warning") == 1 and team_a.advisors_at_level("at_cap", "above") == 1
    assert (team_b.advisors, team_b.open_cases, team_b.average_load) == (1, 10, 10)


def test_the_page_names_no_person(org, login):
    day = fill_the_day(org)
    give_cases(org.outsider, org.team_b, 4)
    # The children get names no page text can contain by chance (factory names are random and
    # once matched the signed-in manager's own name in the header).
    for child, name in ((day["measure"].case.child, "Xyloterrion"), (day["waiting"].child, "Qwuvenka")):
        child.first_name = name
        child.save(update_fields=["first_name"])
    page = login(org.management).get(URL).content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    for name in ("Alice", "Bob", "Charlie", "Xyloterrion", "Qwuvenka"):
        assert name not in main
    assert "Xyloterrion" not in page and "Qwuvenka" not in page
    assert "Team A (Distrikt A)" in page and "Team B (Distrikt B)" in page
    assert page.count('role="img"') == 2
    assert reverse("start:management") in page


def test_small_counts_of_children_are_hidden(org, login):
    CaseFactory(team=org.team_a, advisor=None)
    give_cases(org.advisor, org.team_a, 5)
    give_cases(org.outsider, org.team_b, 5)
    page = login(org.management).get(URL).content.decode()
    assert "&lt;3" in page
    assert "Tallene viser aldrig en enkelt person" in page


def test_deadlines_overrides_movements_and_moves_between_districts(org):
    fill_the_day(org)  # includes a case moved from team A to team B
    give_cases(org.colleague, org.team_a, 25)
    case_services.case_assign(
        case=CaseFactory(team=org.team_a),
        advisor=org.colleague,
        assigned_by=org.team_leader,
        override_reason="Kendt",
    )
    start_measure(org, "institution", timezone.localdate() - relativedelta(months=9), advisor=org.advisor)
    team_a, team_b = figures(org).teams
    assert team_a.overdue >= 1 and team_a.overdue_statutory <= team_a.overdue and team_a.coming >= 1
    assert team_a.overrides == 1 and team_b.overrides == 0
    assert (team_a.transfers_out, team_b.transfers_in) == (1, 1)
    assert team_a.first == 2  # the placement nine months ago is before the 90 days
    assert team_a.placed == 2 and team_a.placed_beyond_target == 1


def test_a_district_narrows_the_view(org, login):
    give_cases(org.advisor, org.team_a, 2)
    give_cases(org.outsider, org.team_b, 2)
    page = login(org.management).get(f"{URL}?district={org.district_b.pk}").content.decode()
    assert "Team B (Distrikt B)" in page and "Team A (Distrikt A)" not in page


# The request, the teams, the districts, advisors, loads, cases per team, deadlines, overrides,
# movements, moves between districts, the ladder, the target, placements and the cohort.
MANAGEMENT_QUERIES = 16


def test_the_view_costs_the_same_queries_whatever_the_numbers(org, login, django_assert_num_queries):
    client = login(org.management)
    client.get(URL)
    with django_assert_num_queries(MANAGEMENT_QUERIES):
        client.get(URL)
    for advisor in (org.advisor, org.colleague):
        fill_the_day(org, advisor=advisor)
    give_cases(org.outsider, org.team_b, 7)
    start_measure(
        org, "institution", timezone.localdate() - datetime.timedelta(days=300), advisor=org.advisor
    )
    with django_assert_num_queries(MANAGEMENT_QUERIES):
        assert client.get(URL).status_code == 200
