"""Starting, ending and changing measures, and keeping the case's place on the ladder.

The ladder step of a case on a day is the highest step among its measures active that day, or
"under clarification" (no step) when none is. Every change of that step is written as a
``LadderMovement`` by the service that causes it, with the date it takes effect. The movements are
derived data (issue 21 point 3): a measure started, ended or corrected back in time, before
movements already stored, rebuilds the case's movements from the measures' dates
(``case_movements_rebuild``), keeping the reasons given for those that still happen.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import obligations
from cases.models import Case, JournalNote, LegalBasis, Plan
from cases.permissions import Action, require
from cases.services import Event, case_measures_changed, plan_require
from herning.api import feed
from herning.api.models import ChangeEvent
from herning.core import arrays
from herning.core.history import acting_as
from measures import ladder
from measures.models import LadderMovement, LadderStep, Measure, MeasureType

# What a measure's ending reason says about the movement it causes, when nobody says otherwise
# (KORA 2017, ch. 4.2: the child's own wish, the placement did not work / ran away, turned 18 with aftercare).
_MOVEMENT_FOR_ENDING = {
    Measure.EndingReason.BREAKDOWN: LadderMovement.Reason.PLACEMENT_FAILED,
    Measure.EndingReason.CHILDS_WISH: LadderMovement.Reason.CHILDS_WISH,
    Measure.EndingReason.TURNED_18: LadderMovement.Reason.TURNED_18,
    Measure.EndingReason.GOALS_MET: LadderMovement.Reason.PROGRESS,
}

# Early preventive support (SEL § 11 stk. 3 / BL § 30) may be given while the case is still being
# clarified: it does not move the case into the "measures" state.
EARLY_SUPPORT_BASIS = "early_support"


@dataclass(frozen=True)
class Hearing:
    """How the child was heard before a measure starts (Barnets Lov § 5, stk. 3; forvaltningsloven
    § 19; docs/domain.md §4): on a day with a note, or by the journal note headed "Partshøring – af
    barnet"; or, with ``omitted`` (``Measure.HearingOmitted``) and a note, why the law let it be
    left out."""

    on: datetime.date | None = None
    note: str = ""
    journal_note: JournalNote | None = None
    omitted: str = ""
    omitted_note: str = ""

    @classmethod
    def held(cls, on: datetime.date, note: str) -> Hearing:
        return cls(on=on, note=note)

    @classmethod
    def not_held(cls, reason: str, note: str) -> Hearing:
        return cls(omitted=reason, omitted_note=note)


NO_HEARING = Hearing()
HEARING_MISSING = _(
    "Barnet skal høres, før indsatsen begynder: angiv dato og notat for partshøringen, vælg journalnotatet "
    "om den, eller angiv hvorfor barnet ikke er hørt."
)


def _check_hearing(*, case: Case, hearing: Hearing, start_date: datetime.date) -> None:
    """Refuse a measure without the child's hearing or the law's reason why not."""
    held = hearing.on is not None or hearing.journal_note is not None
    if not held and not hearing.omitted:
        raise ValidationError({"hearing_on": HEARING_MISSING})
    if held and hearing.omitted:
        raise ValidationError(
            {"hearing_omitted": _("Angiv enten partshøringen eller hvorfor barnet ikke er hørt, ikke begge.")}
        )
    if hearing.omitted:
        if hearing.omitted not in Measure.HearingOmitted.values:
            raise ValidationError({"hearing_omitted": _("Vælg en af de mulige begrundelser.")})
        if not hearing.omitted_note.strip():
            raise ValidationError({"hearing_omitted_note": _("Begrund, hvorfor barnet ikke er hørt.")})
        return
    note = hearing.journal_note
    if note is not None:
        if note.case_id != case.pk or note.heading != JournalNote.Heading.HEARING_CHILD:
            raise ValidationError(
                {
                    "hearing_journal_note": _(
                        "Vælg et journalnotat på sagen med overskriften 'Partshøring – af barnet'."
                    )
                }
            )
        if note.occurred_on > start_date:
            raise ValidationError(
                {"hearing_journal_note": _("Partshøringen skal ligge før indsatsen begynder.")}
            )
        return
    if hearing.on > start_date:
        raise ValidationError({"hearing_on": _("Partshøringen skal ligge før indsatsen begynder.")})
    if not hearing.note.strip():
        raise ValidationError({"hearing_note": _("Skriv, hvad barnet sagde ved partshøringen.")})


def _check_plan_before(*, case: Case, start_date: datetime.date, plan_exception: str) -> None:
    """A placement without consent needs the child's plan before the decision (Barnets Lov § 91,
    stk. 2, 3. pkt.), unless the reason the law allows a decision first is recorded (a provisional
    decision, Barnets Lov § 143; docs/deadlines.md)."""
    if plan_exception.strip():
        return
    made = Plan.objects.for_system().filter(case=case, made_on__isnull=False, made_on__lte=start_date)
    if not made.exists():
        raise ValidationError(
            {
                "plan_exception": _(
                    "En anbringelse uden samtykke kræver barnets plan, før afgørelsen træffes (Barnets Lov "
                    "§ 91, stk. 2). Udarbejd planen først, eller begrund hvorfor afgørelsen ikke kunne vente."
                )
            }
        )


def start_event(legal_basis: LegalBasis) -> str:
    """The case event a measure given on ``legal_basis`` is (``cases.services.state_after``)."""
    return Event.EARLY_SUPPORT_STARTED if legal_basis.code == EARLY_SUPPORT_BASIS else Event.MEASURE_STARTED


def step_on(*, case: Case, day: datetime.date, exclude: Measure | None = None) -> LadderStep | None:
    """The case's ladder step on ``day`` (None = under clarification)."""
    measure = _highest_measure(case=case, day=day, exclude=exclude)
    return measure.measure_type.ladder_step if measure else None


