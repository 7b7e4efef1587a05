"""Reads of children, cases and notifications. Each starts from ``visible_to(user)``."""

from __future__ import annotations

import datetime
import functools
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet, Subquery, Value
from django.http import Http404
from django.shortcuts import get_object_or_404

from cases.access import person_state
from cases.models import Case, Child, Goal, JournalNote, Notification, Plan, Relation
from herning.core import cpr as cpr_lib
from herning.core.statements import KeptPages, count_read, kept
from herning.organisation.models import Role, RoleAssignment, User

# What a case's page shows of the case besides its own fields.
CASE_PAGE_RELATED = (
    "child__district",
    "child__school_district",
    "advisor",
    "team",
    "district",
    "current_step",
    "legal_basis",
)


def visible_case(user, pk: int) -> Case:
    """The case ``pk`` if ``user`` may read it; 404 otherwise (its existence is not revealed)."""
    case = next(iter(_visible_case(user=user, pk=pk)), None)
    if case is None:
        raise Http404("No Case matches the given query.")
    return case


# The case of each page about one case, compiled once per person and process
# (herning.core.statements): the access rule is most of the statement.


@kept(bound=("pk",), keyed={"user": person_state})
def _visible_case(*, user, pk: int) -> QuerySet[Case]:
    return Case.objects.visible_to(user).select_related(*CASE_PAGE_RELATED).filter(pk=pk)


def visible_child(user, pk: int) -> Child:
    return get_object_or_404(
        Child.objects.visible_to(user).select_related("district", "school_district"), pk=pk
    )


def cases_of_child(*, child: Child, user) -> list[Case]:
    """The child's cases the user may read, the open one first, then the newest."""
    cases = (
        Case.objects.visible_to(user)
        .filter(child=child)
        .select_related("advisor", "team", "district", "current_step", "legal_basis")
    )
    return _open_then_newest(cases)


def _open_then_newest(cases) -> list[Case]:
    return sorted(cases, key=lambda c: (not c.is_open, -c.opened_on.toordinal(), -c.pk))


def visible_case_of_child(user, pk: int) -> tuple[Case, list[Case]]:
    """The case ``pk`` if ``user`` may read it (404 otherwise, as ``visible_case``) and the
    child's cases they may read (as ``cases_of_child``), for the child page of one case: one query
    where the two took two, each planning the case rule's joins (benchmarks/RESULTS.md). The cases
    share one child instance, so what the page's sections keep on it is kept once."""
    cases = list(_cases_of_child_of_case(user=user, pk=pk))
    case = next((c for c in cases if c.pk == pk), None)
    if case is None:
        raise Http404("No Case matches the given query.")
    for other in cases:
        other.child = case.child
    return case, _open_then_newest(cases)


@kept(bound=("pk",), keyed={"user": person_state})
def _cases_of_child_of_case(*, user, pk: int) -> QuerySet[Case]:
    child_of_case = Case.objects.for_system().filter(pk=pk).values("child_id")[:1]
    return (
        Case.objects.visible_to(user)
        .filter(child_id=Subquery(child_of_case))
        .select_related(*CASE_PAGE_RELATED)
    )


def relations_of(child: Child) -> list[Relation]:
    return list(child.relations.all())


class CaseListFilter(NamedTuple):
    """What the case list is narrowed to (``cases.forms.CaseFilterForm.chosen``); by default the
    open cases."""

    words: tuple[str, ...] = ()  # each word in the child's first or last name
    advisor: int | None = None
    no_advisor: bool = False  # the cases without an advisor (``advisor`` is then None)
    team: int | None = None
    district: int | None = None
    step: int | None = None  # the step's id
    unclarified: bool = False  # the cases on no step yet (``step`` is then None)
    state: str | None = None  # one state
    every_state: bool = False  # every state; neither this nor ``state``: the open cases


OPEN_CASES = CaseListFilter()


