"""Reads for the follow-up pages, the bell and the calendar. Case data is read only through
``visible_to(user)`` (cases.access)."""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Window
from django.urls import reverse
from django.utils import timezone

from cases.access import person_state
from cases.models import Notification
from followups import engine
from followups.models import (
    NOTIFICATION_KINDS,
    CalendarToken,
    Deadline,
    DeadlineKind,
    FollowUp,
    FollowUpException,
    LaterDate,
    Reminder,
    ReminderKind,
    RuleSet,
)
from followups.obligation_sources import measure_context
from followups.rules import RuleBook
from herning.core import law
from herning.core.paths import KeyedPaths
from herning.core.statements import count_read, kept
from herning.organisation.models import Role, RoleAssignment, Team, User
from measures.models import Measure

MEASURE_KINDS = (DeadlineKind.FOLLOWUP, DeadlineKind.LEGAL_FOLLOWUP, DeadlineKind.SUPERVISION)


@dataclass(frozen=True)
class MeasureSchedule:
    """Everything the schedule partial shows about one measure."""

    measure: Measure
    rule_set: RuleSet | None
    rule: engine.Rule | None
    schedule: engine.Schedule
    followups: list[FollowUp]
    exceptions: list[FollowUpException]
    today: datetime.date
    # A placement under the law (supervisory visits); a boarding-school stay on a support basis is
    # not one (followups.presets.legal_context).
    placement: bool = False

    @property
    def rule_text(self) -> str:
        return engine.describe_rule(self.rule, "da") if self.rule else ""

    @property
    def rule_text_en(self) -> str:
        return engine.describe_rule(self.rule, "en") if self.rule else ""

    @property
    def legal_regime(self) -> law.Regime:
        """The law the measure's legal follow-ups fall under now (on its last day if it has ended,
        on its start if it has not begun); each due date cites its own (docs/deadlines.md)."""
        day = max(self.measure.start_date, min(self.today, self.measure.actual_end or self.today))
        return law.regime_on(day)

    @property
    def started_under(self) -> law.Regime | None:
        """The regime the measure started under, when it is not the one in force now."""
        started = law.regime_on(self.measure.start_date)
        return started if started is not self.legal_regime else None

    @property
    def municipal(self) -> tuple[engine.Due, ...]:
        return self.schedule.chain(engine.FOLLOWUP)

    @property
    def statutory(self) -> tuple[engine.Due, ...]:
        return tuple(i for i in self.schedule.items if i.kind == engine.STATUTORY)

    @property
    def next_municipal(self) -> engine.Due | None:
        return self.schedule.next_pending(engine.FOLLOWUP)

    @property
    def next_statutory(self) -> engine.Due | None:
        legal = [
            self.schedule.next_pending(engine.LEGAL_FOLLOWUP),
            self.schedule.next_pending(engine.SUPERVISION),
        ]
        legal = [i for i in legal if i is not None]
        return min(legal, key=lambda i: i.due_date, default=None)

    @property
    def binds_first(self) -> engine.Due | None:
        return self.schedule.next_pending()


def schedule_for_measure(
    measure: Measure, today: datetime.date, *, until: datetime.date | None = None
) -> MeasureSchedule:
    """The measure's follow-ups held and coming (a year ahead by default), municipal and statutory
    side by side. ``measure`` must come from ``Measure.objects.visible_to(user)``."""
    (measure,) = _measure_with_rule_inputs(measure_id=measure.pk)
    book = RuleBook(today)
    rule_set = book.rule_set_for(measure.case.municipality_id)
    rule = book.rule_for(measure.case.municipality_id, measure.measure_type_id)
    followups = list(_followups_held(measure_id=measure.pk))
    legal, relaxations = measure_context(measure)
    schedule = engine.schedule(
        rule=rule,
        start=measure.start_date,
        held=[f.to_engine() for f in followups],
        today=today,
        measure=(measure.measure_type.name, measure.measure_type.name_en or measure.measure_type.name),
        legal=legal,
        end=measure.actual_end,
        until=until or today + datetime.timedelta(days=365),
        relaxations=relaxations,
    )
    exceptions = list(_exceptions_of_measure(measure_id=measure.pk))
    return MeasureSchedule(measure, rule_set, rule, schedule, followups, exceptions, today, legal.placement)