def _highest_measure(*, case: Case, day: datetime.date, exclude: Measure | None = None) -> Measure | None:
    measures = (
        Measure.objects.for_system()
        .filter(case=case)
        .active_on(day)
        .select_related("measure_type__ladder_step", "legal_basis")
        .order_by("-measure_type__ladder_step__number", "start_date", "pk")
    )
    if exclude is not None:
        measures = measures.exclude(pk=exclude.pk)
    return measures.first()


def movement_reason_for_end(
    *, ending_reason: str, measure_type: MeasureType | None, after: LadderStep | None
) -> str:
    """The movement reason an ended measure of ``measure_type`` implies when nobody chose one."""
    if ending_reason in _MOVEMENT_FOR_ENDING:
        return _MOVEMENT_FOR_ENDING[ending_reason]
    if measure_type is None:
        return LadderMovement.Reason.MEASURE_ENDED
    if measure_type.is_short_term:
        return LadderMovement.Reason.SHORT_TERM_ENDED
    if measure_type.is_home_treatment and after is None:
        return LadderMovement.Reason.HOME_AFTER_TREATMENT
    return LadderMovement.Reason.MEASURE_ENDED


def movement_reason_for_start(*, before: LadderStep | None) -> str:
    return LadderMovement.Reason.FIRST_MEASURE if before is None else LadderMovement.Reason.GREATER_NEED


def _record_movement(
    *,
    case: Case,
    date: datetime.date,
    from_step: LadderStep | None,
    to_step: LadderStep | None,
    reason: str,
    note: str,
    measure: Measure | None,
    recorded_by,
) -> LadderMovement | None:
    if (from_step.pk if from_step else None) == (to_step.pk if to_step else None):
        return None
    movement = LadderMovement(
        case=case,
        date=date,
        from_step=from_step,
        to_step=to_step,
        reason=reason,
        note=note,
        measure=measure,
        recorded_by=recorded_by,
    )
    movement.full_clean()
    movement.save()
    return movement


def case_refresh_step(
    *, case: Case, changed_by, today: datetime.date | None = None, event: str | None = None
) -> None:
    """Store the case's step as of today (a measure may start or end on a later day), and while the
    case is in the measures state, the legal basis of its highest measure; with ``event`` (a
    measure started) the state it moves the case to as well, in the same save (``cases`` writes
    it)."""
    today = today or timezone.localdate()
    highest = _highest_measure(case=case, day=today)
    case_measures_changed(
        case=case,
        event=event,
        step=highest.measure_type.ladder_step if highest else None,
        measures_basis=highest.legal_basis if highest else None,
        by=changed_by,
    )


