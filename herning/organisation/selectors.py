"""Reads about the organisation that other apps call instead of querying its tables."""

from __future__ import annotations

import datetime

from herning.core.statements import kept
from herning.organisation.models import District, DutyShift, Role, Team, User


def duty_advisor_on(*, district: District, day: datetime.date) -> User | None:
    """Who holds duty in ``district`` on ``day`` according to the roster, if anyone."""
    shift = DutyShift.objects.filter(district=district, date=day).select_related("advisor").first()
    return shift.advisor if shift else None


def on_duty(*, municipality, day: datetime.date) -> list[tuple[District, User | None]]:
    """Each district of ``municipality`` with who holds duty on ``day`` (None: nobody on the
    roster), in the districts' order: two queries whatever the number of districts."""
    shifts = {s.district_id: s.advisor for s in _shifts_on(municipality_id=municipality.pk, day=day)}
    return [
        (d, shifts.get(d.pk)) for d in District.objects.filter(municipality=municipality).order_by("name")
    ]


@kept(bound=("municipality_id", "day"))
def _shifts_on(*, municipality_id: int, day: datetime.date):
    # Compiled once per process (herning.core.statements): every Min dag reads the roster.
    return DutyShift.objects.filter(district__municipality_id=municipality_id, date=day).select_related(
        "advisor"
    )


def team_leaders(*, team: Team):
    return User.objects.with_role(Role.TEAM_LEADER, team=team)


def team_advisors(*, team: Team):
    return User.objects.with_role(Role.ADVISOR, team=team)