@kept(bound=("measure_id",))
def _exceptions_of_measure(*, measure_id: int):
    # Every exception of the measure, with who asked and who decided: compiled once per process
    # (herning.core.statements), 1.4 ms of CPU on every schedule page before.
    return (
        FollowUpException.objects.for_system()
        .filter(measure_id=measure_id)
        .select_related("requested_by", "decided_by")
    )


def visible_measures(user):
    return Measure.objects.visible_to(user).select_related("measure_type", "case", "case__child")


def visible_measure(user, pk: int) -> Measure | None:
    """The measure ``pk`` if ``user`` may read it (with what its pages show of it), else None."""
    return next(iter(_visible_measure(user=user, pk=pk)), None)


@kept(bound=("pk",), keyed={"user": person_state})
def _visible_measure(*, user, pk: int):
    # Compiled once per person and process (herning.core.statements): the access rule is most of it.
    return visible_measures(user).filter(pk=pk)


def visible_deadlines(user):
    """Open deadlines on records ``user`` may see (``Deadline.objects.visible_to``)."""
    return Deadline.objects.visible_to(user).filter(is_open=True)


# --- How much work is due: one definition for "Min dag", "Frister" and the team overview -------

# The 24-hour assessment is the district duty queue's, not a person's own work: "Min dag" shows it
# in a section of its own, and no page counts it with a person's deadlines.
NOT_OWN_WORK = (DeadlineKind.ASSESSMENT,)
# "This week": the seven days after today.
WEEK_DAYS = 7


class DueGroup:
    OVERDUE = "overdue"
    TODAY = "today"
    WEEK = "week"
    LATER = "later"
    ORDER = (OVERDUE, TODAY, WEEK, LATER)


def own_work(deadlines):
    """The deadlines of ``deadlines`` that are a person's own work (not the duty queue's)."""
    return deadlines.exclude(kind__in=NOT_OWN_WORK)


def _group_conditions(now: datetime.datetime, today: datetime.date, week_end: datetime.date) -> dict[str, Q]:
    """Each group as a condition: overdue once the moment has passed; today; the next seven days
    (to ``week_end``, ``week_end_of(today)``); later. Every open deadline falls in exactly one.
    Given the day and the week's end as values, not from ``now``, so a kept read binds them."""
    return {
        DueGroup.OVERDUE: Q(due_at__lte=now),
        DueGroup.TODAY: Q(due_at__gt=now, due_on__lte=today),
        DueGroup.WEEK: Q(due_at__gt=now, due_on__gt=today, due_on__lte=week_end),
        DueGroup.LATER: Q(due_at__gt=now, due_on__gt=week_end),
    }


def due_group(deadline: Deadline, now: datetime.datetime) -> str:
    """The group of one deadline already read, by the same rule as ``_group_conditions``."""
    today = timezone.localdate(now)
    if deadline.due_at <= now:
        return DueGroup.OVERDUE
    if deadline.due_on <= today:
        return DueGroup.TODAY
    if deadline.due_on <= week_end_of(today):
        return DueGroup.WEEK
    return DueGroup.LATER


@dataclass(frozen=True)
class DueCounts:
    overdue: int = 0
    today: int = 0
    week: int = 0
    later: int = 0

    @property
    def total(self) -> int:
        return self.overdue + self.today + self.week + self.later


def counts_by_responsible(rows) -> dict[int | None, DueCounts]:
    """``DueCounts`` per responsible person from ``_count_rows``' rows (or a kept read of them)."""
    return {responsible_id: DueCounts(*counts) for responsible_id, *counts in rows}


def week_end_of(today: datetime.date) -> datetime.date:
    """The last day of "this week" (``DueGroup.WEEK``): the seven days after ``today``."""
    return today + datetime.timedelta(days=WEEK_DAYS)


def advisors_due_counts(advisor_ids: list[int], *, now: datetime.datetime) -> dict[int | None, DueCounts]:
    """The own open deadlines of each of ``advisor_ids`` wherever they lie, counted per group: the
    numbers each advisor's "Min dag" shows (``_count_rows``), for the team overview's rows. No child
    is named."""
    today = timezone.localdate(now)
    return counts_by_responsible(
        _advisors_due_counts(
            advisor_ids=sorted(advisor_ids), now=now, today=today, week_end=week_end_of(today)
        )
    )