def _create_measure(
    *,
    case: Case,
    measure_type: MeasureType,
    start_date: datetime.date,
    decided_by,
    provider: str,
    planned_end: datetime.date | None,
    decision_basis: str,
    legal_basis: LegalBasis | None,
    hearing: Hearing,
    plan_exception: str = "",
) -> Measure:
    if not case.is_open:
        raise ValidationError(_("Sagen er lukket; der kan ikke startes nye indsatser."))
    if not measure_type.is_active:
        raise ValidationError({"measure_type": _("Indsatstypen er ikke længere i brug.")})
    if decision_basis not in Measure.DecisionBasis.values:
        raise ValidationError({"decision_basis": _("Vælg, om afgørelsen træffes med eller uden samtykke.")})
    _check_hearing(case=case, hearing=hearing, start_date=start_date)
    without_consent = decision_basis == Measure.DecisionBasis.WITHOUT_CONSENT
    if measure_type.is_placement and without_consent:
        _check_plan_before(case=case, start_date=start_date, plan_exception=plan_exception)
    measure = Measure(
        case=case,
        measure_type=measure_type,
        provider=provider,
        start_date=start_date,
        planned_end=planned_end,
        decision_basis=decision_basis,
        legal_basis=legal_basis or measure_type.legal_basis,
        decided_by=decided_by,
        hearing_on=None if hearing.omitted else (hearing.on or hearing.journal_note.occurred_on),
        hearing_note=hearing.note,
        hearing_journal_note=hearing.journal_note,
        hearing_omitted=hearing.omitted,
        hearing_omitted_note=hearing.omitted_note,
        plan_exception=plan_exception.strip() if measure_type.is_placement and without_consent else "",
    )
    measure.full_clean()
    measure.save()
    # The case's state moves with its step, in one save, when the caller refreshes the step
    # (``case_refresh_step(event=start_event(measure.legal_basis))``).
    if measure_type.is_placement:
        # Barnets Lov § 91, stk. 2: the child's plan within three months of a placement decision
        # (before it, for a placement without consent, unless the exception is recorded). A case
        # with a plan already gets the "placement_plan" deadline instead (measures.obligation_sources).
        plan_require(
            case=case,
            decided_on=start_date,
            without_consent=without_consent and not measure.plan_exception,
            required_by=decided_by,
        )
    return measure


def _close_measure(
    *, measure: Measure, end_date: datetime.date, ending_reason: str, ending_note: str
) -> None:
    if measure.actual_end is not None:
        raise ValidationError(_("Indsatsen er allerede afsluttet."))
    if end_date < measure.start_date:
        raise ValidationError({"end_date": _("Slutdatoen kan ikke ligge før startdatoen.")})
    if not ending_reason:
        raise ValidationError({"ending_reason": _("Angiv årsagen til, at indsatsen ophører.")})
    measure.actual_end = end_date
    measure.ending_reason = ending_reason
    measure.ending_note = ending_note
    measure.full_clean()
    measure.save()


def _refuse_repeat(*, case: Case, measure_type: MeasureType, start_date: datetime.date) -> None:
    """A measure of the same type from the same day, still running, is the same decision sent twice
    (a double click, a client's retry): refused, so a retry never makes a second measure. The case
    is locked by the caller, so two such requests at once are answered one after the other."""
    if (
        Measure.objects.for_system()
        .filter(case=case, measure_type=measure_type, start_date=start_date, actual_end__isnull=True)
        .exists()
    ):
        raise ValidationError(
            {
                "start_date": _("Sagen har allerede en igangværende indsats af typen %(type)s fra %(date)s.")
                % {"type": measure_type.name, "date": start_date.strftime("%d.%m.%Y")}
            }
        )


