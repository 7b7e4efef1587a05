"""Reads about the organisation that other apps call instead of querying its tables."""

from __future__ import annotations

import datetime

from herning.organisation.models import District, DutyShift, Role, Team, User


def duty_advisor_on(*, district: District, day: datetime.date) -> User | None:
    """Who holds duty in ``district`` on ``day`` according to the roster, if anyone."""
    shift = DutyShift.objects.filter(district=district, date=day).select_related("advisor").first()
    return shift.advisor if shift else None


def team_leaders(*, team: Team):
    return User.objects.with_role(Role.TEAM_LEADER, team=team)


def team_advisors(*, team: Team):
    return User.objects.with_role(Role.ADVISOR, team=team)