@kept(bound=("advisor_ids", "now", "today", "week_end"))
def _advisors_due_counts(*, advisor_ids: list[int], now, today, week_end):
    # Compiled once per process (herning.core.statements): the team overview asks it on every
    # request, with its advisors' ids bound as one array.
    deadlines = Deadline.objects.for_system().filter(is_open=True, responsible__in=advisor_ids)
    return _count_rows(deadlines, _group_conditions(now, today, week_end))


def teams_deadlines(user, team_ids: list[int]):
    """The open deadlines of the teams' cases ``user`` may read: the advisors' own work, as "Min
    dag" counts it (the duty queue is the district's). The team overview's counts and list."""
    return own_work(Deadline.objects.visible_to(user, teams=team_ids).filter(is_open=True, team__in=team_ids))


def teams_due_counts(user, team_ids: list[int], *, now: datetime.datetime) -> dict[int | None, DueCounts]:
    """``teams_deadlines`` counted per group and responsible person (``_count_rows``)."""
    today = timezone.localdate(now)
    rows = _teams_due_counts(
        user=user, teams=tuple(sorted(team_ids)), now=now, today=today, week_end=week_end_of(today)
    )
    return counts_by_responsible(rows)


@kept(bound=("now", "today", "week_end"), keyed={"user": person_state})
def _teams_due_counts(*, user, teams: tuple[int, ...], now, today, week_end):
    # Compiled once per person, choice of teams and process (herning.core.statements): the teams
    # are part of the shape, as the access rule is written from them.
    return _count_rows(teams_deadlines(user, list(teams)), _group_conditions(now, today, week_end))


def _count_rows(deadlines, groups: dict[str, Q]):
    """The own work of ``deadlines`` (open ones) counted per group and responsible person, in one
    aggregate query: the numbers "Min dag", "Frister" and the team overview show, each through a
    kept read of it. One row per responsible person: their id and the count of each group, in
    ``DueGroup.ORDER``."""
    return (
        own_work(deadlines)
        .order_by()
        .values_list("responsible_id")
        .annotate(**{name: Count("pk", filter=groups[name]) for name in DueGroup.ORDER})
    )


def my_due_counts(user, *, now: datetime.datetime) -> DueCounts:
    """``user``'s own open deadlines, counted per group (``_count_rows``)."""
    today = timezone.localdate(now)
    rows = _own_due_counts(user=user, now=now, today=today, week_end=week_end_of(today))
    return next((DueCounts(*counts) for _responsible, *counts in rows), DueCounts())


@kept(bound=("now", "today", "week_end"), keyed={"user": person_state})
def _own_due_counts(*, user, now: datetime.datetime, today: datetime.date, week_end: datetime.date):
    # Min dag's and Frister's counts, compiled once per person and process (herning.core.statements):
    # the access rule and four filtered counts made it 0.7 ms of CPU to compile on every request.
    return _count_rows(
        visible_deadlines(user).filter(responsible=user), _group_conditions(now, today, week_end)
    )


def _with_children(rows: list[Deadline]) -> list[Deadline]:
    """Attach ``child`` to each row (from the case, or the notification) in one more query."""
    notification_ids = [d.source_id for d in rows if d.case_id is None and d.kind in NOTIFICATION_KINDS]
    children = {}
    if notification_ids:
        children = {
            n.pk: n.child
            for n in Notification.objects.for_system()
            .filter(pk__in=notification_ids)
            .select_related("child")
            .only("child__municipality", "child__first_name", "child__last_name")
        }
    for d in rows:
        d.child = d.case.child if d.case_id else children.get(d.source_id)
    return rows


# What the deadline lists ("Frister", the calendar feed) show: every column of the deadline, the
# case's number, the child's name and, for the access log, the child's municipality. Not the rest
# of the case or the child (the CPR number, the address, the school): a list reads no more of a
# child than it shows, and building the two records whole cost more CPU than the list's rows
# (benchmarks/RESULTS.md, Min dag's list).
_LISTED = (
    *(f.name for f in Deadline._meta.concrete_fields),
    "case__child__municipality",
    "case__child__first_name",
    "case__child__last_name",
)