@transaction.atomic
def measure_start(
    *,
    case: Case,
    measure_type: MeasureType,
    start_date: datetime.date,
    decided_by,
    provider: str = "",
    planned_end: datetime.date | None = None,
    decision_basis: str = Measure.DecisionBasis.WITH_CONSENT,
    legal_basis: LegalBasis | None = None,
    movement_reason: str | None = None,
    movement_note: str = "",
    hearing: Hearing = NO_HEARING,
    plan_exception: str = "",
) -> Measure:
    """Start a measure on an open case; record the ladder movement it causes. The child is heard
    first (``hearing``; refused without it)."""
    case = Case.objects.for_system().select_for_update(of=("self",)).select_related("child").get(pk=case.pk)
    _refuse_repeat(case=case, measure_type=measure_type, start_date=start_date)
    with acting_as(decided_by):
        before = step_on(case=case, day=start_date)
        measure = _create_measure(
            case=case,
            measure_type=measure_type,
            start_date=start_date,
            decided_by=decided_by,
            provider=provider,
            planned_end=planned_end,
            decision_basis=decision_basis,
            legal_basis=legal_basis,
            hearing=hearing,
            plan_exception=plan_exception,
        )
        after = step_on(case=case, day=start_date)
        _record_movement(
            case=case,
            date=start_date,
            from_step=before,
            to_step=after,
            reason=movement_reason or movement_reason_for_start(before=before),
            note=movement_note,
            measure=measure,
            recorded_by=decided_by,
        )
        _rebuild_if_back_in_time(case=case, day=start_date, by=decided_by)
        case_refresh_step(case=case, changed_by=decided_by, event=start_event(measure.legal_basis))
        _on_measure_changed(measure)
    return measure


@transaction.atomic
def measure_end(
    *,
    measure: Measure,
    end_date: datetime.date,
    ending_reason: str,
    ended_by,
    ending_note: str = "",
    movement_reason: str | None = None,
    movement_note: str = "",
) -> Measure:
    """End a measure (the last day it runs is ``end_date``); record the movement it causes."""
    case = Case.objects.for_system().select_for_update().get(pk=measure.case_id)
    measure = (
        Measure.objects.for_system()
        .select_for_update(of=("self",))
        .select_related("measure_type")
        .get(pk=measure.pk)
    )
    if not case.is_open:
        raise ValidationError(_("Sagen er lukket og kan ikke ændres."))
    with acting_as(ended_by):
        before = step_on(case=case, day=end_date)
        _close_measure(
            measure=measure, end_date=end_date, ending_reason=ending_reason, ending_note=ending_note
        )
        # The step changes the day after the last day of the measure.
        effective = end_date + datetime.timedelta(days=1)
        after = step_on(case=case, day=effective)
        _record_movement(
            case=case,
            date=effective,
            from_step=before,
            to_step=after,
            reason=movement_reason
            or movement_reason_for_end(
                ending_reason=ending_reason, measure_type=measure.measure_type, after=after
            ),
            note=movement_note or ending_note,
            measure=measure,
            recorded_by=ended_by,
        )
        _rebuild_if_back_in_time(case=case, day=effective, by=ended_by)
        case_refresh_step(case=case, changed_by=ended_by)
        _on_measure_changed(measure)
    return measure


