"""Reads for the dashboards. Lists that name a child start from ``visible_to(user)`` (cases.access);
the management view reads aggregates only and names nobody.

Every read is one aggregate or one list query over indexed columns (``Case`` by team and state or
advisor and state, ``Deadline`` by team or responsible and due date, ``LadderMovement`` by date),
whatever the number of rows: the pages pin their query counts in the tests.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _lazy

from cases.access import person_state
from cases.caseload import Load, level, open_case_counts
from cases.models import Case, CaseloadOverride, CaseTransfer, Notification, open_case_q
from cases.selectors import awaiting_advisor, duty_queue, team_advisor_choices
from dashboards.models import StepDownTarget, target_for
from followups.models import Deadline, DeadlineKind, FollowUp, FollowUpException, Reminder
from followups.selectors import (
    HANDLED_AT,
    MEASURE_KINDS,
    DueCounts,
    DueGroup,
    PendingRequest,
    advisors_due_counts,
    deadline_url,
    due_group,
    latest_unread_reminders,
    my_due_counts,
    own_work,
    pending_exceptions_for,
    pending_later_dates_for,
    pending_requests,
    teams_deadlines,
    teams_due_counts,
    visible_deadlines,
)
from herning.audit.services import CaseRef
from herning.core.paths import KeyedPaths
from herning.core.statements import count_read, kept
from herning.organisation.models import District, Role, Team, User
from herning.organisation.selectors import on_duty
from measures.models import LadderMovement, LadderStep, Measure, MeasureType, PlacementCategory
from network_meetings.models import Agreement
from network_meetings.selectors import open_staff_agreements

# How far ahead the list of "Min dag" looks (overdue work is always shown, and everything counts).
SOON_DAYS = 30
# Of a meeting's agreement: its words, and the child as the meeting names it (by name with consent,
# else by initials: ``NetworkMeeting.child_label``).
_AGREEMENT_FIELDS = (
    "text",
    "due_on",
    "meeting__consent_given_at",
    "meeting__case",
    "meeting__child__municipality",
    "meeting__child__first_name",
    "meeting__child__last_name",
)
# The team overview's "coming deadlines", and how many overdue ones it lists (the oldest).
COMING_DAYS = 14
OVERDUE_LISTED = 25
# The cases listed by days since their last follow-up (the longest first); every case counts in
# each advisor's "longest".
RECENCY_LISTED = 50
# The children on an institution step listed (the longest there first); all are counted.
PLACEMENTS_LISTED = 50


def months_between(since: datetime.date, today: datetime.date) -> int:
    """Whole calendar months from ``since`` to ``today``."""
    delta = relativedelta(today, since)
    return delta.years * 12 + delta.months


# --- The advisor's day ("Min dag") ---------------------------------------------------------------


@dataclass
class FollowUpDue:
    """A measure's coming follow-up: the deadline that binds first (municipal or statutory) with its
    explanation, and the measure's other deadlines behind it."""

    binding: Deadline
    others: list[Deadline]

    @property
    def measure_id(self) -> int:
        return self.binding.source_id


@dataclass
class WorkItem:
    """One line of the advisor's list: a deadline (for a measure, the first of its deadlines in the
    group, the others under it), the child, and the place where the work is done."""

    deadline: Deadline
    others: list[Deadline]
    child_name: str
    action_url: str
    action_label: str
    agreement: Agreement | None = None
    case_url: str = ""


@dataclass
class WorkGroup:
    key: str
    label: str
    count: int
    items: list[WorkItem]

    @property
    def listed(self) -> int:
        return sum(1 + len(item.others) for item in self.items)


@dataclass
class MyDay:
    today: datetime.date
    now: datetime.datetime
    loads: list[Load]
    counts: DueCounts
    groups: list[WorkGroup]
    rows: list[Deadline]
    agreements: list[Agreement]
    assessments: list[Notification] | None
    on_duty: list[tuple[District, User | None]]
    reminders: list[Reminder]
    unread_reminders: int

    def of_kind(self, *kinds) -> list[Deadline]:
        return [d for d in self.rows if d.kind in kinds]

    @property
    def followups(self) -> list[FollowUpDue]:
        return _followups_due(self.of_kind(*MEASURE_KINDS), self.today + datetime.timedelta(days=SOON_DAYS))

    @property
    def investigations(self) -> list[Deadline]:
        return self.of_kind(DeadlineKind.INVESTIGATION)

    @property
    def interim_assessments(self) -> list[Deadline]:
        return self.of_kind(DeadlineKind.INTERIM_ASSESSMENT)

    def shown(self) -> list:
        """The children the day names, with their case: one access-log entry each. (A reminder
        names its case's number only.)"""
        return [
            *((d.case.child, d.case) for d in self.rows if d.case_id),
            *((n.child, n.case) for n in self.assessments or ()),
            *(
                (a.meeting.child, CaseRef(a.meeting.case_id) if a.meeting.case_id else None)
                for a in self.agreements
                if a.meeting.child_id
            ),
        ]

    @property
    def overdue_count(self) -> int:
        return self.counts.overdue


def advisor_loads(user) -> list[Load]:
    """The person's open cases against the cap of each team they advise in (usually one)."""
    teams = user.teams_for(Role.ADVISOR)
    if not teams:
        return []
    count = open_case_counts([user.pk])[user.pk]
    return [Load(advisor=user, team=team, open_cases=count) for team in teams]


def _mine(user):
    return visible_deadlines(user).filter(responsible=user)


@kept(bound=("soon",), keyed={"user": person_state})
def _my_rows(*, user, soon: datetime.date):
    """The person's own work Min dag lists, compiled once per person and process
    (herning.core.statements): the access rule is most of the statement."""
    return (
        own_work(_mine(user))
        # Everything counts; the list shows the coming month (the rest is on "Frister").
        .filter(Q(due_on__lte=soon) | Q(kind=DeadlineKind.HANDOVER))
        .select_related("case__child")
        # Only what the list shows, as the team overview's table (no CPR number, address or school),
        # and the child's municipality, which the access log records (``MyDay.shown``).
        .only(*DEADLINE_LISTED_FIELDS, "case__child__municipality")
        .order_by("due_at", "pk")
    )


