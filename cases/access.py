"""Who may read which child's and case's data: decided here, and only here.

Every model holding a child's data reads through ``visible_to(user)`` (``herning.core.querysets``;
the pattern of NetBox's ``RestrictedQuerySet.restrict``). The rule is written once, as the filters
below (``case_filter``, ``child_filter``, ``notification_filter``); every other model's queryset
subclasses ``CaseDataQuerySet`` and says only how its rows reach a case or a child (``case_path``,
``child_path``) or the record they belong to (``parent_path``: a meeting's minutes follow the
meeting). A record outside them is answered with 404, never 403, so its existence is not revealed.
The matrix is written out in ``docs/access.md``.

* advisor: own cases; the team's cases where the team shares (``Team.shares_cases``);
* team leader: the cases of the teams they lead, and those districts' notifications that have no
  case yet (to assign an advisor);
* duty advisor: the notifications sent to them and the district's notifications awaiting the
  24-hour assessment, with the child and any case those concern;
* psychologist, health visitor (and anyone else): the cases they are added to (``CaseParticipant``);
* case administrator: the notifications they registered, not the case contents;
* management: aggregated figures only, never a person;
* system administrator: configuration only, unless they also hold a role on the case;
* data protection (databeskyttelse): the access log of the municipality (``herning.audit.models``),
  to answer citizens' requests for insight; no case contents.
Everything is limited to the person's own municipality.
"""

from __future__ import annotations

import functools
import hashlib
import threading

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL

from herning.core import arrays
from herning.core.querysets import GuardedQuerySet, is_active_staff
from herning.organisation.models import Role

NOTHING = Q(pk__in=[])
_active_staff = is_active_staff


def whole_teams(user) -> set[int]:
    """The teams every case of which ``user`` reads by their role: the teams they lead, and, as an
    advisor, their teams that share cases."""
    if not _active_staff(user):
        return set()
    teams = {t.pk for t in user.teams_for(Role.TEAM_LEADER)}
    if user.has_role(Role.ADVISOR):
        teams |= {t.pk for t in user.teams_for(Role.ADVISOR) if t.shares_cases}
    return teams


def case_filter(user, *, teams=None) -> Q:
    """The cases ``user`` may read; with ``teams`` (ids), only those teams' cases.

    When the person reads every case of ``teams`` (``whole_teams``), that is a plain filter on the
    team: the same rows as the general filter narrowed by team, which PostgreSQL counts right and
    joins cheaply, where it misjudges the union below as a couple of rows and loops over it (2-3 ms
    for each read of a team leader's overview at national scale, benchmarks/RESULTS.md).
    """
    from cases.models import Case, CaseParticipant, Notification

    if not _active_staff(user):
        return NOTHING
    if teams is not None:
        teams = set(teams)
        if teams <= whole_teams(user):
            return Q(team__in=sorted(teams), municipality_id=user.municipality_id)
        return case_filter(user) & Q(team__in=sorted(teams))
    # The cases a person reads by their own role are one set of ids, written as a UNION of indexed
    # lookups rather than an OR of conditions: PostgreSQL guesses an OR with an EXISTS at half the
    # municipality and then scans whole tables (300,000 measures for an advisor's 25 cases at
    # national scale, benchmarks/RESULTS.md), while it counts a UNION's rows right.
    advisor, whole = user.has_role(Role.ADVISOR), sorted(whole_teams(user))
    if connection.vendor == "postgresql":
        q = Q(pk__in=_own_cases(user.pk, advisor=advisor, teams=whole))
    else:
        sources = [CaseParticipant.objects.filter(user=user).order_by().values("case_id")]
        if advisor:
            sources.append(Case.objects.filter(advisor=user).order_by().values("pk"))
        if whole:
            sources.append(Case.objects.filter(team__in=whole).order_by().values("pk"))
        q = Q(pk__in=sources[0].union(*sources[1:]) if len(sources) > 1 else sources[0])
    if user.has_role(Role.DUTY_ADVISOR):
        q |= Q(Exists(Notification.objects.filter(case=OuterRef("pk")).filter(_duty_notifications(user))))
    return q & Q(municipality_id=user.municipality_id)


def _own_cases(user_id: int, *, advisor: bool, teams: list[int]) -> RawSQL:
    """The ids of the cases a person reads by their own role, the UNION ``case_filter`` names:
    those they are added to, with ``advisor`` those they advise, and every case of ``teams``."""
    params: list = [user_id]
    if advisor:
        params.append(user_id)
    if teams:
        params.append(arrays.bound(teams))
    return RawSQL(_own_cases_sql(advisor, bool(teams)), params)  # noqa: S611 - fixed text, values bound


