"""The child-welfare investigation (børnefaglig undersøgelse)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import deadlines, extensions, obligations
from cases.models import (
    Case,
    CaseState,
    Investigation,
)
from cases.services.common import require_open
from cases.services.state import Event, case_transition
from herning.core.history import acting_as
from herning.organisation.models import User


@transaction.atomic
def investigation_open(*, case: Case, decided_on: datetime.date, decided_by: User) -> Investigation:
    """Decide on a child-welfare investigation (SEL § 50 / BL § 20), due in four months."""
    case = Case.objects.for_system().select_for_update().get(pk=case.pk)
    require_open(case)
    if case.investigations.filter(completed_on__isnull=True).exists():
        raise ValidationError(_("Sagen har allerede en børnefaglig undersøgelse i gang."))
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("Beslutningsdatoen kan ikke ligge i fremtiden.")})
    if decided_on < case.opened_on:
        raise ValidationError({"decided_on": _("Beslutningen kan ikke ligge før sagen blev oprettet.")})
    investigation = Investigation(
        case=case,
        decided_on=decided_on,
        deadline=deadlines.investigation_deadline(decided_on),
        decided_by=decided_by,
    )
    with acting_as(decided_by):
        investigation.full_clean()
        investigation.save()
        case_transition(case=case, event=Event.INVESTIGATION_OPENED, by=decided_by)
    obligations.changed("investigation", [investigation.pk])
    return investigation


@transaction.atomic
def investigation_complete(
    *, investigation: Investigation, completed_on: datetime.date, conclusion: str, completed_by: User
) -> Investigation:
    """Conclude the investigation; the case goes on with its measures, or back to clarification."""
    investigation = (
        Investigation.objects.for_system()
        .select_for_update(of=("self",))
        .select_related("case")
        .get(pk=investigation.pk)
    )
    case = investigation.case
    require_open(case)
    if investigation.completed_on is not None:
        raise ValidationError(_("Undersøgelsen er allerede afsluttet."))
    errors = {}
    if completed_on < investigation.decided_on:
        errors["completed_on"] = _("Undersøgelsen kan ikke afsluttes før den blev besluttet.")
    if completed_on > timezone.localdate():
        errors["completed_on"] = _("Datoen kan ikke ligge i fremtiden.")
    if not (conclusion or "").strip():
        errors["conclusion"] = _("Skriv undersøgelsens konklusion.")
    if errors:
        raise ValidationError(errors)
    investigation.completed_on = completed_on
    investigation.conclusion = conclusion.strip()
    with acting_as(completed_by):
        investigation.full_clean()
        investigation.save()
        if case.state == CaseState.INVESTIGATION:
            active = extensions.case_measures().any_active_on(case, timezone.localdate())
            case_transition(
                case=case, event=Event.INVESTIGATION_COMPLETED, by=completed_by, has_active_measures=active
            )
    obligations.changed("investigation", [investigation.pk])
    return investigation