@kept(bound=("user_id", "due_by"))
def _agreements_due(*, user_id: int, due_by: datetime.date):
    """The person's open agreements due by ``due_by``, with what Min dag shows of their meeting's
    child; compiled once per process (herning.core.statements)."""
    return (
        open_staff_agreements(user=user_id, due_by=due_by)
        .select_related("meeting__child")
        .only(*_AGREEMENT_FIELDS)
    )


def my_day(user, *, now: datetime.datetime) -> MyDay:
    """The advisor's own work as one list grouped overdue / today / this week / later (the groups and
    their counts are ``followups.selectors._count_rows``, as on "Frister" and the team overview), the
    duty queue and who is on duty; a handful of queries."""
    today = timezone.localdate(now)
    soon = today + datetime.timedelta(days=SOON_DAYS)
    rows = list(_my_rows(user=user, soon=soon))
    agreements = list(_agreements_due(user_id=user.pk, due_by=soon))
    counts = my_due_counts(user, now=now)
    reminders, unread = latest_unread_reminders(user, limit=10)
    return MyDay(
        today=today,
        now=now,
        loads=advisor_loads(user),
        counts=counts,
        groups=_work_groups(rows, {a.pk: a for a in agreements}, counts=counts, now=now),
        rows=rows,
        agreements=agreements,
        assessments=list(duty_queue(user=user)) if user.has_role(Role.DUTY_ADVISOR) else None,
        on_duty=on_duty(municipality=user.municipality, day=today) if user.municipality_id else [],
        reminders=reminders,
        # The header's bell shows this count (``followups_tags.reminder_bell``): one definition.
        unread_reminders=unread,
    )


GROUP_LABELS = {
    DueGroup.OVERDUE: _lazy("Overskredet"),
    DueGroup.TODAY: _lazy("I dag"),
    DueGroup.WEEK: _lazy("Denne uge"),
    DueGroup.LATER: _lazy("Senere"),
}


# Where the work of a deadline of each kind is done (its source's key in the address), the button's
# words, and whether the form brings the advisor back to the day afterwards. A measure's button
# records the follow-up and a notification's receipt has a form of its own; the other kinds' pages
# are where ``deadline_url`` sends them (``HANDLED_AT``).
_ACTIONS = {
    **dict.fromkeys(MEASURE_KINDS, ("followups:record", _lazy("Registrér opfølgning"), False)),
    DeadlineKind.RECEIPT: ("cases:notification_receipt", _lazy("Registrér kvittering"), True),
    **{
        kind: (HANDLED_AT[kind], label, returns)
        for kind, label, returns in (
            (DeadlineKind.SCREENING, _lazy("Registrér screening"), True),
            (DeadlineKind.FEEDBACK, _lazy("Registrér tilbagemelding"), True),
            (DeadlineKind.INTERIM_ASSESSMENT, _lazy("Skriv den foreløbige vurdering"), False),
            (DeadlineKind.HANDOVER, _lazy("Registrér overleveringsmødet"), True),
        )
    },
}
_OPEN_CASE, _OPEN = _lazy("Åbn sagen"), _lazy("Åbn")


class _Words(dict):
    """Each button's words translated once for the whole list, not once per row."""

    def __missing__(self, label) -> str:
        self[label] = text = str(label)
        return text


def _action(deadline: Deadline, paths: KeyedPaths, back: str, words: _Words) -> tuple[str, str]:
    """Where the work of ``deadline`` is done, and the button's words."""
    action = _ACTIONS.get(deadline.kind)
    if action is not None:
        name, label, returns = action
        return paths[name](deadline.source_id) + (back if returns else ""), words[label]
    if deadline.case_id:
        return paths["cases:case_detail"](deadline.case_id), words[_OPEN_CASE]
    return deadline_url(deadline, paths), words[_OPEN]


def _work_groups(rows, agreements: dict[int, Agreement], *, counts: DueCounts, now) -> list[WorkGroup]:
    by_group: dict[str, list[WorkItem]] = {key: [] for key in DueGroup.ORDER}
    measures: dict[tuple[str, int], WorkItem] = {}
    paths, words = KeyedPaths(), _Words()
    back = "?next=" + reverse("start:my_day")
    for d in rows:
        group = due_group(d, now)
        if d.kind in MEASURE_KINDS and (group, d.source_id) in measures:
            # A measure's other deadlines in the same group stand under its first.
            measures[(group, d.source_id)].others.append(d)
            continue
        agreement = agreements.get(d.source_id) if d.kind == DeadlineKind.AGREEMENT else None
        if agreement is not None:
            child_name = agreement.meeting.child_label
        else:
            child_name = d.case.child.full_name if d.case_id else ""
        url, label = _action(d, paths, back, words)
        case_url = paths["cases:case_detail"](d.case_id) if d.case_id else ""
        item = WorkItem(d, [], child_name, url, label, agreement, case_url)
        if d.kind in MEASURE_KINDS:
            measures[(group, d.source_id)] = item
        by_group[group].append(item)
    return [WorkGroup(key, GROUP_LABELS[key], getattr(counts, key), by_group[key]) for key in DueGroup.ORDER]


def _followups_due(rows: list[Deadline], horizon: datetime.date) -> list[FollowUpDue]:
    """Group a measure's deadlines (municipal, statutory, supervision); keep the measures whose
    binding deadline falls by ``horizon``."""
    by_measure: dict[int, list[Deadline]] = defaultdict(list)
    for row in rows:
        by_measure[row.source_id].append(row)
    result = []
    for deadlines in by_measure.values():
        binding, *others = sorted(deadlines, key=lambda d: (d.due_at, d.statutory is False, d.pk))
        if binding.due_on <= horizon:
            result.append(FollowUpDue(binding, others))
    return sorted(result, key=lambda f: (f.binding.due_at, f.binding.pk))


