"""The measures app's answers to what the cases app asks about a case's measures
(``cases.extensions.CaseMeasures``), so cases never imports measures."""

from __future__ import annotations

import datetime

from django.db.models import Q

from cases.extensions import CaseMeasures, register_case_measures
from measures.models import LadderMovement, LadderStep, Measure


def _measures(case):
    return Measure.objects.for_system().filter(case=case)


def any_active_on(case, day: datetime.date) -> bool:
    return _measures(case).active_on(day).exists()


def placement_active_on(case, day: datetime.date) -> bool:
    return _measures(case).active_on(day).exclude(measure_type__placement_category="").exists()


def running_after(case, day: datetime.date) -> bool:
    return _measures(case).filter(Q(actual_end__isnull=True) | Q(actual_end__gt=day)).exists()


def history_sources(case) -> list:
    return [
        (Measure, Measure.history.filter(case_id=case.pk)),
        (LadderMovement, LadderMovement.history.filter(case_id=case.pk)),
    ]


def ladder_steps() -> list:
    return list(LadderStep.objects.all())


def register() -> None:
    register_case_measures(
        CaseMeasures(
            any_active_on=any_active_on,
            placement_active_on=placement_active_on,
            running_after=running_after,
            history_sources=history_sources,
            ladder_steps=ladder_steps,
        )
    )
