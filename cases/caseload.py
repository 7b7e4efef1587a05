"""The caseload (sagstal): how many open cases an advisor is responsible for, against the team's cap.

"Max. 20-25 børn/unge per socialrådgiver" is a precondition of the Herning model, not a wish: the
follow-up practice "kan overholdes med maksimalt 20-25 børnesager per rådgiver" (Herningmodellen 1.0,
"Forudsætninger"; docs/domain.md §5). Each team sets its cap and warning level (``Team.caseload_cap``,
``Team.caseload_warning``, defaults 25 and 20). A case counts towards its advisor's load from
assignment until it is closed. The cap itself is enforced in ``cases.services.case_assign``.

The counts are aggregates over the indexed ``(advisor, state)`` of ``Case``: one query for any
number of advisors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, DateTimeField, OuterRef
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, CaseState
from herning.api import feed
from herning.core.statements import kept
from herning.organisation.models import Role, RoleAssignment, Team, User


def open_case_counts(advisor_ids: Iterable[int]) -> dict[int, int]:
    """The load of each advisor: their open cases, in every team (0 for none)."""
    ids = set(advisor_ids)
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(_open_case_counts(advisor_ids=sorted(ids)))
    return counts


@kept(bound=("advisor_ids",))
def _open_case_counts(*, advisor_ids: list[int]):
    # Compiled once per process (herning.core.statements), the ids bound as one array: every
    # caseload shown (Min dag, the team overview, the assignment form) reads it.
    return (
        Case.objects.for_system()
        .open()
        .filter(advisor_id__in=advisor_ids)
        .order_by()
        .values_list("advisor_id")
        .annotate(n=Count("pk"))
    )


def open_case_count(advisor: User) -> int:
    return open_case_counts([advisor.pk])[advisor.pk]


# The bands of a load against the team's warning level and cap; never shown by colour alone.
UNDER, WARNING, AT_CAP, ABOVE = "under", "warning", "at_cap", "above"
LEVEL_LABELS = {
    UNDER: gettext_lazy("Under advarselsniveau"),
    WARNING: gettext_lazy("Advarselsniveau nået"),
    AT_CAP: gettext_lazy("Loftet nået"),
    ABOVE: gettext_lazy("Over loftet"),
}
# The design system's badge variant of each band.
LEVEL_VARIANTS = {UNDER: "success", WARNING: "warning", AT_CAP: "warning", ABOVE: "error"}


# The bands in which one more case may be given without the team leader's written reason.
UNDER_CAP = frozenset({UNDER, WARNING})


def level(load: int, *, warning: int, cap: int) -> str:
    """The band of ``load`` open cases against a team's warning level and cap: the one definition
    used by the cap at assignment, the dashboards and the API."""
    if load > cap:
        return ABOVE
    if load == cap:
        return AT_CAP
    if load >= warning:
        return WARNING
    return UNDER


@dataclass(frozen=True)
class Load:
    """An advisor's open cases against the cap and warning level of one team."""

    advisor: User
    team: Team
    open_cases: int

    @property
    def cap(self) -> int:
        return self.team.caseload_cap

    @property
    def warning(self) -> int:
        return self.team.caseload_warning

    @property
    def level(self) -> str:
        return level(self.open_cases, warning=self.warning, cap=self.cap)

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[self.level])

    @property
    def variant(self) -> str:
        return LEVEL_VARIANTS[self.level]

    @property
    def room(self) -> int:
        """How many more cases fit under the cap (0 at or above it)."""
        return max(self.cap - self.open_cases, 0)

    @property
    def under_cap(self) -> bool:
        return self.level in UNDER_CAP


def has_room(load: int, team: Team) -> bool:
    """Whether an advisor with ``load`` open cases may get one more case of ``team`` without the
    team leader's written reason (the cap that ``cases.services.case_assign`` enforces)."""
    return level(load, warning=team.caseload_warning, cap=team.caseload_cap) in UNDER_CAP


def over_cap_message(*, advisor: User, load: int, team: Team, leads_team: bool) -> str:
    """The refusal: it names the advisor, the load and the cap (the page and the API show it), and
    says how to go on (``leads_team``: the person assigning may go above the cap)."""
    values = {"advisor": advisor, "load": load, "team": team, "cap": team.caseload_cap}
    if leads_team:
        return (
            _(
                "%(advisor)s har allerede %(load)s åbne sager, og loftet i %(team)s er %(cap)s sager pr. "
                "rådgiver. Vælg en anden rådgiver, eller skriv en begrundelse for at gå over loftet."
            )
            % values
        )
    return (
        _(
            "%(advisor)s har allerede %(load)s åbne sager, og loftet i %(team)s er %(cap)s sager pr. "
            "rådgiver. Vælg en anden rådgiver; kun teamlederen kan gå over loftet, med en skriftlig "
            "begrundelse."
        )
        % values
    )


# --- The suggested advisor of a new case ----------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """Whom the team leader might give a case, and why, in one sentence."""

    advisor: User | None
    reason: str


def previous_advisors(*, cases: list[Case], user) -> dict[int, int]:
    """For each case's child, the advisor of the child's latest other case the user may read."""
    if not cases:
        return {}
    rows = (
        Case.objects.visible_to(user)
        .filter(child_id__in={c.child_id for c in cases}, advisor__isnull=False)
        .exclude(pk__in=[c.pk for c in cases])
        .order_by("child_id", "-opened_on", "-pk")
        .values_list("child_id", "advisor_id")
    )
    previous: dict[int, int] = {}
    for child_id, advisor_id in rows:
        previous.setdefault(child_id, advisor_id)
    return previous