def _listed(deadlines):
    return deadlines.select_related("case__child").only(*_LISTED)


def my_deadlines(user) -> list[Deadline]:
    """The open deadlines ``user`` is responsible for, earliest first."""
    rows = list(_listed(own_work(visible_deadlines(user).filter(responsible=user))).order_by("due_at", "pk"))
    return _with_children(rows)


def my_duty_deadlines(user) -> list[Deadline]:
    """The 24-hour assessments ``user`` holds as duty advisor: the duty queue, listed on its own."""
    rows = list(
        _listed(visible_deadlines(user).filter(responsible=user, kind__in=NOT_OWN_WORK)).order_by(
            "due_at", "pk"
        )
    )
    return _with_children(rows)


def team_deadlines(user, *, now: datetime.datetime, within_days: int = 7) -> list[Deadline]:
    """For a team leader: the teams' deadlines that are overdue or due within ``within_days``."""
    teams = user.led_team_ids()
    if not teams:
        return []
    horizon = timezone.localdate(now) + datetime.timedelta(days=within_days)
    rows = list(
        _listed(visible_deadlines(user).filter(team__in=teams, due_on__lte=horizon))
        .select_related("responsible")
        .only(*_LISTED, *(f"responsible__{name}" for name in User.NAME_FIELDS))
        .order_by("due_at", "pk")
    )
    return _with_children(rows)


def deadline_url(deadline: Deadline, paths: KeyedPaths | None = None) -> str:
    """Where a deadline is handled: a measure's schedule, the handover meeting of a moved case, the
    interim assessment of an investigation past its four months, the screening or the feedback of a
    notification, else the deadline list. A list passes one ``paths`` for all its rows: one
    ``reverse`` per kind of address instead of one per row."""
    name = HANDLED_AT.get(deadline.kind)
    if name is None:
        return reverse("followups:deadlines") + f"#frist-{deadline.pk}"
    paths = KeyedPaths() if paths is None else paths
    return paths[name](deadline.source_id)


# The page where the work of a deadline of each kind is done, with its source's key (Min dag's buttons
# take these too, ``dashboards.selectors._ACTIONS``); any other kind is handled from the deadline list.
HANDLED_AT = {
    **dict.fromkeys(MEASURE_KINDS, "followups:measure_schedule"),
    DeadlineKind.HANDOVER: "cases:handover_record",
    DeadlineKind.INTERIM_ASSESSMENT: "cases:investigation_interim",
    DeadlineKind.SCREENING: "cases:notification_screening",
    DeadlineKind.FEEDBACK: "cases:notification_feedback",
}


def _unread(user):
    """The person's unread reminders: what the header's bell counts."""
    return Reminder.objects.visible_to(user).filter(read_at__isnull=True)


def unread_reminder_count(user) -> int:
    """The bell's count, shown in the header of every page."""
    return next(iter(_unread_count(user=user)), 0)


@kept(bound=(), keyed={"user": person_state})
def _unread_count(*, user):
    # Compiled once per person and process (herning.core.statements): every page but Min dag, which
    # counts them with its list (``latest_unread_reminders``), asks this.
    return count_read(_unread(user))


def latest_unread_reminders(user, *, limit: int) -> tuple[list[Reminder], int]:
    """The ``limit`` newest unread reminders with their deadlines, and how many are unread in all
    (the bell's count), in one statement: the count is a window over the same rows, taken before
    the limit. "Min dag" shows both, and they were two statements."""
    rows = list(_latest_unread(user=user, limit=limit))
    return rows, rows[0].unread_in_all if rows else 0


@kept(bound=(), keyed={"user": person_state})
def _latest_unread(*, user, limit: int):
    # Compiled once per person and process (herning.core.statements), as Min dag's list is.
    return (
        _unread(user)
        .select_related("deadline")
        .annotate(unread_in_all=Window(Count("pk")))
        .order_by("-created_at", "-pk")[:limit]
    )


# An escalation still standing: its deadline is open and has not moved since it was escalated.
STANDING_ESCALATION = Q(kind=ReminderKind.ESCALATION, deadline__is_open=True, due_on=F("deadline__due_on"))


