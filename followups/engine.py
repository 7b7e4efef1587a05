"""The schedule engine: when follow-ups of a measure fall due, and why.

Pure functions on plain data: no database, no Django settings, no clock. The caller passes a rule
(``Rule``), the measure's start date, the follow-ups held so far and "today"; the engine returns
each due date with its kind (``municipal`` or ``statutory``), the rule that produced it and a
one-sentence explanation in Danish and English.

Three independent chains run side by side (docs/domain.md §3):

* the municipality's own rule (``municipal``): milestones fixed from the start (4 weeks, 3 months,
  …), a recurring interval counted from the previous follow-up with phases (every 6 weeks in the
  first year, then every 3 months) or from the start ("at 3, 6, 9 months and so on": start + n
  months, docs/deadlines.md), and an end of the programme (MST at 5 months);
* the legal floor (``statutory``): Serviceloven § 70 for the follow-ups falling before 1 January
  2024, Barnets Lov § 95 for those falling on or after it, whenever the measure started
  (``herning.core.law``; docs/deadlines.md, "Which law applies"); kept only by a follow-up with a
  child conversation or without one for the law's reasons (docs/deadlines.md, "What keeps a legal
  deadline");
* for placements, the supervisory visits with a conversation with the child (SEL § 148, stk. 3 /
  BL § 156, stk. 5), also ``statutory``, kept only by a visit in person with the child spoken to.

Weeks are 7 days and months are calendar months (31 January + 1 month = 28/29 February, by
``dateutil.relativedelta``). Everything is a ``datetime.date`` in Danish local time: the engine
never sees a clock time, so a change to or from daylight saving time cannot move a date.

When nothing has been held yet, each follow-up is assumed to be held on its due date; once one
has been held, the next date counts from the day it was actually held. A follow-up that is
overdue is assumed to be held today, so only the oldest missed follow-up shows as overdue.

How the municipal chain reads a rule: the next follow-up is the earlier of the next milestone and
the interval after the previous follow-up (so "first after 4 weeks, then every 3 months, a status
at 6 months" gives 4 weeks, 4 weeks + 3 months, 6 months, 9 months, …). A milestone that falls
less than half an interval after the interval's date is taken at that follow-up instead of days
later. Each follow-up held answers the next due date, early or late, and every milestone it passed;
several held on one day count as one. The legal chains count a deadline as met by the latest
follow-up held on or before it (or, late, by the first one after it).
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from typing import NamedTuple

from herning.core import law
from herning.core.dates import add_months, format_date

WEEKS = "weeks"
MONTHS = "months"
UNITS = (WEEKS, MONTHS)

MUNICIPAL = "municipal"
STATUTORY = "statutory"

# What a chain is about; the deadline table keeps one row per measure and obligation.
FOLLOWUP = "followup"  # the municipality's own rule
LEGAL_FOLLOWUP = "legal_followup"  # SEL § 70 / BL § 95
SUPERVISION = "supervision"  # SEL § 148, stk. 3 / BL § 156, stk. 5

MEETING, PHONE, MAIL = "meeting", "phone", "mail"
FORMS = (MEETING, PHONE, MAIL)
# A written status received from the provider (Herningmodellen 1.0, family treatment: "Ved 8
# måneder modtages der status fra familiecenteret"): a document to receive, not a meeting.
DOCUMENT = "document"

HELD, OVERDUE, DUE, UPCOMING = "held", "overdue", "due", "upcoming"

# The state of a next date agreed later than the municipal rule allows (``Held.later_state``).
LATER_REQUESTED, LATER_APPROVED, LATER_REFUSED = "requested", "approved", "refused"

# The months of the legal chains come from the regime in force on each due date
# (``herning.core.law``): SEL § 70 and BL § 95, stk. 2, the first follow-up at the latest 3 months
# after the start; SEL § 70, then at most 6 months apart; BL § 95, stk. 3, the cadence decided at
# the first follow-up under it, 6 months being the product's default until it is; two supervisory
# visits a year, read as at most 6 months between them. This is the default cadence of both
# regimes, for the forms that propose it.
LEGAL_DEFAULT_CADENCE = law.BARNETS_LOV.followup_cadence_months


@dataclass(frozen=True)
class Period:
    """A number of weeks (7 days each) or calendar months."""

    amount: int
    unit: str

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, not {self.unit!r}")
        if self.amount < 1:
            raise ValueError("a period is at least 1")

    @property
    def approximate_days(self) -> float:
        """For ordering periods only (a month is 30.44 days on average)."""
        return self.amount * (7 if self.unit == WEEKS else 30.436875)

    def after(self, day: datetime.date) -> datetime.date:
        if self.unit == WEEKS:
            return day + datetime.timedelta(weeks=self.amount)
        return add_months(day, self.amount)

    def describe(self, lang: str) -> str:
        """'2 uger', '1 måned', '3 months'."""
        if lang == "da":
            if self.unit == WEEKS:
                return f"{self.amount} uge" if self.amount == 1 else f"{self.amount} uger"
            return f"{self.amount} måned" if self.amount == 1 else f"{self.amount} måneder"
        noun = "week" if self.unit == WEEKS else "month"
        return f"{self.amount} {noun}" if self.amount == 1 else f"{self.amount} {noun}s"

    def every(self, lang: str) -> str:
        """'hver 6. uge', 'hver måned', 'every 3 months'."""
        if lang == "da":
            noun = "uge" if self.unit == WEEKS else "måned"
            return f"hver {noun}" if self.amount == 1 else f"hver {self.amount}. {noun}"
        noun = "week" if self.unit == WEEKS else "month"
        return f"every {noun}" if self.amount == 1 else f"every {self.amount} {noun}s"


@dataclass(frozen=True)
class Milestone:
    """A follow-up at a fixed distance from the start, with what it is for."""

    offset: Period
    purpose_da: str = ""
    purpose_en: str = ""
    # A written status the provider sends (docs/deadlines.md): received as a document, without a
    # conversation with the child.
    written_status: bool = False


@dataclass(frozen=True)
class Phase:
    """A recurring interval counted from the previous follow-up. It is in force while the previous
    follow-up lies before ``start + until`` (``until=None``: for the rest of the measure).

    ``from_start``: the interval is counted from the measure's start instead ("at 3, 6, 9 months
    and so on"): the next date is the first start + n × interval after the previous follow-up,
    so 31 August gives 31 May at 9 months, never a date drifted by chained month additions."""

    every: Period
    until: Period | None = None
    from_start: bool = False

    def next_from_start(self, start: datetime.date, after: datetime.date) -> tuple[datetime.date, Period]:
        """The first ``start + n × every`` (n ≥ 1) later than ``after``, and its offset."""
        amount = self.every.amount
        if self.every.unit == WEEKS:
            n = max((after - start).days // (7 * amount) + 1, 1)
        else:
            months = (after.year - start.year) * 12 + after.month - start.month
            n = max(months // amount, 1)
            while add_months(start, n * amount) <= after:
                n += 1
        offset = Period(n * amount, self.every.unit)
        return offset.after(start), offset


@dataclass(frozen=True)
class Rule:
    """A municipality's follow-up rule for one measure type, as plain data."""

    rule_set: str
    measure_da: str
    measure_en: str
    milestones: tuple[Milestone, ...] = ()
    phases: tuple[Phase, ...] = ()
    programme_end: Period | None = None
    child_conversation_required: bool = True
    allowed_forms: tuple[str, ...] = FORMS
    code: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.milestones or self.phases or self.programme_end)

    @cached_property
    def described(self) -> tuple[str, str]:
        """``describe_rule`` in Danish and English, kept on the rule itself. The sweep explains the
        dates of thousands of measures under the same few rules, and finding a rule in a cache
        hashes all of it, every phase and milestone, each time."""
        return describe_rule(self, "da"), describe_rule(self, "en")