def suggest(
    *, case: Case, advisors: list[User], loads: dict[int, int], previous_advisor_id: int | None
) -> Suggestion:
    """The child's previous advisor when they are in the case's team and under its cap (the
    model's "fewer advisor changes", KORA 2017 ch. 5.2), else the team's advisor with the fewest open
    cases under the cap."""
    team = case.team
    cap = team.caseload_cap
    if not advisors:
        return Suggestion(None, _("Teamet har ingen aktive rådgivere."))
    previous = next((a for a in advisors if a.pk == previous_advisor_id), None)
    if previous is not None and has_room(loads.get(previous.pk, 0), team):
        return Suggestion(
            previous,
            _(
                "%(advisor)s var barnets rådgiver i en tidligere sag og har %(load)s af %(cap)s sager: "
                "barnet beholder sin rådgiver."
            )
            % {"advisor": previous, "load": loads.get(previous.pk, 0), "cap": cap},
        )
    candidates = [a for a in advisors if has_room(loads.get(a.pk, 0), team)]
    if not candidates:
        return Suggestion(
            None,
            _(
                "Alle rådgivere i %(team)s har nået loftet på %(cap)s sager; sagen kan kun fordeles med "
                "en begrundelse for at gå over loftet."
            )
            % {"team": team, "cap": cap},
        )
    best = min(candidates, key=lambda a: (loads.get(a.pk, 0), str(a), a.pk))
    values = {"advisor": best, "load": loads.get(best.pk, 0), "cap": cap, "team": team}
    if previous is not None:
        return Suggestion(
            best,
            _(
                "Barnets tidligere rådgiver, %(previous)s, har nået loftet; %(advisor)s har færrest sager "
                "i %(team)s (%(load)s af %(cap)s)."
            )
            % {**values, "previous": previous},
        )
    return Suggestion(best, _("%(advisor)s har færrest sager i %(team)s (%(load)s af %(cap)s).") % values)


def suggestions_for(
    *, cases: list[Case], user, advisors_by_team: dict[int, list[User]]
) -> tuple[dict[int, Suggestion], dict[int, int]]:
    """The suggestion for each case (by case id) and the loads of the teams' advisors, in two
    queries whatever the number of cases."""
    loads = open_case_counts(a.pk for advisors in advisors_by_team.values() for a in advisors)
    previous = previous_advisors(cases=cases, user=user)
    suggestions = {
        c.pk: suggest(
            case=c,
            advisors=advisors_by_team.get(c.team_id, []),
            loads=loads,
            previous_advisor_id=previous.get(c.child_id),
        )
        for c in cases
    }
    return suggestions, loads


def _load_changes_sql() -> str:
    """The latest moment the number of open cases of the advisor in the outer query changed: a
    case history row that gave them the case, took it from them, opened or closed it while theirs,
    or deleted it. Each row is compared with the case's row before it (``LAG``), so a change of a
    case that leaves the count as it was (a journal note, a new plan) does not count, nor does a
    change of another advisor's case."""
    history = Case.history.model._meta.db_table
    advisor = f'"{User._meta.db_table}"."id"'
    return f"""(
        SELECT MAX(h.history_date) FROM (
            SELECT history_date, history_type, advisor_id, state != %s AS open,
                   LAG(advisor_id) OVER w AS prev_advisor, LAG(state != %s) OVER w AS prev_open,
                   ROW_NUMBER() OVER w AS n
            FROM {history}
            WHERE id IN (SELECT id FROM {history} WHERE advisor_id = {advisor})
            WINDOW w AS (PARTITION BY id ORDER BY history_date, history_id)
        ) h
        WHERE (h.advisor_id = {advisor} OR h.prev_advisor = {advisor})
          AND (h.n = 1 OR h.history_type = '-' OR h.advisor_id IS DISTINCT FROM h.prev_advisor
               OR h.open IS DISTINCT FROM h.prev_open)
    )"""  # noqa: S608 - table names from the models, the state a parameter


def annotate_load_changed_at(advisors):
    """``api_updated_at`` of each advisor's caseload row (the API's ``caseload/``): the latest of
    a change of the number of their open cases (``_load_changes_sql``), of the advisor's own record
    (the name shown), of their advisor roles (the teams shown) and of those teams (the cap and
    warning level shown). PostgreSQL only: on SQLite (the quick start) the count's part is left
    out."""

    def latest(history, **where):
        return feed.latest_history(history.filter(**where))

    parts = [
        latest(User.history.model.objects, id=OuterRef("pk")),
        latest(RoleAssignment.history.model.objects, user_id=OuterRef("pk"), role=Role.ADVISOR),
        latest(
            Team.history.model.objects,
            id__in=RoleAssignment.objects.filter(user_id=OuterRef(OuterRef("pk")), role=Role.ADVISOR).values(
                "team_id"
            ),
        ),
    ]
    if connection.vendor == "postgresql":
        closed = str(CaseState.CLOSED)
        # No input in the SQL: the tables are the models', the state a parameter.
        parts.append(RawSQL(_load_changes_sql(), (closed, closed), output_field=DateTimeField()))  # noqa: S611
    return advisors.annotate(api_updated_at=Greatest(*parts))