def reminders_for(user, *, limit: int = 100) -> list[Reminder]:
    """The person's reminders, newest first, except the escalations still standing: those are
    listed grouped (``escalations_for``)."""
    return list(
        Reminder.objects.visible_to(user)
        .exclude(STANDING_ESCALATION)
        .select_related("deadline", "deadline__case", "deadline__responsible")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- Escalations, grouped as the team leader reads them ------------------------------------------
# The daily digest (followups.digest) and the in-app list show the same thing the same way: per
# team, then per advisor, then per child, the oldest overdue deadline first at every level.


@dataclass
class EscalationLine:
    reminder: Reminder
    deadline: Deadline
    measure_name: str
    path: str


@dataclass
class ChildEscalations:
    child: object  # cases.Child, or None for a deadline of no child
    lines: list[EscalationLine] = field(default_factory=list)


@dataclass
class AdvisorEscalations:
    advisor: object  # the person responsible, or None when nobody is
    children: list[ChildEscalations] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(c.lines) for c in self.children)


@dataclass
class TeamEscalations:
    team: Team | None
    advisors: list[AdvisorEscalations] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(a.count for a in self.advisors)

    @property
    def reminders(self) -> list[Reminder]:
        return [line.reminder for a in self.advisors for c in a.children for line in c.lines]

    @property
    def children(self) -> list:
        return [c.child for a in self.advisors for c in a.children if c.child is not None]


def led_teams(user_ids) -> dict[int, list[tuple[int, int]]]:
    """Each person's teams as team leader, as (team id, district id), in one query."""
    led: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for user_id, team_id, district_id in (
        RoleAssignment.objects.filter(role=Role.TEAM_LEADER, team__isnull=False, user_id__in=user_ids)
        .order_by("team_id")
        .values_list("user_id", "team_id", "team__district_id")
    ):
        led[user_id].append((team_id, district_id))
    return led


def _team_of(deadline: Deadline, led: list[tuple[int, int]]) -> int | None:
    """The team an escalation is about: the deadline's own, or, for a deadline of a district (a
    notification not yet with a team), the leader's team in that district (as the sweep chose)."""
    if deadline.team_id:
        return deadline.team_id
    return next((team for team, district in led if district == deadline.district_id), None)


def group_escalations(reminders: list[Reminder], *, led: list[tuple[int, int]]) -> list[TeamEscalations]:
    """``reminders`` (escalations to one person, their deadlines with case and child selected)
    grouped per team (by name), advisor and child, the oldest overdue deadline first at each level.
    Two more queries at most: the children of notifications and the measures' names."""
    deadlines = _with_children([r.deadline for r in reminders])
    measure_ids = [d.source_id for d in deadlines if d.kind in MEASURE_KINDS]
    measure_names = (
        dict(Measure.objects.for_system().filter(pk__in=measure_ids).values_list("pk", "measure_type__name"))
        if measure_ids
        else {}
    )
    tree: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    paths = KeyedPaths()
    for reminder in sorted(reminders, key=lambda r: (r.deadline.due_at, r.deadline.pk, r.pk)):
        d = reminder.deadline
        line = EscalationLine(
            reminder=reminder,
            deadline=d,
            measure_name=measure_names.get(d.source_id, "") if d.kind in MEASURE_KINDS else "",
            path=deadline_url(d, paths),
        )
        child_key = d.child.pk if d.child is not None else None
        tree[_team_of(d, led)][d.responsible_id][child_key].append(line)
    team_ids = [t for t in tree if t is not None]
    teams = {t.pk: t for t in Team.objects.filter(pk__in=team_ids)} if team_ids else {}
    result = []
    for team_id, advisors in tree.items():
        group = TeamEscalations(team=teams.get(team_id))
        for children in advisors.values():
            first = next(iter(children.values()))[0]
            advisor = AdvisorEscalations(advisor=first.deadline.responsible)
            # Insertion follows the oldest deadline, so each level is already oldest first.
            advisor.children = [
                ChildEscalations(child=lines[0].deadline.child, lines=lines) for lines in children.values()
            ]
            group.advisors.append(advisor)
        result.append(group)
    result.sort(key=lambda g: (g.team is None, g.team.name if g.team else ""))
    return result


