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
    assert "Registrér opfølgning" in day and "Overleveringsmøder for sager, du har afgivet" in day
    team = login(tl_nord).get("/team/").content.decode()
    assert "Anne Kjær" in team and "Børn anbragt på institution" in team
