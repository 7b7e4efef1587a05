"""The measures app's sections of the child page (the ladder and the measures) and its timeline
events, registered through ``cases.extensions``."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.extensions import (
    Panel,
    SummaryPart,
    TimelineEvent,
    read_once,
    register_panel,
    register_summary_part,
    register_timeline_provider,
)
from cases.models import Case
from cases.permissions import Action, may
from herning.core.statements import kept
from measures.models import LadderMovement, LadderStep, Measure


def _movements(case_ids):
    return list(_movements_where(case_id__in=case_ids))


def _movements_where(**where):
    return (
        LadderMovement.objects.for_system()
        .filter(**where)
        .select_related("from_step", "to_step")
        .order_by("date", "pk")
    )


def _case_movements(case) -> list[LadderMovement]:
    """The case's movements on the ladder, oldest first: the ladder's summary and its section."""
    return read_once(case, "_ladder_movements_read", lambda: list(_movements_of_case(case_id=case.pk)))


@kept(bound=("case_id",))
def _movements_of_case(*, case_id: int):
    # One case's, compiled once per process (herning.core.statements): every case page reads it.
    return _movements_where(case_id=case_id)


def _case_measures(case) -> list[Measure]:
    """The case's measures, the newest first: the measures' section and the ladder's moves."""
    return read_once(case, "_measures_read", lambda: list(_measures_of_case(case_id=case.pk)))


@kept(bound=("case_id",))
def _measures_of_case(*, case_id: int):
    # Compiled once per process (herning.core.statements): the case page's ladder and the measures'
    # fold read it, and its three joined tables cost more to compile than to read.
    return (
        Measure.objects.for_system()
        .filter(case_id=case_id)
        .select_related("measure_type__ladder_step", "legal_basis", "decided_by")
        .order_by("-start_date", "-pk")
    )


@dataclass(frozen=True)
class Move:
    """A move on the ladder offered in its section: the button says what will be recorded, and
    leads to the measure service's form (change, start or end a measure), which records it."""

    label: str
    url: str


def _highest_active(case, today):
    """The active measure on the highest step; of several there, the first started."""
    active = [m for m in _case_measures(case) if m.is_active_on(today)]
    return min(active, key=lambda m: (-m.measure_type.ladder_step.number, m.start_date, m.pk), default=None)


def ladder_moves(case, steps: list, today) -> list[Move]:
    """One step down and one step up from where the case is now. With a measure on the current
    step the move changes that measure for one on the next step (one movement, straight from step
    to step); from "under clarification" a measure is started; from the lowest step with nothing
    else active the measure ends."""
    numbers = sorted(s.number for s in steps)
    highest = _highest_active(case, today)
    if highest is None:
        return [
            Move(
                _("Registrér flytning fra under afklaring til trin %(to)s") % {"to": numbers[0]},
                f"{reverse('measures:measure_start', args=[case.pk])}?trin={numbers[0]}",
            )
        ]
    now = highest.measure_type.ladder_step.number
    change = reverse("measures:measure_change", args=[highest.pk])
    moves = []
    lower = [n for n in numbers if n < now]
    if lower:
        moves.append(
            Move(
                _("Registrér flytning fra trin %(from)s til trin %(to)s") % {"from": now, "to": lower[-1]},
                f"{change}?trin={lower[-1]}",
            )
        )
    else:
        moves.append(
            Move(
                _("Registrér flytning fra trin %(from)s til under afklaring") % {"from": now},
                reverse("measures:measure_end", args=[highest.pk]),
            )
        )
    higher = [n for n in numbers if n > now]
    if higher:
        moves.append(
            Move(
                _("Registrér flytning fra trin %(from)s til trin %(to)s") % {"from": now, "to": higher[0]},
                f"{change}?trin={higher[0]}",
            )
        )
    return moves


def ladder_context(child, case, user) -> dict:
    """The ladder with the case's current step marked, every movement between steps, and the
    moves the person may record from here."""
    if case is None:
        return {"case": None}
    steps = list(LadderStep.objects.order_by("-number"))
    can_move = case.is_open and steps and may(user, Action.EDIT_CASE, case)
    return {
        "case": case,
        "steps": steps,
        "current": case.current_step_id,
        "movements": list(reversed(_case_movements(case))),
        "moves": ladder_moves(case, steps, timezone.localdate()) if can_move else [],
    }


def ladder_summary(child, case, user) -> dict:
    """The summary's first line: the case's step now and since when (its latest movement, else the
    day the case was opened)."""
    if case is None:
        return {"case": None}
    today = timezone.localdate()
    last = next((m for m in reversed(_case_movements(case)) if m.date <= today), None)
    since = last.date if last else case.opened_on
    return {
        "case": case,
        "step": last.to_step if last else None,
        "since": since,
        "days": (today - since).days,
    }


def measures_context(child, case, user) -> dict:
    if case is None:
        return {"case": None}
    today = timezone.localdate()
    measures = _case_measures(case)
    return {
        "case": case,
        "active": [m for m in measures if m.actual_end is None or m.actual_end >= today],
        "ended": [m for m in measures if m.actual_end is not None and m.actual_end < today],
        "today": today,
        "can_edit": may(user, Action.EDIT_CASE, case),
    }


def timeline_events(child, user) -> list[TimelineEvent]:
    case_ids = list(Case.objects.visible_to(user).filter(child=child).values_list("pk", flat=True))
    events = []
    for m in _movements(case_ids):
        arrow = {"up": "↑", "down": "↓", "same": "→"}[m.direction]
        events.append(
            TimelineEvent(
                m.date,
                "movement",
                _("%(arrow)s Fra %(from)s til %(to)s")
                % {
                    "arrow": arrow,
                    "from": m.from_step or _("under afklaring"),
                    "to": m.to_step or _("under afklaring"),
                },
                detail=m.get_reason_display(),
                order=6,
            )
        )
    for m in Measure.objects.for_system().filter(case_id__in=case_ids).select_related("measure_type"):
        events.append(
            TimelineEvent(
                m.start_date, "measure", _("Indsats startet: %(t)s") % {"t": m.measure_type}, order=5
            )
        )
        if m.actual_end:
            events.append(
                TimelineEvent(
                    m.actual_end,
                    "measure",
                    _("Indsats afsluttet: %(t)s") % {"t": m.measure_type},
                    detail=m.get_ending_reason_display(),
                    order=7,
                )
            )
    return events


def register() -> None:
    register_panel(
        Panel(
            "ladder", gettext_lazy("Indsatstrappen"), "measures/panels/_ladder.html", ladder_context, order=35
        )
    )
    register_panel(
        Panel(
            "measures",
            gettext_lazy("Indsatser"),
            "measures/panels/_measures.html",
            measures_context,
            order=40,
        )
    )
    register_summary_part(SummaryPart("ladder", "measures/summary/_ladder.html", ladder_summary, order=10))
    register_timeline_provider("measures", timeline_events)