def escalations_for(user, *, limit: int = 200) -> list[TeamEscalations]:
    """For the in-app list: the escalations still standing that ``user`` received, grouped as the
    daily digest groups them (``group_escalations``)."""
    rows = list(
        Reminder.objects.visible_to(user)
        .filter(STANDING_ESCALATION)
        .select_related("deadline", "deadline__case", "deadline__case__child", "deadline__responsible")
        .order_by("deadline__due_at", "pk")[:limit]
    )
    if not rows:
        return []
    led = [
        (a.team_id, a.team.district_id)
        for a in user.role_assignments_cached
        if a.role == Role.TEAM_LEADER and a.team_id
    ]
    return group_escalations(rows, led=led)


def pending_exceptions_for(user, *, teams=None) -> list[FollowUpException]:
    """Exceptions awaiting a decision in the teams ``user`` leads (of ``teams``, when given).

    Few wait at any time: their ids are read first, and the records with the measure, the child and
    who asked only when there are any (a join of six tables costs PostgreSQL more to plan than an
    empty list costs to read, on every load of the team overview)."""
    led = user.led_team_ids()
    teams = led if teams is None else led & set(teams)
    if not teams:
        return []
    ids = list(_pending_exception_ids(user=user, teams=tuple(sorted(teams))))
    if not ids:
        return []
    return list(
        FollowUpException.objects.for_system()  # the ids were read through visible_to above
        .filter(pk__in=ids)
        .select_related(
            "measure", "measure__measure_type", "measure__case", "measure__case__child", "requested_by"
        )
        .order_by("requested_at", "pk")
    )


@kept(bound=(), keyed={"user": person_state})
def _pending_exception_ids(*, user, teams: tuple[int, ...]):
    # Compiled once per person, choice of teams and process (herning.core.statements): the team
    # overview asks it on every request, and the access rule is most of it.
    return (
        FollowUpException.objects.visible_to(user, teams=list(teams))
        .filter(state=FollowUpException.State.REQUESTED)
        .values_list("pk", flat=True)
    )