# --- Filters: period and district ----------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The period the backward-looking figures cover: ``days`` up to and including ``end``."""

    days: int
    end: datetime.date

    @property
    def start(self) -> datetime.date:
        return self.end - datetime.timedelta(days=self.days - 1)

    @property
    def start_moment(self) -> datetime.datetime:
        from followups.timing import local_midnight

        return local_midnight(self.start)


# --- The team leader's overview ------------------------------------------------------------------


@dataclass
class AdvisorRow:
    """One advisor of a team: load against the cap, deadlines, cases per step, movements."""

    load: Load
    due: DueCounts = field(default_factory=DueCounts)
    longest_without_followup: int | None = None
    steps: dict[int | None, int] = field(default_factory=dict)
    step_counts: list[int] = field(default_factory=list)
    down: int = 0
    up: int = 0
    first: int = 0

    @property
    def advisor(self) -> User:
        return self.load.advisor

    @property
    def team(self) -> Team:
        return self.load.team


@dataclass(frozen=True)
class CaseRow:
    """A case as the overview lists it: the child's name, the advisor and the ladder step. Read as
    values, not records: the lists name 50 children each, on a page a team leader reloads all day."""

    pk: int
    child_name: str
    advisor: User | None
    step: int | None


def days_without(today: datetime.date, last_followup: datetime.date | None, start: datetime.date) -> int:
    """The days a measure has gone without a follow-up: since its latest, or since it started."""
    return (today - (last_followup or start)).days


def is_overdue(next_due: datetime.date | None, today: datetime.date) -> bool:
    """A next follow-up date before today has passed (on the day itself it is due, not overdue)."""
    return next_due is not None and next_due < today


@dataclass(frozen=True)
class MeasureRecency:
    """An active measure with follow-ups due, as the overview lists it under its child: when it was
    itself last followed up (a follow-up belongs to one measure, so a recent follow-up of a contact
    person says nothing about a placement), and its next deadline, overdue or not."""

    pk: int
    name: str
    start: datetime.date
    last_followup: datetime.date | None
    next_due: datetime.date | None
    today: datetime.date

    @property
    def days(self) -> int:
        return days_without(self.today, self.last_followup, self.start)

    @property
    def overdue(self) -> bool:
        return is_overdue(self.next_due, self.today)

    @property
    def sort_key(self) -> tuple:
        """The worst first: overdue before not, the oldest deadline first, then the longest
        without a follow-up."""
        return (not self.overdue, self.next_due or datetime.date.max, -self.days, self.pk)


@dataclass
class ChildRecency:
    """A child (its one open case) once, with its active measures under it, the worst first. The
    case row (the child's name, advisor and step) is read for the listed children only."""

    case_id: int
    owner: tuple[int, int | None]  # the case's (team, advisor)
    measures: list[MeasureRecency]
    case: CaseRow | None = None

    @property
    def oldest_overdue(self) -> datetime.date | None:
        return min((m.next_due for m in self.measures if m.overdue), default=None)

    @property
    def days(self) -> int:
        return max(m.days for m in self.measures)


def worst_first(oldest_overdue: datetime.date | None, days: int, case_id: int) -> tuple:
    """Where a child stands in the recency list: the oldest overdue deadline first (a child without
    one after all that have one), then the longest without a follow-up (``ChildRecency``'s
    ``oldest_overdue`` and ``days``)."""
    return (oldest_overdue is None, oldest_overdue or datetime.date.max, -days, case_id)


@dataclass
class Placement:
    """A child on an institution step of the ladder, and since when."""

    case: CaseRow
    since: datetime.date
    today: datetime.date
    target_months: int | None

    @property
    def months(self) -> int:
        return months_between(self.since, self.today)

    @property
    def beyond_target(self) -> bool:
        return self.target_months is not None and self.months >= self.target_months


@dataclass
class Placements:
    """The children on an institution step: the longest there listed, how many there are, and how
    many have been there the target's months or more."""

    listed: list[Placement]
    total: int
    beyond_target: int


@dataclass(frozen=True)
class Cohort:
    """Children who came onto an institution step in ``start``-``end`` (all have had the target's
    months since), and how many of them were on a lower step within those months."""

    start: datetime.date
    end: datetime.date
    entered: int
    stepped_down: int

    @property
    def share(self) -> float | None:
        return 100 * self.stepped_down / self.entered if self.entered else None


def ladder_steps() -> list[LadderStep]:
    """The ladder, each step marked ``institution`` when a measure type placing the child in an
    institution sits on it (step 6 of the shipped ladder)."""
    return list(_ladder_steps())


@kept(bound=())
def _ladder_steps():
    # Compiled once per process (herning.core.statements): the team overview and the figures read it.
    institution = Exists(
        MeasureType.objects.filter(
            ladder_step=OuterRef("pk"), placement_category=PlacementCategory.INSTITUTION
        )
    )
    return LadderStep.objects.annotate(institution=institution).order_by("number")


def _advisor_rows(teams: list[Team]):
    """The teams' advisors, a row per (team, advisor) with the open-case load, and each advisor's rows."""
    advisors_by_team = team_advisor_choices(teams=teams)
    loads = open_case_counts(a.pk for advisors in advisors_by_team.values() for a in advisors)
    rows = {
        (team.pk, a.pk): AdvisorRow(Load(advisor=a, team=team, open_cases=loads[a.pk]))
        for team in teams
        for a in advisors_by_team[team.pk]
    }
    by_advisor: dict[int, list[AdvisorRow]] = defaultdict(list)
    for (_team_id, advisor_id), row in rows.items():
        by_advisor[advisor_id].append(row)
    return advisors_by_team, rows, by_advisor


