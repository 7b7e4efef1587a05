"""Reads about the organisation that other apps call instead of querying its tables."""

from __future__ import annotations

import datetime

from django.db.models import FilteredRelation, Q

from herning.core.statements import kept
from herning.organisation.models import District, DutyShift, Role, Team, User


def duty_advisor_on(*, district: District, day: datetime.date) -> User | None:
    """Who holds duty in ``district`` on ``day`` according to the roster, if anyone."""
    shift = DutyShift.objects.filter(district=district, date=day).select_related("advisor").first()
    return shift.advisor if shift else None


def on_duty(*, municipality, day: datetime.date) -> list[tuple[District, User | None]]:
    """Each district of ``municipality`` with who holds duty on ``day`` (None: nobody on the
    roster), in the districts' order: one query whatever the number of districts (a district has
    one shift a day at most, ``duty_shift_one_per_district_and_day``)."""
    # A district with no shift that day has no ``shift`` at all (the join found no row).
    shifts = (
        (d, getattr(d, "shift", None)) for d in _districts_on_duty(municipality_id=municipality.pk, day=day)
    )
    return [(d, shift.advisor if shift is not None else None) for d, shift in shifts]


@kept(bound=("municipality_id", "day"))
def _districts_on_duty(*, municipality_id: int, day: datetime.date):
    # Compiled once per process (herning.core.statements): every Min dag reads the roster. The day's
    # shift is joined to each district (its advisor with it), so a district nobody holds is there too.
    return (
        District.objects.filter(municipality_id=municipality_id)
        .annotate(shift=FilteredRelation("duty_shifts", condition=Q(duty_shifts__date=day)))
        .select_related("shift__advisor")
        .order_by("name")
    )


# The choices of a municipality's filters (the case list's): pairs of id and name, as values, each
# statement compiled once per process (herning.core.statements). A large municipality has hundreds
# of advisors and some fifty teams: as instances, through a model choice field's iterator and again
# for the chosen one's check, they took a fifth of the case list's CPU (benchmarks/RESULTS.md).


@kept(bound=("municipality_id",))
def team_choices(*, municipality_id: int | None):
    """(id, name) of the municipality's teams, in the teams' order (district, then name)."""
    return Team.objects.filter(district__municipality_id=municipality_id).values_list("pk", "name")


@kept(bound=("municipality_id",))
def district_choices(*, municipality_id: int | None):
    """(id, name) of the municipality's districts, in the districts' order."""
    return District.objects.filter(municipality_id=municipality_id).values_list("pk", "name")


@kept(bound=("municipality_id",))
def _advisor_rows(*, municipality_id: int | None):
    return (
        User.objects.with_role(Role.ADVISOR)
        .filter(municipality_id=municipality_id)
        .values_list("pk", "first_name", "last_name", "username")
    )


def advisor_choices(*, municipality_id: int | None) -> list[tuple[int, str]]:
    """(id, name) of the municipality's active advisors, each once, named as every page names a
    person (``User.name_of``, the rule of ``str(user)``), in the people's order."""
    return [(pk, User.name_of(*names)) for pk, *names in _advisor_rows(municipality_id=municipality_id)]


def team_leaders(*, team: Team):
    return User.objects.with_role(Role.TEAM_LEADER, team=team)


def team_advisors(*, team: Team):
    return User.objects.with_role(Role.ADVISOR, team=team)