# The case list's page and count are read by statements kept per person and shape
# (herning.core.statements), each value of the filter bound: the access rule, the five joins and
# the search made them 1.7 ms of CPU to compile on every request (benchmarks/RESULTS.md). A search
# of up to this many words is a shape of its own; a longer one takes the ORM's path.
_KEPT_WORDS = 3
_BOUND_FILTER = ("advisor", "team", "district", "step", "state")
_BOUND = (*(f"word_{n}" for n in range(1, _KEPT_WORDS + 1)), *_BOUND_FILTER)
# What a row of the list shows (``cases_tags.case_rows``) and the access log records of its child:
# not the child's address or school, nor the advisor's password.
CASE_LIST_FIELDS = (
    "state",
    "opened_on",
    "child__first_name",
    "child__last_name",
    "child__cpr",
    "child__municipality",
    "advisor__first_name",
    "advisor__last_name",
    "advisor__username",
    "team__name",
    "district__name",
    "current_step__number",
    "current_step__name",
    "current_step__name_en",
)


def _case_list_rows(*, user, chosen: CaseListFilter) -> QuerySet[Case]:
    rows = Case.objects.visible_to(user)
    for word in chosen.words:
        # The word as an expression, so it is one parameter as typed (a kept statement binds it):
        # PostgreSQL escapes its % and _ and puts the pattern's % around it, as Django's own
        # ``icontains`` of a column does (``pattern_ops``); the meaning is icontains' of text.
        word = Value(word)
        rows = rows.filter(Q(child__first_name__icontains=word) | Q(child__last_name__icontains=word))
    if chosen.no_advisor:
        rows = rows.filter(advisor__isnull=True)
    if chosen.unclarified:
        rows = rows.filter(current_step__isnull=True)
    if chosen.state is None and not chosen.every_state:
        rows = rows.open()
    # The rest are plain equalities of the case's own columns, each left out when not chosen.
    equal = {
        "advisor_id": chosen.advisor,
        "team_id": chosen.team,
        "district_id": chosen.district,
        "current_step_id": chosen.step,
        "state": chosen.state,
    }
    return rows.filter(**{column: value for column, value in equal.items() if value is not None})


def _chosen_of(values: dict) -> CaseListFilter:
    words = tuple(values.pop(f"word_{n}") for n in range(1, _KEPT_WORDS + 1))
    return CaseListFilter(words=tuple(w for w in words if w is not None), **values)


def _listed(rows: QuerySet[Case]) -> QuerySet[Case]:
    """``rows`` with what a row shows, in the children's names' order."""
    return (
        rows.select_related("child", "advisor", "team", "district", "current_step")
        .only(*CASE_LIST_FIELDS)
        .order_by("child__last_name", "child__first_name", "-opened_on", "pk")
    )


@kept(bound=_BOUND, keyed={"user": person_state})
def _case_list_page(*, user, offset: int, limit: int, **values) -> QuerySet[Case]:
    return _listed(_case_list_rows(user=user, chosen=_chosen_of(values)))[offset : offset + limit]


@kept(bound=_BOUND, keyed={"user": person_state})
def _case_list_count(*, user, **values):
    return count_read(_case_list_rows(user=user, chosen=_chosen_of(values)))


def case_list(*, user, chosen: CaseListFilter = OPEN_CASES, page_size: int) -> KeptPages | QuerySet[Case]:
    """The case list's rows for a paginator: the open cases or those ``chosen``, with what a row
    shows, in the children's names' order; a page and the count are a query each."""
    if len(chosen.words) > _KEPT_WORDS:
        return _listed(_case_list_rows(user=user, chosen=chosen))
    values = {
        **{f"word_{n}": None for n in range(1, _KEPT_WORDS + 1)},
        **{f"word_{n}": word for n, word in enumerate(chosen.words, 1)},
        **{name: getattr(chosen, name) for name in _BOUND_FILTER},
        "no_advisor": chosen.no_advisor,
        "unclarified": chosen.unclarified,
        "every_state": chosen.every_state,
    }
    return KeptPages(
        functools.partial(_case_list_count, user=user, **values),
        functools.partial(_case_list_page, user=user, **values),
        page_size,
    )


class LoggedChild(NamedTuple):
    """What the access log needs of a child (``herning.audit.services.log_reads``)."""

    pk: int
    municipality_id: int


class LoggedCase(NamedTuple):
    pk: int


