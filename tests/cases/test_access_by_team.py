"""``Case.objects.visible_to(user, teams=...)``: the cases of some teams a person may read. For a
team leader of those teams it is a plain filter on the team (cheap for PostgreSQL to plan); for
everyone else the general rule narrowed by team. Both must give exactly the rows of the general
rule narrowed by team, for every persona and every choice of teams."""

from __future__ import annotations

import pytest

from cases.access import related_case_filter, whole_teams
from cases.models import Case, CaseParticipant
from tests.factories import CaseFactory
from tests.fixtures import PERSONAS


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("which", [("team_a",), ("team_b",), ("team_a", "team_b"), ()])
def test_narrowed_by_team_reads_the_same_cases_as_the_general_rule(org, two_teams_cases, persona, which):
    user = getattr(org, persona)
    teams = [getattr(org, name).pk for name in which]
    expected = set(Case.objects.visible_to(user).filter(team__in=teams).values_list("pk", flat=True))
    assert set(Case.objects.visible_to(user, teams=teams).values_list("pk", flat=True)) == expected


def test_a_team_leader_reads_the_led_team_by_a_plain_filter_and_other_teams_by_the_rule(org, two_teams_cases):
    assert whole_teams(org.team_leader) == {org.team_a.pk}
    own = str(Case.objects.visible_to(org.team_leader, teams=[org.team_a.pk]).query)
    assert "UNION" not in own
    assert Case.objects.visible_to(org.team_leader, teams=[org.team_a.pk]).count() == 4
    # Team B is not theirs: the general rule applies, and it reads nothing there.
    other = Case.objects.visible_to(org.team_leader, teams=[org.team_a.pk, org.team_b.pk])
    assert "UNION" in str(other.query) and other.count() == 4


def test_an_advisor_reads_the_whole_team_only_when_it_shares_cases(org, two_teams_cases):
    assert whole_teams(org.advisor) == set()
    assert Case.objects.visible_to(org.advisor, teams=[org.team_a.pk]).count() == 2
    org.team_a.shares_cases = True
    org.team_a.save()
    advisor = type(org.advisor).objects.get(pk=org.advisor.pk)
    assert whole_teams(advisor) == {org.team_a.pk}
    assert Case.objects.visible_to(advisor, teams=[org.team_a.pk]).count() == 4


def test_nobody_reads_a_team_of_another_municipality_through_a_team_id(org, two_teams_cases):
    from tests.fixtures import make_org

    neighbour = make_org(name="Ikast-Brande Kommune", code="760", prefix="ib_")
    CaseFactory(team=neighbour.team_a, advisor=neighbour.advisor)
    assert not Case.objects.visible_to(org.team_leader, teams=[neighbour.team_a.pk]).exists()
    assert Case.objects.visible_to(neighbour.team_leader, teams=[neighbour.team_a.pk]).count() == 1


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("which", [("team_a",), ("team_b",), ("team_a", "team_b")])
def test_rows_reached_through_the_case_are_those_of_readable_cases(org, two_teams_cases, persona, which):
    """``related_case_filter``: the rows of another table (here the professionals added to the
    two_teams_cases) whose case the person may read, joined on the case's team for a team's own leader."""
    user = getattr(org, persona)
    teams = [getattr(org, name).pk for name in which]
    for case in two_teams_cases:
        CaseParticipant.objects.create(case=case, user=org.health_visitor, note="sundhedsplejerske")
    rows = CaseParticipant.objects.filter(related_case_filter(user, via="case", teams=teams))
    expected = CaseParticipant.objects.filter(case__in=Case.objects.visible_to(user).filter(team__in=teams))
    assert set(rows.values_list("pk", flat=True)) == set(expected.values_list("pk", flat=True))