@kept(bound=(), keyed={"user": person_state})
def _pending_later_date_ids(*, user, teams: tuple[int, ...]):
    # As ``_pending_exception_ids``, for the later dates.
    return (
        FollowUp.objects.visible_to(user, teams=list(teams))
        .filter(later_state=LaterDate.REQUESTED)
        .order_by()
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class PendingRequest:
    """A request awaiting the team leader's decision, as the team overview lists it with approve
    and refuse in place: a next date later than the rule allows, or an exception from the rule.
    (Going above the caseload cap is no request: the team leader decides it when giving the case,
    with a written reason.)"""

    kind: str  # "later" or "exception"
    item: FollowUp | FollowUpException

    @property
    def prefix(self) -> str:
        """The decision form's prefix, as the approvals page names it."""
        return f"{'l' if self.kind == 'later' else 'e'}{self.item.pk}"

    @property
    def action(self) -> str:
        name = "followups:later_date_decide" if self.kind == "later" else "followups:exception_decide"
        return reverse(name, args=[self.item.pk])

    @property
    def requested_at(self) -> datetime.datetime:
        return self.item.recorded_at if self.kind == "later" else self.item.requested_at


def pending_requests(
    exceptions: list[FollowUpException], later_dates: list[FollowUp]
) -> list[PendingRequest]:
    """The requests of ``pending_exceptions_for`` and ``pending_later_dates_for`` in one list, the
    longest waiting first."""
    rows = [PendingRequest("exception", e) for e in exceptions]
    rows += [PendingRequest("later", f) for f in later_dates]
    return sorted(rows, key=lambda r: (r.requested_at, r.prefix))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_owner(token: str):
    """The active person whose calendar feed ``token`` opens, or None."""
    row = CalendarToken.objects.filter(token_hash=hash_token(token)).select_related("user").first()
    if row is None or not row.user.is_active:
        return None
    return row.user


def pending_later_dates_for(user, *, teams=None) -> list[FollowUp]:
    """Follow-ups whose next date, later than the rule allows, awaits a decision by ``user`` as
    team leader of the case's team (of ``teams``, when given; docs/deadlines.md)."""
    led = user.led_team_ids()
    teams = led if teams is None else led & set(teams)
    if not teams:
        return []
    ids = list(_pending_later_date_ids(user=user, teams=tuple(sorted(teams))))
    if not ids:
        return []
    return list(
        FollowUp.objects.for_system()  # the ids were read through visible_to above
        .filter(pk__in=ids)
        .select_related(
            "measure", "measure__measure_type", "measure__case", "measure__case__child", "recorded_by"
        )
        .order_by("recorded_at", "pk")
    )


@dataclass(frozen=True)
class MeasureDeadlines:
    """An active measure with its next municipal follow-up and its next statutory one (the
    supervisory visit counts as statutory), each a ``Deadline`` whose explanation says why."""

    measure: Measure
    municipal: Deadline | None
    legal: Deadline | None


@dataclass(frozen=True)
class CaseDeadlineSummary:
    measures: list[MeasureDeadlines]
    overdue: list[Deadline]
    other: list[Deadline]  # the case's open deadlines not of a measure (plan, investigation…)


def case_deadline_summary(case, *, today: datetime.date) -> CaseDeadlineSummary:
    """For the summary of a case the page has shown the person: its active measures and open
    deadlines, in two queries whatever their number (the materialised deadline table, not the
    engine)."""
    measures = list(_active_measures_of_case(case_id=case.pk, today=today))
    deadlines = list(_open_deadlines_of_case(case_id=case.pk))
    by_measure: dict[int, list[Deadline]] = defaultdict(list)
    for d in deadlines:
        if d.kind in MEASURE_KINDS:
            by_measure[d.source_id].append(d)
    rows = []
    for m in measures:
        own = by_measure.get(m.pk, [])
        rows.append(
            MeasureDeadlines(
                m,
                next((d for d in own if d.kind == DeadlineKind.FOLLOWUP), None),
                next((d for d in own if d.kind != DeadlineKind.FOLLOWUP), None),
            )
        )
    return CaseDeadlineSummary(
        measures=rows,
        overdue=[d for d in deadlines if d.due_on < today],
        other=[d for d in deadlines if d.kind not in MEASURE_KINDS],
    )


def case_pending_requests(case) -> list[PendingRequest]:
    """The case's requests awaiting a team leader's decision (a later follow-up date, an exception
    from the rule), the longest waiting first: two queries. The case was read through
    ``visible_to`` by the page that asks."""
    exceptions = list(_requested_exceptions_of_case(case_id=case.pk))
    later = list(_requested_later_dates_of_case(case_id=case.pk))
    return pending_requests(exceptions, later)


# The schedule page's reads of its measure, each compiled once per process (herning.core.statements).


@kept(bound=("measure_id",))
def _measure_with_rule_inputs(*, measure_id: int):
    return (
        Measure.objects.for_system()
        .select_related("measure_type", "legal_basis", "case")
        .filter(pk=measure_id)
    )


@kept(bound=("measure_id",))
def _followups_held(*, measure_id: int):
    return (
        FollowUp.objects.for_system()
        .filter(measure_id=measure_id)
        .select_related("recorded_by", "later_decided_by")
        .order_by("held_on", "pk")
    )


# The case page's reads of one case, each compiled once per process (herning.core.statements):
# compiling them cost more CPU than PostgreSQL took to answer them (benchmarks/RESULTS.md).


@kept(bound=("case_id", "today"))
def _active_measures_of_case(*, case_id: int, today: datetime.date):
    return (
        Measure.objects.for_system()
        .filter(case_id=case_id)
        .active_on(today)
        .select_related("measure_type__ladder_step")
        .order_by("-measure_type__ladder_step__number", "start_date", "pk")
    )


@kept(bound=("case_id",))
def _open_deadlines_of_case(*, case_id: int):
    return Deadline.objects.for_system().filter(case_id=case_id, is_open=True).order_by("due_on", "pk")


@kept(bound=("case_id",))
def _requested_exceptions_of_case(*, case_id: int):
    return (
        FollowUpException.objects.for_system()
        .filter(measure__case_id=case_id, state=FollowUpException.State.REQUESTED)
        .select_related("measure__measure_type")
    )


@kept(bound=("case_id",))
def _requested_later_dates_of_case(*, case_id: int):
    return (
        FollowUp.objects.for_system()
        .filter(measure__case_id=case_id, later_state=LaterDate.REQUESTED)
        .select_related("measure__measure_type")
    )