class Held(NamedTuple):
    """A follow-up that was held, as the engine needs it (a tuple: the sweep makes a million)."""

    held_on: datetime.date
    next_agreed_on: datetime.date | None = None
    supervisory_visit: bool = False
    # Each follow-up holds a conversation with the child unless it says otherwise (docs/domain.md §3).
    child_conversation: bool = True
    # BL § 95, stk. 3: the cadence decided (normally at the first follow-up), in months.
    statutory_cadence_months: int | None = None
    form: str = MEETING
    # Why the child was not spoken to, when it is one of the law's reasons (``law.CONVERSATION_MAY_BE_LEFT_OUT``).
    no_conversation_ground: str = ""
    # A next date agreed later than the municipal rule allows is a request to the team leader
    # (Herningmodellen 1.0, "efter aftale med teamleder"; docs/deadlines.md): LATER_REQUESTED,
    # LATER_APPROVED or LATER_REFUSED, and who decided it when. Only an approved one moves the date.
    later_state: str = ""
    later_decided_by: str = ""
    later_decided_on: datetime.date | None = None


@dataclass(frozen=True)
class Relaxation:
    """An approved exception: from ``from_date`` the municipality's extra follow-ups may also take
    ``extra_forms`` and need a child conversation only if ``child_conversation_required``.

    It relaxes the municipal chain only; the legal chains never see it (docs/domain.md §3). With
    ``not_before_months`` it touches only follow-ups falling due that many months after the start,
    whatever ``from_date`` (the childhood exception leaves the first year's 6-weekly ones alone)."""

    label_da: str
    label_en: str
    from_date: datetime.date
    extra_forms: tuple[str, ...] = ()
    child_conversation_required: bool = True
    not_before_months: int = 0