def _count_deadlines(user, team_ids, by_advisor, *, now) -> tuple[DueCounts, int]:
    """Each advisor's deadlines per group (``followups.selectors._count_rows``, as "Min dag" and "Frister" count them),
    set on their rows; returns the teams' unassigned deadlines' counts and the teams' overdue total.

    An advisor's own work counts wherever it lies (the handover meeting of a case moved to another
    team is still theirs), so the numbers agree with their "Min dag". Only numbers are read there,
    no child is named: hence ``for_system``."""
    for responsible_id, row_counts in advisors_due_counts(list(by_advisor), now=now).items():
        for row in by_advisor.get(responsible_id, []):
            row.due = row_counts
    team = teams_due_counts(user, team_ids, now=now)
    return team.get(None, DueCounts()), sum(c.overdue for c in team.values())


def _overdue_listed(deadlines, *, now, people: People) -> list:
    """The first overdue deadlines, with their child and responsible person."""
    overdue = list(
        deadlines.filter(due_at__lte=now)
        .select_related("case__child")
        .only(*DEADLINE_LISTED_FIELDS)
        # A deadline's moment lies on its day: by day first, so the index on (team, day) can serve.
        .order_by("due_on", "due_at", "pk")[:OVERDUE_LISTED]
    )
    # The responsible are the teams' advisors, read already; joining the users would cost more.
    people.add(d.responsible_id for d in overdue)
    for d in overdue:
        d.child = d.case.child if d.case_id else None
        d.responsible = people.get(d.responsible_id)
    return overdue


UNHEARD_LISTED = 25


def team_measures(user, team_ids: list[int]):
    """The measures of the teams' open cases that ``user`` may read."""
    return Measure.objects.visible_to(user, teams=team_ids).filter(
        open_case_q("case__"), case__team__in=team_ids
    )


@dataclass(frozen=True)
class Unheard:
    total: int
    listed: list[Measure]


def unheard_measures(user, *, team_ids: list[int], window: Window) -> Unheard:
    """The measures of the teams' open cases started in ``window`` without the child heard first
    (Barnets Lov § 5, stk. 3): no hearing recorded (imported, or from before it was asked), or the
    law's reason why not. The newest first; two queries."""
    measures = (
        team_measures(user, team_ids)
        .filter(start_date__gte=window.start, start_date__lte=window.end)
        .filter(hearing_on__isnull=True, hearing_journal_note__isnull=True)
    )
    listed = list(
        measures.select_related("case__child", "case__advisor", "measure_type").order_by(
            "-start_date", "-pk"
        )[:UNHEARD_LISTED]
    )
    total = len(listed) if len(listed) < UNHEARD_LISTED else measures.count()
    return Unheard(total=total, listed=listed)


@kept(bound=(), keyed={"user": person_state})
def _steps_of_cases(*, user, teams: tuple[int, ...]):
    """The teams' open cases the person may read, counted per team, advisor and ladder step.
    Compiled once per person, choice of teams and process (herning.core.statements)."""
    return (
        Case.objects.visible_to(user, teams=list(teams))
        .open()
        .order_by()
        .values_list("team_id", "advisor_id", "current_step__number")
        .annotate(n=Count("pk"))
    )


def _count_steps(rows, rows_of) -> dict[int | None, int]:
    """Each advisor row's open cases per ladder step from ``_steps_of_cases``' rows; returns the
    unassigned cases per step."""
    unassigned_steps: dict[int | None, int] = defaultdict(int)
    for team_id, advisor_id, number, n in rows:
        # A case whose advisor is not (or no longer) an advisor of its team counts as unassigned.
        target = rows_of(team_id, advisor_id)
        for row in target:
            row.steps[number] = row.steps.get(number, 0) + n
        if not target:
            unassigned_steps[number] += n
    return unassigned_steps


# The sections of the team overview below its first screen, in the page's order. Each is read when
# it is scrolled to, as a request of its own (``dashboards.views.team_section``) that logs the
# children it names; the first screen (the figures, the advisors' loads and deadlines, the ladder)
# names no child.
TEAM_SECTIONS = (
    "bevaegelser",
    "institution",
    "uden-partshoering",
    "opfoelgning",
    "overskredne",
    "anmodninger",
    "loftet",
)


@kept(bound=(), keyed={"user": person_state})
def _awaiting_count(*, user, teams: tuple[int, ...]):
    # The open cases without an advisor of the chosen teams, counted (``awaiting_advisor``).
    return count_read(awaiting_advisor(user=user).filter(team__in=list(teams)).prefetch_related(None))


@kept(bound=("since",), keyed={"user": person_state})
def _override_count(*, user, teams: tuple[int, ...], since):
    # The overrides of the cap decided since ``since`` in the chosen teams, counted.
    return count_read(_overrides_since(user, list(teams), since))


def _overrides_since(user, team_ids, since):
    return CaseloadOverride.objects.visible_to(user, teams=team_ids).filter(
        team__in=team_ids, decided_at__gte=since
    )


