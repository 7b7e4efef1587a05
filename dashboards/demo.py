"""Demo for the overviews: one of Anne's cases moved to Team Midt because the family moved, so that
its handover meeting is on Anne's day ("Min dag") and the case waits on Team Midt's distribution
list; then the deadlines of network-meeting agreements and handovers computed.

A step of ``seed_demo`` (after the network meetings). The advisors' loads come from the cases step,
which gives each new case to the team's least loaded advisor: Team Nord and Team Syd sit around the
warning level of 20, Team Midt lower, nobody above the cap; Bo in Team Nord holds exactly the cap
(``cases.demo.data.AT_CAP_ADVISOR``). Running it again changes nothing: a
demo municipality with a moved case is left alone.
"""

from __future__ import annotations

import datetime

from cases import services
from cases.models import Case, CaseState, CaseTransfer
from followups import deadlines


def seed(*, org, today: datetime.date, rng, stdout) -> None:
    if CaseTransfer.objects.filter(case__municipality=org.municipality).exists():
        stdout.write("Overblik: demodata findes allerede.")
        return
    anne = org.users["anne"]
    case = (
        Case.objects.filter(advisor=anne, state=CaseState.CLARIFICATION, municipality=org.municipality)
        .order_by("opened_on", "pk")
        .first()
    )
    if case is not None:
        services.case_transfer(
            case=case,
            to_team=org.teams["Team Midt"],
            transferred_by=anne,
            handover_due_on=today + datetime.timedelta(days=5),
            note="Familien er flyttet til Herning By.",
        )
    stats = deadlines.rebuild(today=today, sources=["agreement", "handover"])
    stdout.write(
        f"Overblik: {1 if case else 0} sag flyttet mellem distrikter, {stats.checked} frister på aftaler og overleveringer."
    )