@dataclass(frozen=True)
class LegalContext:
    """What the law needs to know about the measure."""

    applies: bool = True  # BL § 95, stk. 1 scope; not early support under § 11 / BL § 30
    placement: bool = False
    # The end (or expected end) of an investigation running alongside (BL § 95, stk. 2, nr. 1).
    investigation_end: datetime.date | None = None


class Due(NamedTuple):
    """One due date of a schedule (a tuple: cheap to make by the million)."""

    due_date: datetime.date
    kind: str  # MUNICIPAL or STATUTORY
    obligation: str  # FOLLOWUP, LEGAL_FOLLOWUP or SUPERVISION
    rule: str
    explanation_da: str
    explanation_en: str
    status: str  # HELD, OVERDUE, DUE or UPCOMING
    held_on: datetime.date | None = None
    purpose_da: str = ""
    purpose_en: str = ""
    allowed_forms: tuple[str, ...] = FORMS
    child_conversation_required: bool = True
    relaxed_by: str = ""
    programme_end: bool = False
    written_status: bool = False

    @property
    def on_time(self) -> bool | None:
        return None if self.held_on is None else self.held_on <= self.due_date

    def explanation(self, lang: str) -> str:
        return self.explanation_da if lang == "da" else self.explanation_en


@dataclass(frozen=True)
class Schedule:
    items: tuple[Due, ...] = field(default_factory=tuple)

    def chain(self, obligation: str) -> tuple[Due, ...]:
        return tuple(i for i in self.items if i.obligation == obligation)

    def next_pending(self, obligation: str | None = None) -> Due | None:
        """The first follow-up not yet held (of one chain, or of all: the one that binds first)."""
        if obligation is not None:
            return self.next_pending_by_obligation().get(obligation)
        pending = [i for i in self.items if i.status != HELD]
        return min(pending, key=lambda i: (i.due_date, i.kind != STATUTORY), default=None)

    def next_pending_by_obligation(self) -> dict[str, Due]:
        """The first follow-up not yet held of each chain (items are in date order)."""
        first: dict[str, Due] = {}
        for item in self.items:
            if item.status != HELD and item.obligation not in first:
                first[item.obligation] = item
        return first


# --- Describing rules -------------------------------------------------------------------------