class TeamOverview:
    """The team leader's overview of ``teams`` (teams they lead), every part read from what
    ``user`` may read, and each part only when it is first used: a request for the first screen
    reads the figures, the advisors' rows and the ladder, and a request for one of
    ``TEAM_SECTIONS`` reads that section. No request reads what it does not show."""

    def __init__(self, user, *, teams: list[Team], window: Window, now: datetime.datetime):
        self.user = user
        self.teams = teams
        self.team_ids = [t.pk for t in teams]
        self.window = window
        self.now = now
        self.today = timezone.localdate(now)

    # --- Read by several parts -------------------------------------------------------------------

    @cached_property
    def _rows(self):
        """The teams' advisors with their open-case loads: a row per (team, advisor), and each
        advisor's rows."""
        return _advisor_rows(self.teams)

    def rows_of(self, team_id, advisor_id) -> list[AdvisorRow]:
        row = self._rows[1].get((team_id, advisor_id))
        return [row] if row else []

    @cached_property
    def _sorted_rows(self) -> list[AdvisorRow]:
        return sorted(self._rows[1].values(), key=lambda r: (r.team.name, str(r.advisor), r.advisor.pk))

    @cached_property
    def people(self) -> People:
        return People(a for advisors in self._rows[0].values() for a in advisors)

    @cached_property
    def steps(self) -> list[LadderStep]:
        return ladder_steps()

    @cached_property
    def target(self) -> StepDownTarget | None:
        return target_for(self.user.municipality_id)

    @property
    def institution_steps(self) -> list[int]:
        return [s.pk for s in self.steps if s.institution]

    @property
    def cases(self):
        """The teams' open cases the person may read (for their team leader: all of them)."""
        return Case.objects.visible_to(self.user, teams=self.team_ids).open()

    @property
    def deadlines(self):
        """The open deadlines of the teams' cases the person may read (``teams_deadlines``)."""
        return teams_deadlines(self.user, self.team_ids)

    # --- The first screen ------------------------------------------------------------------------

    @cached_property
    def _counted(self) -> tuple[dict[int | None, int], DueCounts, int]:
        """Sets each advisor row's open cases per step, deadlines per group and longest time
        without a follow-up; returns the unassigned cases per step, the unassigned deadlines'
        counts and the teams' overdue total."""
        unassigned_steps = _count_steps(
            _steps_of_cases(user=self.user, teams=tuple(sorted(self.team_ids))), self.rows_of
        )
        unassigned, overdue_total = _count_deadlines(self.user, self.team_ids, self._rows[2], now=self.now)
        # Every measure counts in its advisor's longest; no child is listed here.
        recency = followup_recency(self.user, self.team_ids, today=self.today, people=self.people, listed=0)
        for (team_id, advisor_id), days in recency.longest.items():
            for row in self.rows_of(team_id, advisor_id):
                row.longest_without_followup = days
        for row in self._rows[1].values():
            row.step_counts = [row.steps.get(k, 0) for k in self.step_keys]
        return dict(unassigned_steps), unassigned, overdue_total

    @property
    def advisors(self) -> list[AdvisorRow]:
        """The advisor rows, by team and name, with their loads, deadlines and cases per step."""
        self._counted  # noqa: B018 (sets the rows' counts)
        return self._sorted_rows

    @property
    def unassigned_steps(self) -> dict[int | None, int]:
        """The open cases without an advisor of their team, per step (awaiting distribution, or moved here)."""
        return self._counted[0]

    @property
    def unassigned_deadlines(self) -> DueCounts:
        return self._counted[1]

    @property
    def overdue_total(self) -> int:
        return self._counted[2]

    @cached_property
    def awaiting_advisor(self) -> int:
        return next(iter(_awaiting_count(user=self.user, teams=tuple(sorted(self.team_ids)))), 0)

    @property
    def step_keys(self) -> list[int | None]:
        return [None, *[s.number for s in self.steps]]

    def step_total(self, key) -> int:
        return sum(a.steps.get(key, 0) for a in self.advisors) + self.unassigned_steps.get(key, 0)

    @property
    def step_totals(self) -> list[int]:
        return [self.step_total(k) for k in self.step_keys]

    @property
    def unassigned_step_counts(self) -> list[int] | None:
        if not self.unassigned_steps:
            return None
        return [self.unassigned_steps.get(k, 0) for k in self.step_keys]

    # --- The sections (TEAM_SECTIONS) ------------------------------------------------------------

    @cached_property
    def movements(self) -> dict[tuple[int, int | None], tuple[int, int, int]]:
        """The movements in the window (down, up, first) per current team and advisor of the case,
        set on the advisor rows too."""
        counts = _team_movements(
            LadderMovement.objects.visible_to(self.user, teams=self.team_ids), self.window
        )
        for (team_id, advisor_id), (down, up, first) in counts.items():
            for row in self.rows_of(team_id, advisor_id):
                row.down, row.up, row.first = down, up, first
        return counts

    @property
    def movement_rows(self) -> list[AdvisorRow]:
        """The advisor rows with their movements in the window."""
        self.movements  # noqa: B018 (sets the rows' movements)
        return self._sorted_rows

    @property
    def movement_totals(self) -> tuple[int, int, int]:
        rows = self.movement_rows
        return (sum(a.down for a in rows), sum(a.up for a in rows), sum(a.first for a in rows))

    @cached_property
    def cohort(self) -> Cohort | None:
        # The teams' cases the person may read, open and closed.
        cases = Case.objects.visible_to(self.user, teams=self.team_ids)
        return step_down_cohort(cases, self.institution_steps, today=self.today, target=self.target)

    @cached_property
    def placements(self) -> Placements:
        return institution_placements(
            self.cases, self.institution_steps, today=self.today, target=self.target, people=self.people
        )

    @cached_property
    def unheard(self) -> Unheard:
        """The measures started in the window without the child's hearing recorded (docs/domain.md §4)."""
        return unheard_measures(self.user, team_ids=self.team_ids, window=self.window)

    @cached_property
    def recency(self) -> Recency:
        return followup_recency(self.user, self.team_ids, today=self.today, people=self.people)

    @cached_property
    def overdue(self) -> list[Deadline]:
        return _overdue_listed(self.deadlines, now=self.now, people=self.people)

    @cached_property
    def exceptions(self) -> list[FollowUpException]:
        return pending_exceptions_for(self.user, teams=self.team_ids)

    @cached_property
    def later_dates(self) -> list[FollowUp]:
        return pending_later_dates_for(self.user, teams=self.team_ids)

    @cached_property
    def pending(self) -> list[PendingRequest]:
        """The later dates and exceptions awaiting the team leader, in one list to decide in place."""
        return pending_requests(self.exceptions, self.later_dates)

    @cached_property
    def _override_rows(self):
        return _overrides_since(self.user, self.team_ids, self.window.start_moment)

    @cached_property
    def override_count(self) -> int:
        rows = _override_count(
            user=self.user, teams=tuple(sorted(self.team_ids)), since=self.window.start_moment
        )
        return next(iter(rows), 0)

    @cached_property
    def overrides(self) -> list[CaseloadOverride]:
        return _overrides(self._override_rows)

    def shown_case_ids(self, section: str) -> set[int]:
        """The cases whose child ``section`` names, for the access log: the placements, the
        measures without the hearing, the follow-up recency, the overdue deadlines, the requests
        and the overrides. The first screen and the movements name none."""
        named = {
            "institution": lambda: (p.case.pk for p in self.placements.listed),
            "uden-partshoering": lambda: (m.case_id for m in self.unheard.listed),
            "opfoelgning": lambda: (r.case_id for r in self.recency.listed),
            "overskredne": lambda: (d.case_id for d in self.overdue if d.case_id),
            "anmodninger": lambda: (p.item.measure.case_id for p in self.pending),
            "loftet": lambda: (o.case_id for o in self.overrides),
        }
        return set(named[section]()) if section in named else set()