def children_of_cases(case_ids) -> list[tuple[LoggedChild, LoggedCase]]:
    """(child, case) of cases a page has already read through ``visible_to`` and shows by number
    or child's name only, for the access log: one query, however many, read as values (the team
    overview logs some 100 children, and building a case and a child instance for each cost more
    than the query)."""
    rows = (
        Case.objects.for_system()
        .filter(pk__in=case_ids)
        .values_list("pk", "child_id", "child__municipality_id")
    )
    return [
        (LoggedChild(child_id, municipality_id), LoggedCase(pk)) for pk, child_id, municipality_id in rows
    ]


def find_child_by_cpr(*, user, cpr: str) -> Child | None:
    """The visible child with this CPR number (raises ValidationError for a malformed number)."""
    digits = cpr_lib.parse(cpr).digits
    return Child.objects.visible_to(user).filter(municipality_id=user.municipality_id, cpr=digits).first()


def child_exists(*, municipality, cpr: str) -> Child | None:
    """Whether the municipality knows a child with this CPR number, for registration only: the
    caller must not show the child's record from it (see the intake page)."""
    digits = cpr_lib.parse(cpr).digits
    return Child.objects.for_system().filter(municipality=municipality, cpr=digits).first()


def duty_queue(*, user) -> QuerySet[Notification]:
    """Notifications of the duty advisor's districts (or sent to them) awaiting the 24-hour
    assessment, the most urgent first."""
    districts = user.duty_district_ids()
    return (
        Notification.objects.visible_to(user)
        .filter(assessed_at__isnull=True)
        .filter(Q(district__in=districts) | Q(duty_advisor=user))
        .select_related("child", "district", "duty_advisor", "case")
        .order_by("assessment_due_at", "pk")
    )


def receipts_due(*, user) -> QuerySet[Notification]:
    """Visible notifications from professionals whose receipt is not recorded as sent."""
    return (
        Notification.objects.visible_to(user)
        .filter(notifier_kind=Notification.NotifierKind.PROFESSIONAL, receipt_sent_on__isnull=True)
        .select_related("child", "district")
        .order_by("receipt_due_on", "pk")
    )


def awaiting_advisor(*, user) -> QuerySet[Case]:
    """Open cases of the teams ``user`` leads that have no advisor yet, with their notifications."""
    led = user.led_team_ids()
    return (
        Case.objects.visible_to(user, teams=led)
        .open()
        .filter(advisor__isnull=True)
        .select_related("child", "team", "district")
        .prefetch_related(
            Prefetch(
                "notifications",
                queryset=Notification.objects.for_system()
                .select_related("assessed_by")
                .order_by("-received_at"),
            )
        )
        .order_by("opened_on", "pk")
    )


def team_advisor_choices(*, teams) -> dict[int, list[User]]:
    """The active advisors of each team, for the assignment form."""
    result: dict[int, list[User]] = {t.pk: [] for t in teams}
    for a in _team_advisors(team_ids=sorted(result)):
        result[a.team_id].append(a.user)
    for advisors in result.values():
        advisors.sort(key=lambda u: (u.first_name, u.last_name, u.username))
    return result


@kept(bound=("team_ids",))
def _team_advisors(*, team_ids: list[int]):
    # Compiled once per process (herning.core.statements), the teams' ids bound as one array: the
    # team overview and the assignment form read it on every request.
    return RoleAssignment.objects.filter(
        role=Role.ADVISOR, team__in=team_ids, user__is_active=True
    ).select_related("user")


def participating_cases(*, user) -> QuerySet[Case]:
    """The cases ``user`` is added to as a professional (PPR psychologist, health visitor…)."""
    return (
        Case.objects.visible_to(user)
        .filter(case_participants__user=user)
        .select_related("child", "advisor", "team", "current_step")
        .order_by("state", "child__last_name", "child__first_name")
        .distinct()
    )


def registered_by(*, user, limit: int = 50) -> list[Notification]:
    """The notifications ``user`` registered lately (the case administrator's own list)."""
    return list(
        Notification.objects.visible_to(user)
        .filter(registered_by=user)
        .select_related("child", "district")
        .order_by("-registered_at")[:limit]
    )


def notifications_of(case: Case) -> list[Notification]:
    return list(
        case.notifications.select_related(
            "registered_by", "duty_advisor", "assessed_by", "screened_by"
        ).order_by("-received_at")
    )


