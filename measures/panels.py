"""The measures app's sections of the child page (the ladder and the measures) and its timeline
events, registered through ``cases.extensions``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.extensions import Panel, TimelineEvent, register_panel, register_timeline_provider
from cases.models import Case
from cases.permissions import Action, may
from measures.models import LadderMovement, LadderStep, Measure


def _movements(case_ids):
    return list(
        LadderMovement.objects.for_system()
        .filter(case_id__in=case_ids)
        .select_related("from_step", "to_step")
        .order_by("date", "pk")
    )


def ladder_context(child, case, user) -> dict:
    """The ladder with the case's current step marked, and every movement between steps."""
    if case is None:
        return {"case": None}
    steps = list(LadderStep.objects.order_by("-number"))
    return {
        "case": case,
        "steps": steps,
        "current": case.current_step_id,
        "movements": list(reversed(_movements([case.pk]))),
    }


def measures_context(child, case, user) -> dict:
    if case is None:
        return {"case": None}
    today = timezone.localdate()
    measures = list(
        Measure.objects.for_system()
        .filter(case=case)
        .select_related("measure_type__ladder_step", "legal_basis", "decided_by")
        .order_by("-start_date", "-pk")
    )
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
    register_timeline_provider("measures", timeline_events)