@transaction.atomic
def measure_change(
    *,
    measure: Measure,
    change_date: datetime.date,
    ending_reason: str,
    new_measure_type: MeasureType,
    decided_by,
    provider: str = "",
    planned_end: datetime.date | None = None,
    decision_basis: str = Measure.DecisionBasis.WITH_CONSENT,
    legal_basis: LegalBasis | None = None,
    ending_note: str = "",
    movement_reason: str | None = None,
    movement_note: str = "",
    hearing: Hearing = NO_HEARING,
    plan_exception: str = "",
) -> Measure:
    """Replace a measure by another from ``change_date`` (the old one's last day is the day
    before). The case moves once, straight from the old step to the new one (e.g. institution →
    foster family), instead of passing through "under clarification"."""
    case = (
        Case.objects.for_system()
        .select_for_update(of=("self",))
        .select_related("child")
        .get(pk=measure.case_id)
    )
    old = (
        Measure.objects.for_system()
        .select_for_update(of=("self",))
        .select_related("measure_type")
        .get(pk=measure.pk)
    )
    if change_date <= old.start_date:
        raise ValidationError(
            {"change_date": _("Skiftet skal ligge efter den nuværende indsats' startdato.")}
        )
    last_day = change_date - datetime.timedelta(days=1)
    with acting_as(decided_by):
        before = step_on(case=case, day=last_day)
        _close_measure(measure=old, end_date=last_day, ending_reason=ending_reason, ending_note=ending_note)
        new = _create_measure(
            case=case,
            measure_type=new_measure_type,
            start_date=change_date,
            decided_by=decided_by,
            provider=provider,
            planned_end=planned_end,
            decision_basis=decision_basis,
            legal_basis=legal_basis,
            hearing=hearing,
            plan_exception=plan_exception,
        )
        after = step_on(case=case, day=change_date)
        if movement_reason is None:
            going_up = after is not None and (before is None or after.number > before.number)
            movement_reason = (
                movement_reason_for_start(before=before)
                if going_up
                else movement_reason_for_end(
                    ending_reason=ending_reason, measure_type=old.measure_type, after=after
                )
            )
        _record_movement(
            case=case,
            date=change_date,
            from_step=before,
            to_step=after,
            reason=movement_reason,
            note=movement_note or ending_note,
            measure=new,
            recorded_by=decided_by,
        )
        _rebuild_if_back_in_time(case=case, day=change_date, by=decided_by)
        case_refresh_step(case=case, changed_by=decided_by, event=start_event(new.legal_basis))
        _on_measure_changed(old)
        _on_measure_changed(new)
    return new


def case_movements_rebuild(*, case: Case, rebuilt_by) -> tuple[int, int]:
    """Make the case's stored movements those its measures' dates give (``measures.ladder``): after
    a measure is started, ended or corrected back in time, a movement recorded then may no longer
    have happened, or happened from another step. A stored movement that still happens (same date,
    same steps) is kept with the reason and note the advisor gave it; the others are deleted, and
    the missing ones recorded with the reason their measures imply. Returns (recorded, deleted)."""
    measures = {
        m.pk: m
        for m in Measure.objects.for_system()
        .filter(case=case)
        .select_related("measure_type__ladder_step")
        .order_by("start_date", "pk")
    }
    steps = {step.number: step for step in LadderStep.objects.all()}
    spans = [
        ladder.Span(key=m.pk, step=m.measure_type.ladder_step.number, start=m.start_date, end=m.actual_end)
        for m in measures.values()
    ]
    wanted = {(c.date, c.from_step, c.to_step): c for c in ladder.step_changes(spans)}
    deleted = 0
    for movement in (
        LadderMovement.objects.for_system().filter(case=case).select_related("from_step", "to_step")
    ):
        key = (
            movement.date,
            movement.from_step.number if movement.from_step else None,
            movement.to_step.number if movement.to_step else None,
        )
        if wanted.pop(key, None) is None:
            movement.delete()
            deleted += 1
    for change in wanted.values():
        before = steps.get(change.from_step) if change.from_step else None
        after = steps.get(change.to_step) if change.to_step else None
        started = [measures[pk] for pk in change.started]
        ended = [measures[pk] for pk in change.ended]
        if change.is_up:
            reason = movement_reason_for_start(before=before)
        else:
            last = ended[-1] if ended else None
            reason = movement_reason_for_end(
                ending_reason=last.ending_reason if last else "",
                measure_type=last.measure_type if last else None,
                after=after,
            )
        _record_movement(
            case=case,
            date=change.date,
            from_step=before,
            to_step=after,
            reason=reason,
            note="",
            measure=(started or ended or [None])[-1],
            recorded_by=rebuilt_by,
        )
    return len(wanted), deleted


def _rebuild_if_back_in_time(*, case: Case, day: datetime.date, by) -> None:
    """A measure started, ended or changed on a day before a movement already stored moves the
    steps of the movements after it: rebuild them. A change today, after every stored movement,
    needs nothing more than the movement its service recorded."""
    if LadderMovement.objects.for_system().filter(case=case, date__gt=day).exists():
        case_movements_rebuild(case=case, rebuilt_by=by)