def investigations_of(case: Case) -> list:
    return list(
        case.investigations.select_related("decided_by", "interim_assessed_by").order_by("-decided_on", "-pk")
    )


def current_plan(case: Case) -> Plan | None:
    """The case's newest plan version (a plan due but not yet made counts): the one goals are
    updated in, revised, and added to. The one definition, used by every app."""
    return case.plans.order_by("-version").first()


def plans_of(case: Case) -> list[Plan]:
    """Every version of the case's plan, newest first, with their goals."""
    return list(
        case.plans.select_related("created_by")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.for_system().order_by("order", "pk")))
        .order_by("-version")
    )


JOURNAL_PAGE_SIZE = 10


def journal_of(case: Case, page: int | str | None = 1) -> Page:
    """One page of the case's journal, newest first (``JOURNAL_PAGE_SIZE`` notes): two queries, the
    count and the page, however long the journal."""
    return _JournalPaginator(case).get_page(page)


class _JournalPaginator(Paginator):
    """Counts the case's notes and reads a page of them through ``_journal_page``."""

    def __init__(self, case: Case):
        super().__init__(JournalNote.objects.for_system().filter(case=case), JOURNAL_PAGE_SIZE)
        self.case_id = case.pk

    def page(self, number) -> Page:
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        notes = _journal_page(case_id=self.case_id, offset=offset, limit=self.per_page)
        return self._get_page(list(notes), number, self)


@kept(bound=("case_id",))
def _journal_page(*, case_id: int, offset: int, limit: int) -> QuerySet[JournalNote]:
    # Its writer's and corrector's rows joined: compiled, this statement cost 3.5 ms of CPU on
    # every case page, seven times what PostgreSQL took to answer it (benchmarks/RESULTS.md).
    return (
        JournalNote.objects.for_system()
        .filter(case_id=case_id)
        .select_related("written_by", "corrected_by")
        .order_by("-occurred_on", "-written_at", "-pk")[offset : offset + limit]
    )


# Goals "due" in the summary: not settled (met, not met, dropped) and due within this many days.
GOALS_DUE_WITHIN_DAYS = 30


def goals_due(case: Case, *, today: datetime.date) -> list[Goal]:
    """The goals of the case's newest plan that are overdue or due within
    ``GOALS_DUE_WITHIN_DAYS``, earliest first: one query."""
    return list(_goals_due_by(case_id=case.pk, by=today + datetime.timedelta(days=GOALS_DUE_WITHIN_DAYS)))


@kept(bound=("case_id", "by"))
def _goals_due_by(*, case_id: int, by: datetime.date) -> QuerySet[Goal]:
    # Compiled once per process (herning.core.statements), as the journal's page is.
    newest = Plan.objects.for_system().filter(case_id=case_id).order_by("-version").values("pk")[:1]
    return (
        Goal.objects.for_system()
        .filter(plan_id__in=newest, by_when__lte=by)
        .exclude(status__in=[Goal.Status.MET, Goal.Status.NOT_MET, Goal.Status.DROPPED])
        .order_by("by_when", "order", "pk")
    )


def goal_status_history(plans: list[Plan]) -> dict[int, list]:
    """For each goal of the given plans, its statuses over time (oldest first), following the goal
    back through earlier plan versions. One query."""
    goal_ids = [g.pk for p in plans for g in p.goals.all()]
    rows = (
        Goal.history.filter(id__in=goal_ids)
        .select_related("history_user")
        .order_by("history_date", "history_id")
        .only("id", "status", "status_note", "history_date", "history_user", "history_type")
    )
    by_goal: dict[int, list] = {}
    for row in rows:
        seq = by_goal.setdefault(row.id, [])
        if not seq or seq[-1].status != row.status:
            seq.append(row)
    chains: dict[int, list] = {}
    goals = {g.pk: g for p in plans for g in p.goals.all()}
    for goal in goals.values():
        chain = []
        current = goal
        while current is not None:
            chain = by_goal.get(current.pk, []) + chain
            current = goals.get(current.carried_from_id)
        chains[goal.pk] = chain
    return chains
