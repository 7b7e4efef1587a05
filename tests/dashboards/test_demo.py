"""The demo municipality's advisors sit at realistic loads, and the overviews of ``anne`` and
``tl.nord`` have something to show."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command

from cases import caseload
from cases.models import CaseTransfer
from followups.models import Deadline, DeadlineKind
from herning.organisation.models import Role, User
from tests.dashboards.team_page import team_overview_page

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_the_demo_has_loads_near_the_warning_level_and_a_moved_case(login):
    call_command("seed_demo", stdout=io.StringIO())
    advisors = User.objects.with_role(Role.ADVISOR)
    loads = caseload.open_case_counts(a.pk for a in advisors)
    assert max(loads.values()) <= 25
    assert sum(18 <= n <= 20 for n in loads.values()) >= 4
    anne, tl_nord = User.objects.get(username="anne"), User.objects.get(username="tl.nord")
    moved = CaseTransfer.objects.get()
    assert (moved.from_advisor, moved.to_team.name) == (anne, "Team Midt")
    assert Deadline.objects.get(kind=DeadlineKind.HANDOVER, source_id=moved.pk).responsible == anne

    day = login(anne).get("/min-dag/").content.decode()
    assert "Registrér opfølgning" in day and "Registrér overleveringsmødet" in day
    team = team_overview_page(login(tl_nord))
    assert "Anne Kjær" in team and "Børn anbragt på institution" in team


@time_machine.travel("2026-03-02 09:00 +01:00", tick=False)
def test_the_demo_has_an_advisor_at_the_cap_and_one_more_case_is_refused_until_the_team_leader_overrides(
    login,
):
    """Issue 20 point 9: the cap can be seen to bite in the demo at once, without preparing anything."""
    from django.urls import reverse

    from cases.demo.data import AT_CAP_ADVISOR
    from cases.models import Case, CaseloadOverride, CaseState

    call_command("seed_demo", stdout=io.StringIO())
    bo, tl_nord = User.objects.get(username=AT_CAP_ADVISOR), User.objects.get(username="tl.nord")
    team = bo.role_assignments.get(role=Role.ADVISOR).team
    assert team.name == "Team Nord" and team.caseload_cap == 25
    assert caseload.open_case_count(bo) == team.caseload_cap == 25

    waiting = (
        Case.objects.for_system()
        .filter(team=team, advisor=None, state=CaseState.NOTIFICATION)
        .order_by("pk")
        .first()
    )
    assert waiting is not None, "the demo has a case waiting on Team Nord's distribution list"
    client = login(tl_nord)
    url = reverse("cases:case_assign", args=[waiting.pk])
    assert "Bo Nielsen (25 af 25 sager) – ved loftet" in client.get(url).content.decode()
    refused = client.post(url, {"advisor": bo.pk}).content.decode()
    assert "har allerede 25 åbne sager" in refused and "Begrundelse for at gå over loftet" in refused
    waiting.refresh_from_db()
    assert waiting.advisor is None and caseload.open_case_count(bo) == 25

    response = client.post(url, {"advisor": bo.pk, "override_reason": "Bo kender familien."})
    assert response.status_code == 302
    override = CaseloadOverride.objects.get(case=waiting)
    assert (override.advisor, override.decided_by, override.load) == (bo, tl_nord, 25)
    assert caseload.open_case_count(bo) == 26