def team_overview(user, *, teams: list[Team], window: Window, now: datetime.datetime) -> TeamOverview:
    """The team leader's overview of ``teams`` (teams they lead), read part by part as it is shown."""
    return TeamOverview(user, teams=teams, window=window, now=now)


# What the deadline table (followups/_deadline_table.html) shows of an overdue deadline and its child.
DEADLINE_LISTED_FIELDS = (
    "kind",
    "source_id",
    "case",
    "responsible",
    "due_on",
    "due_at",
    "statutory",
    "rule",
    "explanation",
    "explanation_en",
    "case__child",
    "case__child__first_name",
    "case__child__last_name",
)


def _overrides(rows) -> list[CaseloadOverride]:
    """The overrides of the cap among ``rows``, the latest first. They are rare: their ids are read
    first, and the records with the people and the child only when there are any (a join of five
    tables costs PostgreSQL more to plan than an empty list costs to read)."""
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return []
    return list(
        CaseloadOverride.objects.for_system()
        .filter(pk__in=ids)
        .select_related("advisor", "decided_by", "team", "case__child")
        .order_by("-decided_at", "-pk")
    )


def _direction_counts():
    """Movements down the ladder (to a lower step, or off it), up (from a step to a higher one) and
    first measures (from "under afklaring" onto a step), counted in SQL."""
    from_number = F("from_step__number")
    return {
        "down": Count(
            "pk",
            filter=Q(from_step__isnull=False)
            & (Q(to_step__isnull=True) | Q(to_step__number__lt=from_number)),
        ),
        "up": Count("pk", filter=Q(from_step__isnull=False, to_step__number__gt=from_number)),
        "first": Count("pk", filter=Q(from_step__isnull=True, to_step__isnull=False)),
    }


def _direction(from_number: int | None, to_number: int | None) -> str | None:
    """A movement's direction as ``_direction_counts`` counts it (a step's number, None off it)."""
    if from_number is None:
        return "first" if to_number is not None else None
    if to_number is None or to_number < from_number:
        return "down"
    return "up" if to_number > from_number else None


def _team_movements(readable, window: Window) -> dict[tuple[int, int | None], tuple[int, int, int]]:
    """The ``readable`` movements (of the cases the person may read) in ``window`` (down, up,
    first) per current team and advisor of the case: one read of the window's movements, counted
    here by ``_direction``."""
    moves = readable.filter(date__gte=window.start, date__lte=window.end).values_list(
        "from_step__number", "to_step__number", "case__team_id", "case__advisor_id"
    )
    counts: dict[tuple[int, int | None], list[int]] = {}
    places = {"down": 0, "up": 1, "first": 2}
    for from_number, to_number, team_id, advisor_id in moves.order_by():
        direction = _direction(from_number, to_number)
        if direction:
            counts.setdefault((team_id, advisor_id), [0, 0, 0])[places[direction]] += 1
    return {key: tuple(n) for key, n in counts.items()}


class People:
    """The people the overview names, by id: the teams' advisors, read once with the loads, and
    whoever else a listed case names (an advisor who has left the team), read in one query."""

    def __init__(self, known):
        self.by_id: dict[int, User] = {u.pk: u for u in known}

    def add(self, ids) -> None:
        missing = {i for i in ids if i is not None and i not in self.by_id}
        if missing:
            for user in User.objects.filter(pk__in=missing).only("first_name", "last_name", "username"):
                self.by_id[user.pk] = user

    def get(self, pk: int | None) -> User | None:
        return self.by_id.get(pk) if pk is not None else None


CASE_ROW_FIELDS = ("pk", "child__first_name", "child__last_name", "advisor_id", "current_step__number")


def _case_row(values, people: People) -> CaseRow:
    pk, first_name, last_name, advisor_id, step = values
    return CaseRow(pk, f"{first_name} {last_name}".strip(), people.get(advisor_id), step)


def case_rows(cases, people: People) -> dict[int, CaseRow]:
    """``cases`` as rows for a list, by id: one query, and one more for people not yet known."""
    values = list(cases.order_by().values_list(*CASE_ROW_FIELDS))
    people.add(row[3] for row in values)
    return {row[0]: _case_row(row, people) for row in values}


@dataclass
class Recency:
    """Days since the last follow-up, per measure: the children listed (the oldest overdue deadline
    first, then the longest without a follow-up), how many there are, and each (team, advisor)'s
    longest."""

    listed: list[ChildRecency]
    total: int
    longest: dict[tuple[int, int | None], int]


