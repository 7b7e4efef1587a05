"""Whose figures a person sees: management the whole municipality, a team leader their own teams.

Figures are aggregates and never show a person, so they are not read through
``Case.objects.visible_to`` (management sees no case by design); they are limited here to the
organisation the person steers. Pages with a child's data (SDQ, complaints of a case) do start from
``visible_to``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from herning.organisation.models import District, Role, Team

FIGURE_ROLES = (Role.MANAGEMENT, Role.TEAM_LEADER)


@dataclass(frozen=True)
class Scope:
    """A municipality, optionally narrowed to some teams and/or some districts."""

    municipality_id: int
    team_ids: tuple[int, ...] | None = None
    district_ids: tuple[int, ...] | None = None
    label: str = ""

    def q(self, *, team: str = "team", district: str = "district") -> Q:
        """A filter for rows whose team and district are reached through ``team`` and ``district``;
        the municipality is filtered by the caller."""
        q = Q()
        if self.team_ids is not None:
            q &= Q(**{f"{team}__in": self.team_ids})
        if self.district_ids is not None:
            q &= Q(**{f"{district}__in": self.district_ids})
        return q

    def holds(self, team: int | None, district: int | None) -> bool:
        """Whether a row of ``team`` and ``district`` is inside (``q`` for a row already read; the
        municipality is the caller's)."""
        return (self.team_ids is None or team in self.team_ids) and (
            self.district_ids is None or district in self.district_ids
        )

    def within(self, other: Scope) -> bool:
        """Whether every row inside this scope is inside ``other`` (same municipality, narrower or
        equal)."""

        def inside(mine, theirs):
            return theirs is None or (mine is not None and set(mine) <= set(theirs))

        return (
            self.municipality_id == other.municipality_id
            and inside(self.team_ids, other.team_ids)
            and inside(self.district_ids, other.district_ids)
        )

    def narrowed(self, *, teams: Iterable[Team] = (), districts: Iterable[District] = (), label="") -> Scope:
        team_ids = tuple(t.pk for t in teams) or None
        district_ids = tuple(d.pk for d in districts) or None
        if self.team_ids is not None and team_ids is not None:
            team_ids = tuple(t for t in team_ids if t in self.team_ids)
        return Scope(
            municipality_id=self.municipality_id,
            team_ids=team_ids if team_ids is not None else self.team_ids,
            district_ids=district_ids if district_ids is not None else self.district_ids,
            label=label or self.label,
        )


def sees_whole_municipality(user) -> bool:
    return user.has_role(Role.MANAGEMENT)


def scope_for(user) -> Scope:
    """The widest scope ``user`` may see figures for."""
    if not user.municipality_id:
        raise PermissionDenied(_("Du er ikke knyttet til en kommune."))
    if sees_whole_municipality(user):
        return Scope(municipality_id=user.municipality_id, label=str(user.municipality))
    teams = user.teams_for(Role.TEAM_LEADER)
    if teams:
        return Scope(
            municipality_id=user.municipality_id,
            team_ids=tuple(t.pk for t in teams),
            label=", ".join(t.name for t in teams),
        )
    raise PermissionDenied(_("Nøgletallene er for ledelsen og teamledere."))


def teams_in(scope: Scope):
    qs = Team.objects.filter(district__municipality_id=scope.municipality_id).select_related("district")
    if scope.team_ids is not None:
        qs = qs.filter(pk__in=scope.team_ids)
    return qs.order_by("district__name", "name")


def districts_in(scope: Scope):
    qs = District.objects.filter(municipality_id=scope.municipality_id)
    if scope.team_ids is not None:
        qs = qs.filter(teams__in=scope.team_ids).distinct()
    return qs.order_by("name")


def unit_of(scope: Scope) -> tuple:
    """The part of the organisation a scope counts, as the disclosure control keys it: some teams,
    some districts, or the whole municipality (``evaluation.disclosure``)."""
    if scope.team_ids is not None:
        if scope.district_ids is not None:
            return ("teams", tuple(sorted(scope.team_ids)), tuple(sorted(scope.district_ids)))
        return ("teams", tuple(sorted(scope.team_ids)))
    if scope.district_ids is not None:
        return ("districts", tuple(sorted(scope.district_ids)))
    return ("all",)