@functools.cache
def _own_cases_sql(advisor: bool, teams: bool) -> str:
    """The statement of ``_own_cases``, written out once per process from the models' columns.

    Why not the ORM's ``union``: every read of a child's data carries this subquery, and Django
    built and compiled it anew each time, 0.5 ms of CPU for each statement that holds it (several
    on every page; the count and the rows of each API list) at national scale (benchmarks/RESULTS.md).
    The statement is the one the ORM wrote, with the teams as one bound array (a fixed text
    whatever their number); nothing from a request is in the text. SQLite (the quick start) keeps
    the ORM's. ``tests/cases/test_access_sql.py`` holds its rows to the ORM's."""
    from cases.models import Case, CaseParticipant

    quote = connection.ops.quote_name
    cases, participants = quote(Case._meta.db_table), quote(CaseParticipant._meta.db_table)
    pk = quote(Case._meta.pk.column)
    participant_case = quote(CaseParticipant._meta.get_field("case").column)
    participant_user = quote(CaseParticipant._meta.get_field("user").column)
    parts = [f"SELECT p.{participant_case} FROM {participants} p WHERE p.{participant_user} = %s"]  # noqa: S608 - names from the models
    if advisor:
        column = quote(Case._meta.get_field("advisor").column)
        parts.append(f"SELECT c.{pk} FROM {cases} c WHERE c.{column} = %s")  # noqa: S608 - names from the models
    if teams:
        team = Case._meta.get_field("team")
        array = arrays.array_type(team)
        parts.append(f"SELECT c.{pk} FROM {cases} c WHERE c.{quote(team.column)} = ANY(%s::{array})")  # noqa: S608 - names from the models
    return " UNION ".join(f"({part})" for part in parts)


def readable_ids(user, model) -> RawSQL | None:
    """The ids of the ``model`` rows (cases, children, notifications, meetings) ``user`` may read, as one subquery for
    an ``__in`` lookup: ``model.objects.visible_to(user)``'s own statement, built and compiled by
    the ORM, once per person and process while the person is unchanged (``person_state``).
    ``None`` when the person may read none.

    Why: every read of a child's data holds the rule as a subquery (``CaseDataQuerySet.visible_to``;
    a deadline list asks it of a case and of a notification), and Django built and compiled it
    anew for every statement: on Min dag 2.5 of 22 ms of CPU, on a team leader's "Frister" 8 of 50
    ms, at national scale (benchmarks/RESULTS.md). The statement is the ORM's, with the
    person's values bound, so the rule is still written once, above; what is kept is a compiled
    copy, looked up by everything the rule reads of the person. ``tests/cases/test_access_sql.py``
    holds its rows to the ORM's and shows that a change of role, team or activity is read at once.
    """
    state = person_state(user)
    if state is None:
        compiled = _compiled(model._default_manager.visible_to(user))
    else:
        key = (model._meta.label, connection.vendor, state)
        compiled = _readable.get(key, _NOT_KEPT)
        if compiled is _NOT_KEPT:
            compiled = _compiled(model._default_manager.visible_to(user))
            with _readable_lock:
                if len(_readable) >= _READABLE_KEPT:
                    _readable.clear()  # people come and go; the next request compiles again
                _readable[key] = compiled
    # A new expression each time: what the ORM does with it stays in the statement it is used in.
    return RawSQL(*compiled) if compiled is not None else None  # noqa: S611 - the ORM's statement, values bound


def _compiled(queryset) -> tuple[str, tuple] | None:
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


# A compiled rule per person and model (cases, children, notifications, meetings): 1-4 KB each, a
# few MB in all, which the web process's memory (benchmarks/RESULTS.md) has room for.
_READABLE_KEPT = 2_000
_readable: dict[tuple[str, str, bytes], tuple[str, tuple] | None] = {}
_NOT_KEPT = object()
_readable_lock = threading.Lock()


def person_state(user) -> bytes | None:
    """A digest of everything the rules above read of a person: every column of the person and of
    each of their roles with its team and district (who they are, their municipality, whether they
    are active, which teams they lead or advise and whether those share their cases, the duty
    districts). Read from the person as this request read them, so a change of role, team or
    activity gives another digest at the next request. ``None`` for someone not signed in.

    The key of every statement kept with a person's values in it: ``readable_ids`` here, and the
    reads kept per person (``herning.core.statements``, ``keyed={"user": person_state}``)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return None
    rows = [_columns(user)]
    for assignment in user.role_assignments_cached:
        rows.append(_columns(assignment))
        if assignment.team_id is not None:
            rows.append(_columns(assignment.team))
            if assignment.team.district_id is not None:
                rows.append(_columns(assignment.team.district))
    return hashlib.blake2b(repr(rows).encode(), digest_size=20).digest()


def _columns(instance) -> tuple:
    return (instance._meta.label, *(getattr(instance, f.attname) for f in instance._meta.concrete_fields))


def related_case_filter(user, *, via: str, teams) -> Q:
    """Rows of another table (deadlines, ladder movements, overrides) whose case, reached through
    ``via``, ``user`` may read, among the cases of ``teams``. Where the person reads those teams
    whole (``whole_teams``) this joins the case and filters its team, which PostgreSQL plans from
    the table's own index on team (an overview's oldest overdue deadlines without reading every
    case of the team); else the case must be one of ``case_filter``'s."""
    from cases.models import Case

    teams = set(teams)
    if _active_staff(user) and teams <= whole_teams(user):
        return Q(**{f"{via}__team__in": sorted(teams), f"{via}__municipality_id": user.municipality_id})
    return Q(**{f"{via}__in": Case.objects.filter(case_filter(user, teams=teams))})