@transaction.atomic
def measure_redate(
    *,
    measure: Measure,
    corrected_by,
    start_date: datetime.date | None = None,
    actual_end: datetime.date | None = None,
    ending_reason: str | None = None,
) -> Measure:
    """Correct when a measure started or ended (a date recorded wrong, or learnt late): the case's
    movements on the ladder are rebuilt from the corrected dates in the same transaction, keeping
    the reasons given for movements that still happen. Ending a running measure is ``measure_end``;
    this corrects the end of one that has ended."""
    case = Case.objects.for_system().select_for_update().get(pk=measure.case_id)
    require(corrected_by, Action.EDIT_CASE, case)
    measure = Measure.objects.for_system().select_for_update(of=("self",)).get(pk=measure.pk)
    if not case.is_open:
        raise ValidationError(_("Sagen er lukket og kan ikke ændres."))
    if actual_end is not None and measure.actual_end is None:
        raise ValidationError({"actual_end": _("Indsatsen er ikke afsluttet: afslut den i stedet.")})
    if start_date is not None:
        measure.start_date = start_date
    if actual_end is not None:
        measure.actual_end = actual_end
    if ending_reason:
        measure.ending_reason = ending_reason
    with acting_as(corrected_by):
        measure.full_clean()
        measure.save()
        case_movements_rebuild(case=case, rebuilt_by=corrected_by)
        case_refresh_step(case=case, changed_by=corrected_by)
        _on_measure_changed(measure)
    return measure


def _on_measure_changed(measure: Measure) -> None:
    """The measure's deadlines (the follow-up schedule) are recomputed after the commit."""
    obligations.changed("measure", [measure.pk])


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    updated_by,
    provider: str | None = None,
    planned_end: datetime.date | None = None,
    clear_planned_end: bool = False,
) -> Measure:
    """Correct a running measure's provider or planned end (the API and the DUBU import). What it
    is, when it started and when it ended are changed by ``measure_change`` / ``measure_end``."""
    measure = (
        Measure.objects.for_system().select_for_update(of=("self",)).select_related("case").get(pk=measure.pk)
    )
    if not measure.case.is_open:
        raise ValidationError(_("Sagen er lukket og kan ikke ændres."))
    if provider is not None:
        measure.provider = provider
    if planned_end is not None or clear_planned_end:
        measure.planned_end = planned_end
    with acting_as(updated_by):
        measure.full_clean()
        measure.save()
        _on_measure_changed(measure)
    return measure


# --- The stored next follow-up date -----------------------------------------------------------


def next_followup_due_set(*, due: dict[int, datetime.date | None]) -> None:
    """Store each measure's next follow-up date (``{measure id: date or None}``), as the follow-up
    schedule computed it; the sweep, the lists and the dashboards read this one column. As column
    arrays (``herning.core.arrays``): a first rebuild sets the date on every open measure. The measure shows the date (``next_followup_due``):
    the change feed gets its rows here, as the statement writes no history (``herning.api.feed``);
    the callers pass only the dates that changed."""
    if not due:
        return
    feed.record_many((), ChangeEvent.Kind.UPDATED, model=Measure, ids=due)
    arrays.update(Measure, "next_followup_due", due)


def next_followup_due_clear(*, first: int, last: int, keep: set[int] | list[int]) -> int:
    """Clear the next follow-up date of every measure with a key from ``first`` to ``last`` but
    those in ``keep`` (the open ones): a measure that ended or lost its rule has nothing due. Its
    rows in the change feed are written here (the measure shows the date), as the update writes
    no history."""
    keep = set(keep)
    # Every measure of the range read by its key and compared here: a condition on the date would
    # let the database choose the date's index and walk every measure that has one.
    cleared = [
        pk
        for pk, due in Measure.objects.for_system()
        .filter(pk__gte=first, pk__lte=last)
        .order_by()
        .values_list("pk", "next_followup_due")
        if due is not None and pk not in keep
    ]
    if not cleared:
        return 0
    feed.record_many((), ChangeEvent.Kind.UPDATED, model=Measure, ids=cleared)
    return Measure.objects.for_system().filter(pk__in=cleared).update(next_followup_due=None)