def _join(parts: Sequence[str], lang: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    word = " og " if lang == "da" else " and "
    return ", ".join(parts[:-1]) + word + parts[-1]


@lru_cache(maxsize=1024)
def describe_rule(rule: Rule, lang: str) -> str:
    """The rule in words: 'første opfølgning efter 2 uger, derefter hver 6. uge'."""
    if rule.is_empty:
        return "ingen fast opfølgning" if lang == "da" else "no fixed follow-up"
    parts = []
    offsets = [m.offset.describe(lang) for m in rule.milestones]
    if len(offsets) == 1:
        parts.append(
            f"første opfølgning efter {offsets[0]}" if lang == "da" else f"first follow-up after {offsets[0]}"
        )
    elif offsets:
        parts.append(
            f"opfølgning efter {_join(offsets, lang)}"
            if lang == "da"
            else f"follow-up after {_join(offsets, lang)}"
        )
    phase_texts = []
    for n, phase in enumerate(rule.phases):
        text = phase.every.every(lang)
        if phase.from_start:
            text += " regnet fra start" if lang == "da" else " counted from the start"
        if phase.until is not None:
            if phase.until == Period(12, MONTHS) or phase.until == Period(52, WEEKS):
                text += " det første år" if lang == "da" else " during the first year"
            else:
                first = (
                    f" de første {phase.until.describe(lang)}"
                    if lang == "da"
                    else f" for the first {phase.until.describe(lang)}"
                )
                text += first
        if n > 0:
            text = ("så " if lang == "da" else "then ") + text
        phase_texts.append(text)
    if phase_texts:
        lead = (
            ("derefter " if lang == "da" else "then ")
            if parts
            else ("opfølgning " if lang == "da" else "follow-up ")
        )
        parts.append(lead + ", ".join(phase_texts))
    if rule.programme_end:
        end = rule.programme_end.describe(lang)
        parts.append(f"forløbet afsluttes efter {end}" if lang == "da" else f"the programme ends after {end}")
    return ", ".join(parts)


# --- The municipal chain ----------------------------------------------------------------------


@dataclass
class _Walk:
    """Follow-ups held, consumed in date order by the chains that walk them."""

    held: tuple[Held, ...]
    today: datetime.date
    index: int = 0

    def take(self) -> Held | None:
        """The next follow-up held; several held on one day count as one (the last recorded)."""
        if self.index >= len(self.held):
            return None
        taken = self.held[self.index]
        self.index += 1
        while self.index < len(self.held) and self.held[self.index].held_on == taken.held_on:
            taken = self.held[self.index]
            self.index += 1
        return taken


def status_on(due: datetime.date, today: datetime.date) -> str:
    """A due date not held: overdue after its day, due on it, upcoming before."""
    return OVERDUE if due < today else DUE if due == today else UPCOMING


def _relaxation_for(
    due: datetime.date, relaxations: Sequence[Relaxation], start: datetime.date
) -> Relaxation | None:
    applicable = [
        r
        for r in relaxations
        if r.from_date <= due and (not r.not_before_months or due >= add_months(start, r.not_before_months))
    ]
    return applicable[-1] if applicable else None


def _with_agreed(previous: Held, due, milestone, why) -> tuple:
    """The date agreed at the previous follow-up against the rule's ``due``: one on or before the
    rule's date stands; a later one only once the team leader approved it, else the rule's date
    stands (docs/deadlines.md, "Agreed dates")."""
    agreed = previous.next_agreed_on
    if due is None or agreed <= due:
        return agreed, None, ("agreed", previous.held_on, None)
    if previous.later_state == LATER_APPROVED:
        approval = (previous.later_decided_by, previous.later_decided_on)
        return agreed, None, ("agreed", previous.held_on, approval)
    return due, milestone, ("not_later", why, agreed, previous.later_state)


def _municipal_reason(why: tuple, lang: str) -> str:
    """Why a municipal follow-up falls due when it does, in words."""
    da = lang == "da"
    kind = why[0]
    if kind == "agreed":
        anchor = format_date(why[1], lang)
        if why[2] is not None:
            who, day = why[2][0], format_date(why[2][1], lang) if why[2][1] else ""
            return (
                f"udsat efter aftale, godkendt af {who} {day} (aftalt ved opfølgningen {anchor})"
                if da
                else f"postponed by agreement, approved by {who} on {day} (agreed at the follow-up on {anchor})"
            )
        return f"aftalt ved opfølgningen {anchor}" if da else f"agreed at the follow-up on {anchor}"
    if kind == "not_later":
        _kind, rule_why, agreed, state = why
        day = format_date(agreed, lang)
        if state == LATER_REFUSED:
            note = (
                f"den aftalte senere dato {day} er afvist af teamlederen"
                if da
                else f"the later date agreed, {day}, was refused by the team leader"
            )
        else:
            note = (
                f"den aftalte senere dato {day} afventer teamlederens godkendelse"
                if da
                else f"the later date agreed, {day}, awaits the team leader's approval"
            )
        return f"{_municipal_reason(rule_why, lang)}; {note}"
    if kind == "end":
        period = why[1].describe(lang)
        return (
            f"forløbet afsluttes {period} efter start"
            if da
            else f"the programme ends {period} after the start"
        )
    if kind == "milestone":
        text, merged = "", why[1]
    elif kind == "offset":
        _kind, every, offset, merged = why
        text = (
            f"{offset.describe(lang)} efter start ({every.every(lang)} regnet fra start)"
            if da
            else f"{offset.describe(lang)} after the start ({every.every(lang)} counted from the start)"
        )
    else:
        _kind, every, anchor, anchor_state, merged = why
        interval = every.describe(lang)
        if anchor_state == "start":
            text = f"{interval} efter start" if da else f"{interval} after the start"
        elif anchor_state == "held":
            text = (
                f"{interval} efter opfølgningen {format_date(anchor, lang)}"
                if da
                else f"{interval} after the follow-up on {format_date(anchor, lang)}"
            )
        else:
            text = (
                f"{interval} efter forrige frist {format_date(anchor, lang)}"
                if da
                else f"{interval} after the previous due date {format_date(anchor, lang)}"
            )
    if merged is not None:
        offset = merged.offset.describe(lang)
        if text:
            text += f"; samtidig {offset} efter start" if da else f"; also {offset} after the start"
        else:
            text = f"{offset} efter start" if da else f"{offset} after the start"
        purpose = merged.purpose_da if da else merged.purpose_en
        if purpose:
            text += f": {purpose}"
    return text


def _recurring(
    phase: Phase | None, start: datetime.date, anchor: datetime.date, answered: datetime.date
) -> tuple[datetime.date | None, Period | None]:
    """The phase's next date after the previous follow-up (``anchor``), and its offset from the
    start when the phase counts from the start: then it is the first start + n × interval after
    the previous follow-up and after the date that one answered (docs/deadlines.md)."""
    if phase is None:
        return None, None
    if phase.from_start:
        return phase.next_from_start(start, max(anchor, answered))
    return phase.every.after(anchor), None


def _intro(rule: Rule, start: datetime.date, lang: str) -> str:
    if lang == "da":
        return f"{rule.measure_da} startede {format_date(start, 'da')}; regel: {rule.described[0]} ({rule.rule_set})"
    return (
        f"{rule.measure_en} started {format_date(start, 'en')}; rule: {rule.described[1]} ({rule.rule_set})"
    )


def _municipal(
    rule: Rule,
    start: datetime.date,
    held: tuple[Held, ...],
    today: datetime.date,
    end: datetime.date | None,
    until: datetime.date | None,
    relaxations: Sequence[Relaxation],
    explain_held: bool,
) -> list[Due]:
    items: list[Due] = []
    if rule.is_empty:
        return items
    milestones = sorted(((m.offset.after(start), m) for m in rule.milestones), key=lambda x: x[0])
    # Each phase with the day it stops being in force: the phase in force is the first whose
    # boundary the previous follow-up has not reached.
    phases = [(p, p.until.after(start) if p.until else None) for p in rule.phases]
    programme_end = rule.programme_end.after(start) if rule.programme_end else None
    walk = _Walk(held, today)
    anchor, anchor_held, agreed = start, False, None
    answered = start  # the due date the previous follow-up answered
    pending_seen = False
    while True:
        # The rule's next follow-up: the earlier of the next milestone and the recurring interval
        # from the previous follow-up; a date agreed at the previous one within it replaces it.
        milestone_due, milestone = milestones[0] if milestones else (None, None)
        phase = next((p for p, bound in phases if bound is None or anchor < bound), None)
        recurring, offset = _recurring(phase, start, anchor, answered)
        why = None
        if milestone_due is not None and (recurring is None or milestone_due <= recurring):
            due, why = milestone_due, ("milestone", milestone)
        elif recurring is not None:
            due = recurring
            # A milestone just after this date (closer than half an interval, e.g. 6 months from
            # 31 January is 31 July, the day after 30 April + 3 months) is taken at this
            # follow-up rather than the next day; taking it early never stretches an interval.
            if milestone_due is None or (milestone_due - recurring) * 2 >= (recurring - anchor):
                milestone = None
            state = "held" if anchor_held else ("start" if anchor == start else "assumed")
            if offset is not None:
                why = ("offset", phase.every, offset, milestone)
            else:
                why = ("recurring", phase.every, anchor, state, milestone)
        else:
            due, milestone = None, None
        if agreed is not None:
            due, milestone, why = _with_agreed(agreed, due, milestone, why)
        is_end = programme_end is not None and (due is None or due >= programme_end)
        if is_end:
            due, milestone, why = programme_end, None, ("end", rule.programme_end)
        if due is None or (end is not None and due > end):
            break
        if pending_seen and (until is None or due > until):
            break
        taken = walk.take()
        relaxation = _relaxation_for(due, relaxations, start)
        forms = rule.allowed_forms
        conversation = rule.child_conversation_required
        if relaxation is not None:
            forms = tuple(f for f in FORMS if f in forms or f in relaxation.extra_forms)
            conversation = conversation and relaxation.child_conversation_required
        written = milestone is not None and milestone.written_status and due == milestone_due
        if written:
            # A written status from the provider: a document to receive, no child conversation.
            forms, conversation = (DOCUMENT,), False
        if taken is not None:
            status, held_on = HELD, taken.held_on
        else:
            status, held_on = status_on(due, today), None
            pending_seen = True
        explain = explain_held or taken is None
        items.append(
            Due(
                due_date=due,
                kind=MUNICIPAL,
                obligation=FOLLOWUP,
                rule=rule.rule_set,
                explanation_da=f"{_intro(rule, start, 'da')}; {_municipal_reason(why, 'da')}."
                if explain
                else "",
                explanation_en=f"{_intro(rule, start, 'en')}; {_municipal_reason(why, 'en')}."
                if explain
                else "",
                status=status,
                held_on=held_on,
                purpose_da=milestone.purpose_da if milestone else "",
                purpose_en=milestone.purpose_en if milestone else "",
                allowed_forms=forms,
                child_conversation_required=conversation,
                relaxed_by=relaxation.label_da if relaxation else "",
                programme_end=is_end,
                written_status=written,
            )
        )
        if is_end:
            break
        # The next one counts from the day this one was held; an overdue one is assumed held today,
        # a coming one on its due date.
        if taken is not None:
            anchor, anchor_held = taken.held_on, True
            agreed = taken if taken.next_agreed_on is not None else None
        else:
            anchor, anchor_held, agreed = max(due, today), False, None
        answered = due
        # The milestone this follow-up answered, and any it passed, are done.
        milestones = [(d, m) for d, m in milestones if d > anchor and m is not milestone]
    return items


# --- The legal floor --------------------------------------------------------------------------


def counts_for_legal_followup(held: Held) -> bool:
    """A follow-up keeps the legal follow-up (SEL § 70 / Barnets Lov § 95) only when the child was
    spoken to, or the conversation was left out for one of the law's own reasons (the child's
    maturity or the nature of the case, ``law.CONVERSATION_MAY_BE_LEFT_OUT``). No approved exception
    relaxes a legal item: exceptions only relax the municipality's extra follow-ups."""
    return held.child_conversation or held.no_conversation_ground in law.CONVERSATION_MAY_BE_LEFT_OUT


def counts_as_supervisory_visit(held: Held) -> bool:
    """SEL § 148, stk. 3 / Barnets Lov § 156, stk. 5: a visit to where the child is placed, with a
    conversation with the child. A follow-up by phone or mail ticked as a visit (old data) is not one."""
    return held.supervisory_visit and held.form == MEETING and held.child_conversation


def decides_cadence(held_days: Sequence[datetime.date], day: datetime.date) -> bool:
    """Barnets Lov § 95, stk. 3: whether a follow-up held on ``day`` is the first under a regime
    that decides the cadence at the first follow-up (a measure begun under Serviceloven decides it
    at its first follow-up held under Barnets Lov), given the days of the follow-ups held before."""
    return law.regime_on(day).cadence_decided_at_first_followup and not any(
        law.regime_on(d).cadence_decided_at_first_followup for d in held_days if d <= day
    )


def _cadence_decisions(held: tuple[Held, ...]) -> tuple[list[datetime.date], list[int]]:
    """Barnets Lov § 95, stk. 3: the cadences decided, by the day of the follow-up that decided
    them (a number recorded at a follow-up held under Serviceloven decided nothing)."""
    days, months = [], []
    for h in held:
        if h.statutory_cadence_months and law.regime_on(h.held_on).cadence_decided_at_first_followup:
            days.append(h.held_on)
            months.append(h.statutory_cadence_months)
    return days, months


def _decided_cadence(decisions: tuple[list[datetime.date], list[int]], anchor: datetime.date) -> int | None:
    """The cadence decided at the latest follow-up on or before ``anchor``."""
    days, months = decisions
    at = bisect_right(days, anchor)
    return months[at - 1] if at else None


def _after(anchor: datetime.date, months_under) -> tuple[datetime.date, law.Regime]:
    """The date ``months_under(regime)`` after ``anchor``, under the regime in force on that date
    (docs/deadlines.md, "Which law applies": an obligation follows the law of the day it falls
    on). Counted first under the regime of ``anchor``; a date that falls under the next regime is
    counted again under it, unless that would bring it back before the new regime began."""
    regime = law.regime_on(anchor)
    due = add_months(anchor, months_under(regime))
    later = law.regime_on(due)
    if later is not regime:
        again = add_months(anchor, months_under(later))
        if law.regime_on(again) is later:
            return again, later
        return due, later
    return due, regime


def _legal_chain(
    *,
    obligation: str,
    held: tuple[Held, ...],
    today: datetime.date,
    end: datetime.date | None,
    until: datetime.date | None,
    first,
    step,
    intro: tuple[str, str],
    explain_held: bool,
    allowed_forms: tuple[str, ...] = FORMS,
) -> list[Due]:
    """A chain with a deadline "at the latest": a follow-up held on or before the due date meets
    it (the latest such one counts), else the first one held after it meets it late. ``held`` are
    only the follow-ups that count for this chain. ``first`` is ``(due, rule, reason)`` and
    ``step(anchor, anchor_held)`` the same for the next date, each under the law of its date."""
    items: list[Due] = []
    due, rule, reason = first
    dates = [h.held_on for h in held]
    position = 0  # the follow-ups before it have met earlier due dates
    pending_seen = False
    while True:
        if end is not None and due > end:
            break
        if pending_seen and (until is None or due > until):
            break
        in_time = bisect_right(dates, due, lo=position)
        meeting_at = in_time - 1 if in_time > position else (position if position < len(held) else None)
        meeting = held[meeting_at] if meeting_at is not None else None
        reason_da, reason_en = reason() if explain_held or meeting is None else ("", "")
        items.append(
            Due(
                due_date=due,
                kind=STATUTORY,
                obligation=obligation,
                rule=rule,
                explanation_da=f"{intro[0]}; {reason_da}." if reason_da else "",
                explanation_en=f"{intro[1]}; {reason_en}." if reason_en else "",
                status=HELD if meeting else status_on(due, today),
                held_on=meeting.held_on if meeting else None,
                allowed_forms=allowed_forms,
                child_conversation_required=True,
            )
        )
        if meeting is None:
            pending_seen = True
            anchor, anchor_held = max(due, today), False
        else:
            anchor, anchor_held = meeting.held_on, True
            # Follow-ups held the same day as the one that met this date count as that one.
            position = bisect_right(dates, meeting.held_on, lo=meeting_at)
        due, rule, reason = step(anchor, anchor_held)
    return items


def _anchor_words(anchor: datetime.date, anchor_held: bool, visit: bool = False) -> tuple[str, str]:
    if anchor_held:
        da = "tilsynsbesøget" if visit else "opfølgningen"
        en = "the visit on" if visit else "the follow-up on"
    else:
        da, en = "forrige frist", "the previous due date"
    return f"{da} {format_date(anchor, 'da')}", f"{en} {format_date(anchor, 'en')}"


def _first_followup(start: datetime.date, legal: LegalContext):
    """SEL § 70 / Barnets Lov § 95, stk. 2: the first legal follow-up, under the law of its date."""
    months = law.regime_on(start).first_followup_months
    regime = law.regime_on(add_months(start, months))
    first, months = regime.first_followup, regime.first_followup_months
    three_months = add_months(start, months)
    end = legal.investigation_end
    if (
        regime.first_followup_at_investigation_end
        and end is not None
        and start <= end < three_months
        and law.regime_on(end).first_followup_at_investigation_end
    ):
        reason = (
            f"{first.citation}: første opfølgning ved afslutningen af den sideløbende undersøgelse "
            f"{format_date(end, 'da')}, før {months} måneder efter start",
            f"{first.citation_en}: first follow-up when the parallel investigation ends "
            f"on {format_date(end, 'en')}, before {months} months after the start",
        )
        return end, regime.followup.citation, lambda: reason
    reason = (
        f"{first.citation}: første opfølgning senest {months} måneder efter start",
        f"{first.citation_en}: first follow-up at the latest {months} months after the start",
    )
    return three_months, regime.followup.citation, lambda: reason


def _next_followup_reason(
    regime: law.Regime, months: int, decided: bool, anchor: datetime.date, anchor_held: bool
) -> tuple[str, str]:
    cadence = regime.followup_cadence
    words = _anchor_words(anchor, anchor_held)
    if not regime.cadence_decided_at_first_followup:
        return (
            f"{cadence.citation}: herefter højst {months} måneder mellem opfølgningerne ({words[0]})",
            f"{cadence.citation_en}: then at most {months} months between follow-ups ({words[1]})",
        )
    every_da, every_en = Period(months, MONTHS).every("da"), Period(months, MONTHS).every("en")
    if decided:
        return (
            f"{cadence.citation}: {every_da} som besluttet ved opfølgning ({words[0]})",
            f"{cadence.citation_en}: {every_en} as decided at a follow-up ({words[1]})",
        )
    return (
        f"{cadence.citation}: {every_da}, indtil kadencen er besluttet ({words[0]})",
        f"{cadence.citation_en}: {every_en} until the cadence is decided ({words[1]})",
    )


def _next_followup(decisions, anchor: datetime.date, anchor_held: bool):
    """The next legal follow-up after ``anchor``: SEL § 70 at most 6 months on; Barnets Lov § 95,
    stk. 3 the cadence decided at a follow-up (the regime's default until it is)."""
    decided = _decided_cadence(decisions, anchor)

    def months_under(regime: law.Regime) -> int:
        if regime.cadence_decided_at_first_followup and decided:
            return decided
        return regime.followup_cadence_months

    due, regime = _after(anchor, months_under)
    months = months_under(regime)
    is_decided = bool(decided) and regime.cadence_decided_at_first_followup
    # The words are put together only when the reason is read: the sweep reads it for coming dates
    # only, and most of a chain's dates are held.
    return (
        due,
        regime.followup.citation,
        partial(_next_followup_reason, regime, months, is_decided, anchor, anchor_held),
    )


def _supervision_reason(
    regime: law.Regime, anchor: tuple[datetime.date, bool] | None = None
) -> tuple[str, str]:
    """The reason of a supervisory visit's date; ``anchor`` (the previous date, whether it was
    held) is put into words only here, when the reason is read."""
    citation = regime.supervision
    if anchor is None:
        months = regime.supervision_interval_months
        return (
            f"{citation.citation}: mindst to tilsynsbesøg om året med samtale med barnet, det første senest {months} måneder efter start",
            f"{citation.citation_en}: at least two supervisory visits a year with a conversation with the child, the first at the latest {months} months after the start",
        )
    words = _anchor_words(*anchor, visit=True)
    return (
        f"{citation.citation}: mindst to tilsynsbesøg om året med samtale med barnet ({words[0]})",
        f"{citation.citation_en}: at least two supervisory visits a year with a conversation with the child ({words[1]})",
    )


def _next_visit(anchor: datetime.date, anchor_held: bool, *, first: bool = False):
    due, regime = _after(anchor, lambda r: r.supervision_interval_months)
    return (
        due,
        regime.supervision.citation,
        partial(_supervision_reason, regime, None if first else (anchor, anchor_held)),
    )


def _legal(
    rule_measure: tuple[str, str],
    start: datetime.date,
    held: tuple[Held, ...],
    today: datetime.date,
    end: datetime.date | None,
    until: datetime.date | None,
    legal: LegalContext,
    explain_held: bool,
) -> list[Due]:
    """The legal chains. Each due date is judged by the regime in force on it (a measure begun
    under Serviceloven owes its 2024 follow-ups under Barnets Lov; docs/deadlines.md), and only the
    follow-ups the law counts keep it (``counts_for_legal_followup``, ``counts_as_supervisory_visit``)."""
    if not legal.applies:
        return []
    measure_da, measure_en = rule_measure
    intro = (
        f"{measure_da} startede {format_date(start, 'da')}",
        f"{measure_en} started {format_date(start, 'en')}",
    )
    common = {"today": today, "end": end, "until": until, "intro": intro, "explain_held": explain_held}
    items = _legal_chain(
        obligation=LEGAL_FOLLOWUP,
        held=tuple(h for h in held if counts_for_legal_followup(h)),
        first=_first_followup(start, legal),
        step=partial(_next_followup, _cadence_decisions(held)),
        **common,
    )
    if legal.placement:
        items += _legal_chain(
            obligation=SUPERVISION,
            held=tuple(h for h in held if counts_as_supervisory_visit(h)),
            first=_next_visit(start, False, first=True),
            step=_next_visit,
            allowed_forms=(MEETING,),
            **common,
        )
    return items


# --- The engine -------------------------------------------------------------------------------


def schedule(
    *,
    rule: Rule | None,
    start: datetime.date,
    held: Sequence[Held],
    today: datetime.date,
    measure: tuple[str, str] | None = None,
    legal: LegalContext | None = None,
    end: datetime.date | None = None,
    until: datetime.date | None = None,
    relaxations: Sequence[Relaxation] = (),
    explain_held: bool = True,
) -> Schedule:
    """Every due date of a measure, held and coming, municipal and statutory.

    ``held``: the follow-ups held so far (any order). ``end``: the measure's last day, if it has
    one; nothing falls due after it. ``until``: list coming follow-ups up to this date; without it
    only the first one not yet held of each chain is returned (what the deadline table needs).
    ``measure``: the measure's name (Danish, English) when there is no rule to take it from.
    ``explain_held=False`` leaves the explanations of follow-ups already held empty (the sweep
    needs only the coming ones, for thousands of measures).
    """
    held_sorted = tuple(sorted(held, key=lambda h: h.held_on))
    names = (rule.measure_da, rule.measure_en) if rule else (measure or ("Indsatsen", "The measure"))
    items: list[Due] = []
    if rule is not None:
        items += _municipal(rule, start, held_sorted, today, end, until, relaxations, explain_held)
    # A written status received from a provider (form DOCUMENT) answers the municipal chain's
    # next date but is no follow-up under the law (docs/deadlines.md).
    legal_held = tuple(h for h in held_sorted if h.form != DOCUMENT)
    items += _legal(names, start, legal_held, today, end, until, legal or LegalContext(), explain_held)
    items.sort(key=lambda i: (i.due_date, i.kind != STATUTORY, i.obligation))
    return Schedule(items=tuple(items))


def preview(
    *,
    rule: Rule | None,
    start: datetime.date,
    until: datetime.date,
    measure: tuple[str, str] | None = None,
    legal: LegalContext | None = None,
) -> tuple[Due, ...]:
    """The dates of a new measure started on ``start``, each assumed held on its due date."""
    result = schedule(rule=rule, start=start, held=(), today=start, measure=measure, legal=legal, until=until)
    return tuple(i._replace(status=UPCOMING) for i in result.items if i.due_date <= until)