def _duty_notifications(user) -> Q:
    districts = [t.district_id for t in user.teams_for(Role.DUTY_ADVISOR)]
    return Q(duty_advisor=user) | Q(district__in=districts, assessed_at__isnull=True)


def notification_filter(user, *, include_registrations: bool = True) -> Q:
    """The notifications ``user`` may read. Every notification on a case they read is among them
    (the last clause): a page holding a case read through ``visible_to`` lists the case's
    notifications without asking again (the child page's notification panel)."""
    from cases.models import Case

    if not _active_staff(user):
        return NOTHING
    q = NOTHING
    if user.has_role(Role.DUTY_ADVISOR):
        q |= _duty_notifications(user)
    led_districts = [t.district_id for t in user.teams_for(Role.TEAM_LEADER)]
    if led_districts:
        # New concerns with no case yet, so that a team leader can assign an advisor (Herningmodellen 1.0,
        # "Håndtering af nye underretninger"). A notification on a case is read through the case:
        # a district may have several teams, and one team's leader does not read another's cases.
        q |= Q(district__in=led_districts, case__isnull=True)
    if include_registrations and user.has_role(Role.CASE_ADMINISTRATOR):
        q |= Q(registered_by=user)
    q |= Q(case__in=Case.objects.filter(case_filter(user)))
    return q & Q(municipality_id=user.municipality_id)


def child_filter(user) -> Q:
    """The children ``user`` may read: those with a visible case or a visible notification.

    Registering a notification is not a reason to read the child's record, so a case
    administrator's own registrations do not count here.
    """
    from cases.models import Case, Notification

    if not _active_staff(user):
        return NOTHING
    cases = Case.objects.filter(case_filter(user)).filter(child=OuterRef("pk"))
    notifications = Notification.objects.filter(
        notification_filter(user, include_registrations=False)
    ).filter(child=OuterRef("pk"))
    return (Q(Exists(cases)) | Q(Exists(notifications))) & Q(municipality_id=user.municipality_id)


class CaseDataQuerySet(GuardedQuerySet):
    """The queryset of a model that belongs to a case or a child. A subclass names one path:

    * ``case_path``: the lookup from a row to its case (``"plan__case"`` for a goal); the row is
      read by whoever reads the case (``case_filter``);
    * ``child_path``: the lookup to its child, for rows that belong to the child rather than one
      case (a network map); read by whoever reads the child (``child_filter``);
    * ``parent_path``: the foreign key to the record the row is part of, whose own ``visible_to``
      decides (a meeting's participants and minutes follow the meeting's rule);
    * ``staff_path``: the person a row is addressed to (a reminder): read by that person only.

    A model with a rule of its own (the case, the child, a notification, a network meeting, a
    deadline) overrides ``visible_to`` and builds it from the filters above.
    """

    case_path: str | None = None
    child_path: str | None = None
    parent_path: str | None = None
    staff_path: str | None = None

    def visible_to(self, user, *, teams=None):
        """The rows ``user`` may read; with ``teams`` (ids), only those of those teams' cases."""
        from cases.models import Case, Child

        if self.case_path:
            if teams is not None:
                return self.filter(related_case_filter(user, via=self.case_path, teams=teams))
            return self._among(self.case_path, readable_ids(user, Case))
        if teams is not None:
            raise TypeError(f"{self.model._meta.label} is not read by team")
        if self.child_path:
            return self._among(self.child_path, readable_ids(user, Child))
        if self.parent_path:
            parent = self.model._meta.get_field(self.parent_path).related_model
            return self._among(self.parent_path, readable_ids(user, parent))
        if self.staff_path:
            return self.filter(**{self.staff_path: user}) if _active_staff(user) else self.none()
        raise NotImplementedError(
            f"{type(self).__name__} names no case_path, child_path, parent_path or staff_path"
        )

    def _among(self, path: str, readable: RawSQL | None):
        """The rows whose record at ``path`` is among ``readable`` (``readable_ids``)."""
        return self.filter(**{f"{path}__in": readable}) if readable is not None else self.none()


class MunicipalityDataQuerySet(GuardedQuerySet):
    """Rows that name no child until they are booked (a free meeting slot in a team's calendar):
    read by the active staff of their municipality, reached through ``municipality_path``."""

    municipality_path: str = "municipality"

    def visible_to(self, user):
        if not _active_staff(user):
            return self.none()
        return self.filter(**{f"{self.municipality_path}_id": user.municipality_id})
