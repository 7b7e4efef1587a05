"""The cases a person reads by their own role, on PostgreSQL a statement written out once per process
(``cases.access._own_cases_sql``), are the rows the ORM's UNION gives (the path SQLite keeps), for
every persona, with and without a team that shares its two_teams_cases, and a person in two teams."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connections

from cases import access
from cases.models import Case, CaseParticipant, Child, Notification
from herning.organisation.models import Role, RoleAssignment, User
from measures.models import Measure
from tests.fixtures import PERSONAS

pytestmark = pytest.mark.django_db


def _read(user) -> dict[str, set[int]]:
    user = User.objects.signed_in().get(pk=user.pk)  # as a request reads the person
    return {
        "cases": set(Case.objects.visible_to(user).values_list("pk", flat=True)),
        "children": set(Child.objects.visible_to(user).values_list("pk", flat=True)),
        "notifications": set(Notification.objects.visible_to(user).values_list("pk", flat=True)),
        "measures": set(Measure.objects.visible_to(user).values_list("pk", flat=True)),
    }


def _read_by_the_orm(user) -> dict[str, set[int]]:
    with mock.patch.object(connections["default"], "vendor", "sqlite"):
        return _read(user)


@pytest.mark.parametrize("shares", [False, True])
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_written_statement_reads_the_rows_of_the_orms_union(org, two_teams_cases, persona, shares):
    org.team_a.shares_cases = shares
    org.team_a.save()
    user = getattr(org, persona)
    assert _read(user) == _read_by_the_orm(user)


def test_an_advisor_in_two_teams_who_leads_one_reads_the_same_through_both_paths(org, two_teams_cases):
    RoleAssignment.objects.create(user=org.advisor, role=Role.TEAM_LEADER, team=org.team_b)
    CaseParticipant.objects.create(case=two_teams_cases[2], user=org.advisor, note="bisidder")
    read = _read(org.advisor)
    assert read == _read_by_the_orm(org.advisor)
    # Their own two, the one they are added to, and team B's two, which they lead.
    assert read["cases"] == {
        two_teams_cases[0].pk,
        two_teams_cases[1].pk,
        two_teams_cases[2].pk,
        two_teams_cases[4].pk,
        two_teams_cases[5].pk,
    }


def test_the_statement_names_the_models_columns_and_binds_every_value(org, two_teams_cases):
    statement = str(Case.objects.visible_to(User.objects.signed_in().get(pk=org.team_leader.pk)).query)
    assert "cases_caseparticipant" in statement and "= ANY(" in statement
    assert access._own_cases_sql(True, True).count("%s") == 3
    assert str(org.team_leader.pk) not in access._own_cases_sql(True, True)
