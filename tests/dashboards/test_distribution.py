"""Distribution (issue 5, point 2): the team leader's list of cases without an advisor, each with
a suggested advisor: the child's previous advisor when under the cap (fewer advisor changes),
else the team's advisor with the fewest open cases."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import caseload
from cases.models import CaseState
from tests.dashboards.factories import give_cases
from tests.factories import CaseFactory, Role, RoleAssignment, staff


@pytest.fixture
def waiting(org):
    """A new case in team A without an advisor."""
    return CaseFactory(team=org.team_a, advisor=None, state=CaseState.NOTIFICATION)


def closed_case_of(child, team, advisor):
    opened = timezone.localdate() - datetime.timedelta(days=400)
    return CaseFactory(
        child=child,
        team=team,
        advisor=advisor,
        state=CaseState.CLOSED,
        opened_on=opened,
        closed_on=opened + datetime.timedelta(days=200),
    )


def suggestion(org, case):
    suggestions, _loads = caseload.suggestions_for(
        cases=[case],
        user=org.team_leader,
        advisors_by_team={org.team_a.pk: [org.advisor, org.colleague, org.duty_advisor]},
    )
    return suggestions[case.pk]


def test_the_childs_previous_advisor_is_suggested_when_under_the_cap(org, waiting):
    closed_case_of(waiting.child, org.team_a, org.colleague)
    give_cases(org.colleague, org.team_a, 22)
    give_cases(org.advisor, org.team_a, 3)
    s = suggestion(org, waiting)
    assert s.advisor == org.colleague
    assert "Bob" in s.reason and "tidligere sag" in s.reason and "22 af 25" in s.reason


def test_a_previous_advisor_at_the_cap_gives_way_to_the_lowest_load(org, waiting):
    closed_case_of(waiting.child, org.team_a, org.colleague)
    give_cases(org.colleague, org.team_a, 25)
    give_cases(org.advisor, org.team_a, 10)
    give_cases(org.duty_advisor, org.team_a, 4)
    s = suggestion(org, waiting)
    assert s.advisor == org.duty_advisor
    assert "har nået loftet" in s.reason and "færrest sager" in s.reason and "(4 af 25)" in s.reason


def test_without_a_previous_advisor_the_lowest_load_is_suggested(org, waiting):
    give_cases(org.advisor, org.team_a, 12)
    give_cases(org.colleague, org.team_a, 7)
    give_cases(org.duty_advisor, org.team_a, 9)
    s = suggestion(org, waiting)
    assert s.advisor == org.colleague
    assert s.reason == "Bob " + org.colleague.last_name + " har færrest sager i Team A (7 af 25)."


def test_equal_loads_are_broken_by_name(org, waiting):
    give_cases(org.duty_advisor, org.team_a, 1)
    assert suggestion(org, waiting).advisor == org.advisor  # Alice before Bob, both at 0


def test_a_previous_advisor_of_another_team_is_not_suggested(org, waiting):
    closed_case_of(waiting.child, org.team_b, org.outsider)
    give_cases(org.advisor, org.team_a, 3)
    give_cases(org.duty_advisor, org.team_a, 3)
    assert suggestion(org, waiting).advisor == org.colleague


def test_the_latest_previous_advisor_counts(org, waiting):
    closed_case_of(waiting.child, org.team_a, org.advisor)
    later = closed_case_of(waiting.child, org.team_a, org.colleague)
    later.opened_on += datetime.timedelta(days=100)
    later.save()
    give_cases(org.colleague, org.team_a, 5)
    assert suggestion(org, waiting).advisor == org.colleague


def test_when_everyone_is_at_the_cap_nobody_is_suggested(org, waiting):
    for advisor in (org.advisor, org.colleague, org.duty_advisor):
        give_cases(advisor, org.team_a, 25)
    s = suggestion(org, waiting)
    assert s.advisor is None
    assert "Alle rådgivere i Team A har nået loftet på 25 sager" in s.reason


def test_the_distribution_page_preselects_the_suggestion_and_shows_every_load(org, waiting, login):
    give_cases(org.advisor, org.team_a, 21)
    give_cases(org.colleague, org.team_a, 2)
    give_cases(org.duty_advisor, org.team_a, 25)
    page = login(org.team_leader).get(reverse("cases:distribution")).content.decode()
    assert "har færrest sager i Team A (2 af 25)" in page
    assert f'<option value="{org.colleague.pk}" selected>' in page
    assert "(21 af 25 sager)" in page and "(25 af 25 sager)" in page
    assert "Advarselsniveau nået" in page and "Loftet nået" in page
    assert 'name="override_reason"' in page


def test_a_new_advisor_appears_in_the_suggestion_at_once(org, waiting):
    newcomer = staff(username="dina", municipality=org.municipality, roles=[], first_name="Dina")
    RoleAssignment.objects.create(user=newcomer, role=Role.ADVISOR, team=org.team_a)
    give_cases(org.advisor, org.team_a, 1)
    give_cases(org.colleague, org.team_a, 1)
    suggestions, _ = caseload.suggestions_for(
        cases=[waiting],
        user=org.team_leader,
        advisors_by_team={org.team_a.pk: [org.advisor, org.colleague, newcomer]},
    )
    assert suggestions[waiting.pk].advisor == newcomer
