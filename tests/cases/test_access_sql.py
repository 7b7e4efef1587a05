"""The cases a person reads by their own role, on PostgreSQL a statement written out once per process
(``cases.access._own_cases_sql``), are the rows the ORM's UNION gives (the path SQLite keeps), for
every persona, with and without a team that shares its two_teams_cases, and a person in two teams.

The readable cases and notifications a deadline list looks its rows up in are the rule's statement
compiled once per person (``cases.access.readable_ids``): the same deadlines as the rule asked of
each row, and a change of the person's roles, teams or activity is read at the next request."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import connections
from django.db.models import Exists, OuterRef, Q

from cases import access
from cases.models import Case, CaseParticipant, Child, Notification
from followups.models import NOTIFICATION_KINDS, Deadline, DeadlineKind
from herning.organisation.models import Role, RoleAssignment, User
from measures.models import Measure
from tests.cases.factories import NotificationFactory
from tests.factories import ChildFactory
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


@pytest.fixture(params=[False, True], ids=["team_a_keeps_its_cases", "team_a_shares_its_cases"])
def sharing(request, org):
    """Team A with and without sharing its cases among its advisors."""
    org.team_a.shares_cases = request.param
    org.team_a.save()
    return request.param


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_written_statement_reads_the_rows_of_the_orms_union(org, two_teams_cases, sharing, persona):
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


def _deadline(**keys) -> Deadline:
    return Deadline.objects.create(
        source_id=keys.pop("source_id", None) or Deadline.objects.count() + 1000,
        due_on=datetime.date(2026, 3, 2),
        due_at=datetime.datetime(2026, 3, 2, 23, tzinfo=datetime.UTC),
        rule="r",
        explanation="e",
        explanation_en="e",
        **keys,
    )


@pytest.fixture
def deadlines(org, two_teams_cases):
    """A deadline on each case; the notifications' own deadlines (on a case of each team, and one
    in district A with no case yet); an agreement owned by the psychologist."""
    for case in two_teams_cases:
        _deadline(
            kind=DeadlineKind.FOLLOWUP, case=case, municipality=case.municipality, responsible=case.advisor
        )
    NotificationFactory(case=two_teams_cases[3], registered_by=org.case_admin)
    NotificationFactory(case=two_teams_cases[5], registered_by=org.case_admin)
    child = ChildFactory(municipality=org.municipality, district=org.team_a.district)
    NotificationFactory(
        case=None,
        child=child,
        municipality=org.municipality,
        district=org.team_a.district,
        registered_by=org.case_admin,
    )
    _deadline(kind=DeadlineKind.AGREEMENT, municipality=org.municipality, responsible=org.psychologist)
    assert Deadline.objects.filter(kind__in=NOTIFICATION_KINDS, case=None).exists()


def _deadlines(user) -> set[int]:
    user = User.objects.signed_in().get(pk=user.pk)  # as a request reads the person
    return set(Deadline.objects.visible_to(user).values_list("pk", flat=True))


def _deadlines_by_the_rule_asked_of_each_row(user) -> set[int]:
    """The rule as the ORM asks it of each row, nothing kept: an EXISTS on the row's case, or on its
    notification, or the agreement the person owns."""
    user = User.objects.signed_in().get(pk=user.pk)
    case = Exists(Case.objects.visible_to(user).filter(pk=OuterRef("case_id")))
    notification = Exists(Notification.objects.visible_to(user).filter(pk=OuterRef("source_id")))
    return set(
        Deadline.objects.for_system()
        .filter(
            Q(case)
            | Q(notification, kind__in=NOTIFICATION_KINDS)
            | Q(kind=DeadlineKind.AGREEMENT, responsible=user)
        )
        .values_list("pk", flat=True)
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_deadline_list_reads_the_deadlines_the_rule_gives_each_row(org, deadlines, sharing, persona):
    user = getattr(org, persona)
    assert _deadlines(user) == _deadlines(user) == _deadlines_by_the_rule_asked_of_each_row(user)


def test_the_rule_is_compiled_once_per_person_and_read_again_when_the_person_changes(
    org, deadlines, two_teams_cases
):
    """Kept in the process by the person's state: a second request compiles nothing; a team that
    starts sharing its cases, a new role and a deactivation are each read at the next request."""
    colleagues_case = set(Deadline.objects.filter(case=two_teams_cases[2]).values_list("pk", flat=True))
    team_b = set(Deadline.objects.filter(case__team=org.team_b).values_list("pk", flat=True))
    first = _deadlines(org.advisor)
    assert first and not first & (colleagues_case | team_b)
    with mock.patch.object(access, "_compiled", wraps=access._compiled) as compiled:
        assert _deadlines(org.advisor) == first
    assert compiled.call_count == 0
    org.team_a.shares_cases = True
    org.team_a.save()
    assert colleagues_case <= _deadlines(org.advisor)
    RoleAssignment.objects.create(user=org.advisor, role=Role.TEAM_LEADER, team=org.team_b)
    assert team_b <= _deadlines(org.advisor)
    User.objects.filter(pk=org.advisor.pk).update(is_active=False)
    assert _deadlines(org.advisor) == set()