@kept(bound=("today",), keyed={"user": person_state})
def _recency_rows(*, user, teams: tuple[int, ...], today: datetime.date):
    # Compiled once per person, choice of teams and process (herning.core.statements), the day bound.
    latest = (
        FollowUp.objects.for_system()
        .filter(measure=OuterRef("pk"))
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    return (
        team_measures(user, list(teams))
        .filter(start_date__lte=today, next_followup_due__isnull=False)
        .filter(Q(actual_end__isnull=True) | Q(actual_end__gte=today))
        .order_by()
        # The latest follow-up read backwards from the (measure, held_on) index, one row per
        # measure: no join of every follow-up to group again.
        .annotate(last_followup=Subquery(latest))
        .values_list(
            "pk",
            "case_id",
            "case__team_id",
            "case__advisor_id",
            "measure_type__name",
            "measure_type__name_en",
            "start_date",
            "next_followup_due",
            "last_followup",
        )
    )


def followup_recency(
    user, team_ids: list[int], *, today: datetime.date, people: People, listed: int = RECENCY_LISTED
) -> Recency:
    """The active measures of the teams' open cases ``user`` may read (``team_measures``) that have
    follow-ups due (a rule or the law; early preventive support under § 11 has none), each with the
    day of its own latest follow-up, grouped by child. One query reads every measure as a row of
    values, whatever the number of children; one more reads the listed children's case rows.

    A team has some 300 such measures and only the ``listed`` worst children are shown: every
    child is ranked from plain values (``worst_first``), and the records are built for the listed
    ones alone."""
    rows = _recency_rows(user=user, teams=tuple(sorted(team_ids)), today=today)
    # Per child (case): [owner, oldest overdue deadline or None, most days without, its rows].
    children: dict[int, list] = {}
    for row in rows:
        _pk, case_id, team_id, advisor_id, _name, _name_en, start, next_due, last = row
        days = days_without(today, last, start)
        child = children.get(case_id)
        if child is None:
            child = children[case_id] = [(team_id, advisor_id), None, days, []]
        elif days > child[2]:
            child[2] = days
        if is_overdue(next_due, today) and (child[1] is None or next_due < child[1]):
            child[1] = next_due
        child[3].append(row)
    ordered = sorted(children.items(), key=lambda item: worst_first(item[1][1], item[1][2], item[0]))
    longest: dict[tuple[int, int | None], int] = {}
    for _case_id, (owner, _oldest, days, _rows) in ordered:
        if days > longest.get(owner, -1):
            longest[owner] = days
    english = get_language() == "en"
    top = []
    for case_id, (owner, _oldest, _days, measure_rows) in ordered[:listed]:
        child = ChildRecency(case_id, owner, [])
        for pk, _case, _team, _advisor, name, name_en, start, next_due, last in measure_rows:
            name = name_en if english and name_en else name
            child.measures.append(MeasureRecency(pk, name, start, last, next_due, today))
        child.measures.sort(key=lambda m: m.sort_key)
        top.append(child)
    # The ids come from ``measures``, read through ``visible_to``: the rows are read by id alone.
    cases = case_rows(Case.objects.for_system().filter(pk__in=[c.case_id for c in top]), people)
    for child in top:
        child.case = cases[child.case_id]
    return Recency(listed=top, total=len(ordered), longest=longest)


def _on_institution_step(cases, institution_steps: list[int]):
    """``cases`` on an institution step, each with ``since``: the day of its latest move onto its
    current step (the case's opening when no move is recorded)."""
    arrived = (
        LadderMovement.objects.for_system()
        .filter(case=OuterRef("pk"), to_step=OuterRef("current_step"))
        .order_by("-date", "-pk")
        .values("date")[:1]
    )
    return cases.filter(current_step__in=institution_steps).annotate(
        since=Coalesce(Subquery(arrived), F("opened_on"))
    )


def _beyond(target: StepDownTarget | None, today: datetime.date) -> Q:
    """On the step since the target's months or more (nothing, without a target)."""
    if target is None:
        return Q(pk__in=[])
    return Q(since__lte=today - relativedelta(months=target.months))


def institution_placements(
    cases,
    institution_steps: list[int],
    *,
    today: datetime.date,
    target: StepDownTarget | None,
    people: People,
    listed: int = PLACEMENTS_LISTED,
) -> Placements:
    """The children on an institution step now, the longest there first: how many, how many have
    been there the target's months or more, and the first ``listed``."""
    if not institution_steps:
        return Placements([], 0, 0)
    # A team's children on an institution step are a few dozen: every one is read as one row of
    # values (counted here), and the case rows of the listed ones are built from the same rows.
    placed = list(
        _on_institution_step(cases, institution_steps)
        .order_by("since", "pk")
        .values_list("since", *CASE_ROW_FIELDS)
    )
    months = target.months if target else None
    people.add(values[3] for _since, *values in placed[:listed])
    listed_rows = [
        Placement(_case_row(values, people), since, today, months) for since, *values in placed[:listed]
    ]
    beyond = 0
    if target is not None:
        limit = today - relativedelta(months=target.months)
        beyond = sum(1 for since, *_values in placed if since <= limit)
    return Placements(listed=listed_rows, total=len(placed), beyond_target=beyond)


def step_down_cohort(
    cases, institution_steps: list[int], *, today: datetime.date, target: StepDownTarget | None
) -> Cohort | None:
    """Of the children who came onto an institution step in the twelve months that ended the
    target's months ago, how many moved to a lower step within those months (Hvidovre's target,
    Hvidovre Kommune 2014, "Lige muligheder"). Read from the ladder movements of ``cases`` (open and closed)."""
    if target is None or not institution_steps:
        return None
    start, end = _cohort_period(target, today)
    moves = (
        LadderMovement.objects.for_system()
        .filter(case__in=cases, date__gte=start)
        .filter(Q(to_step__in=institution_steps) | Q(from_step__in=institution_steps))
        .order_by("case_id", "date", "pk")
        .values_list("case_id", "date", "from_step_id", "to_step_id", "from_step__number", "to_step__number")
    )
    return _count_cohort(moves, institution_steps, start=start, end=end, months=target.months)


def _cohort_period(target: StepDownTarget, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve months of arrivals that ended the target's months ago."""
    end = today - relativedelta(months=target.months)
    return end - relativedelta(years=1) + datetime.timedelta(days=1), end


def _count_cohort(moves, institution_steps, *, start, end, months: int) -> Cohort:
    """Count the cohort from ``moves`` (case, day, from step, to step, their numbers), in the order
    of case, day and record; moves that touch no institution step are passed over."""
    entered = stepped_down = 0
    entry: dict[int, datetime.date] = {}
    counted: set[int] = set()
    for case_id, day, from_id, to_id, from_number, to_number in moves:
        if to_id not in institution_steps and from_id not in institution_steps:
            continue
        if to_id in institution_steps and from_id not in institution_steps:
            if start <= day <= end and case_id not in counted:
                entry[case_id] = day
                counted.add(case_id)
                entered += 1
        elif case_id in entry and from_id in institution_steps and (to_number or 0) < (from_number or 0):
            if day <= entry[case_id] + relativedelta(months=months):
                stepped_down += 1
            del entry[case_id]
    return Cohort(start=start, end=end, entered=entered, stepped_down=stepped_down)


# --- Management: caseload and deadlines across teams, aggregated ---------------------------------


@dataclass
class TeamFigures:
    """One team's aggregates: no person is named or can be told apart."""

    team: Team
    advisors: int = 0
    open_cases: int = 0
    without_advisor: int = 0
    loads: list[int] = field(default_factory=list)
    overdue: int = 0
    overdue_statutory: int = 0
    coming: int = 0
    overrides: int = 0
    down: int = 0
    up: int = 0
    first: int = 0
    transfers_in: int = 0
    transfers_out: int = 0
    placed: int = 0
    placed_beyond_target: int = 0

    @property
    def average_load(self) -> float | None:
        return sum(self.loads) / len(self.loads) if self.loads else None

    def advisors_at_level(self, *levels: str) -> int:
        return sum(
            1
            for n in self.loads
            if level(n, warning=self.team.caseload_warning, cap=self.team.caseload_cap) in levels
        )


@dataclass
class ManagementOverview:
    teams: list[TeamFigures]
    window: Window
    target: StepDownTarget | None
    cohort: Cohort | None


def _count_team_events(figures: dict[int, TeamFigures], team_ids: list[int], window: Window) -> None:
    """The overrides, ladder movements and moves between districts of each team in the window."""
    for team_id, n in (
        CaseloadOverride.objects.for_figures()
        .filter(team__in=team_ids, decided_at__gte=window.start_moment)
        .order_by()
        .values_list("team_id")
        .annotate(n=Count("pk"))
    ):
        figures[team_id].overrides = n

    for team_id, down, up, first in (
        LadderMovement.objects.for_figures()
        .filter(date__range=(window.start, window.end), case__team__in=team_ids)
        .order_by()
        .values_list("case__team_id")
        .annotate(**_direction_counts())
    ):
        figures[team_id].down, figures[team_id].up, figures[team_id].first = down, up, first

    transfers = (
        CaseTransfer.objects.for_figures()
        .filter(transferred_on__range=(window.start, window.end))
        .filter(Q(to_team__in=team_ids) | Q(from_team__in=team_ids))
    )
    for from_id, to_id in transfers.values_list("from_team_id", "to_team_id"):
        if from_id in figures:
            figures[from_id].transfers_out += 1
        if to_id in figures:
            figures[to_id].transfers_in += 1


def management_overview(
    *, municipality_id: int, teams: list[Team], window: Window, now: datetime.datetime
) -> ManagementOverview:
    """Per team of ``teams`` (of the municipality): advisors and their loads against the cap, open
    cases, deadlines, overrides, movements, moves between districts and institution placements;
    and the institution cohort against the target, for all of them."""
    today = timezone.localdate(now)
    figures = {t.pk: TeamFigures(team=t) for t in teams}
    team_ids = list(figures)
    advisors_by_team = team_advisor_choices(teams=teams)
    loads = open_case_counts(a.pk for advisors in advisors_by_team.values() for a in advisors)
    for team_id, advisors in advisors_by_team.items():
        figures[team_id].advisors = len(advisors)
        figures[team_id].loads = [loads[a.pk] for a in advisors]

    cases = Case.objects.for_figures().open().filter(municipality_id=municipality_id, team__in=team_ids)
    for team_id, total, without in (
        cases.order_by()
        .values_list("team_id")
        .annotate(total=Count("pk"), without=Count("pk", filter=Q(advisor__isnull=True)))
    ):
        figures[team_id].open_cases, figures[team_id].without_advisor = total, without

    horizon = today + datetime.timedelta(days=COMING_DAYS)
    for team_id, overdue, statutory, coming in (
        Deadline.objects.for_figures()
        .filter(municipality_id=municipality_id, is_open=True, team__in=team_ids)
        .order_by()
        .values_list("team_id")
        .annotate(
            overdue=Count("pk", filter=Q(due_at__lte=now)),
            statutory=Count("pk", filter=Q(due_at__lte=now, statutory=True)),
            coming=Count("pk", filter=Q(due_at__gt=now, due_on__lte=horizon)),
        )
    ):
        figures[team_id].overdue, figures[team_id].overdue_statutory = overdue, statutory
        figures[team_id].coming = coming

    _count_team_events(figures, team_ids, window)

    steps = ladder_steps()
    target = target_for(municipality_id)
    institution_steps = [s.pk for s in steps if s.institution]
    if institution_steps:
        for team_id, placed, beyond in (
            _on_institution_step(cases, institution_steps)
            .order_by()
            .values_list("team_id")
            .annotate(placed=Count("pk"), beyond=Count("pk", filter=_beyond(target, today)))
        ):
            figures[team_id].placed, figures[team_id].placed_beyond_target = placed, beyond
    return ManagementOverview(
        teams=[figures[t.pk] for t in teams],
        window=window,
        target=target,
        cohort=step_down_cohort(
            Case.objects.for_figures().filter(municipality_id=municipality_id, team__in=team_ids),
            institution_steps,
            today=today,
            target=target,
        ),
    )
