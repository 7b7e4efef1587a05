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
    Notification,
)
from cases.permissions import Action, require
from cases.services.common import require_open
from cases.services.state import Event, case_transition
from herning.core.history import acting_as
from herning.organisation.models import User


def default_aware_on(case: Case, decided_on: datetime.date) -> datetime.date:
    """The day the municipality became aware of the child's possible need for the investigation
    decided on ``decided_on`` (Barnets Lov § 20, stk. 3; Serviceloven § 50, stk. 7): the day of
    receipt of the earliest notification on the case that led to it, i.e. received after the
    case's previous investigation was decided and not after this decision. Without one, the day
    the case was opened (an application or an enquiry opens a case without a notification), or
    for a later investigation on the case the decision itself. The advisor corrects it with a
    reason when it is wrong (``investigation_set_aware_on``)."""
    previous = (
        Investigation.objects.for_system()
        .filter(case=case, decided_on__lte=decided_on)
        .order_by("-decided_on", "-pk")
        .values_list("decided_on", flat=True)
        .first()
    )
    received = (
        Notification.objects.for_system()
        .filter(case=case)
        .order_by("received_at")
        .values_list("received_at", flat=True)
    )
    for moment in received:
        day = timezone.localdate(moment)
        if day > decided_on:
            break
        if previous is None or day > previous:
            return day
    if previous is None:
        return min(case.opened_on, decided_on)
    return decided_on


def _aware_on_errors(aware_on: datetime.date, decided_on: datetime.date) -> dict:
    if aware_on > timezone.localdate():
        return {"aware_on": _("Datoen kan ikke ligge i fremtiden.")}
    if aware_on > decided_on:
        return {"aware_on": _("Kommunen kan ikke være blevet opmærksom efter beslutningen om undersøgelsen.")}
    return {}


@transaction.atomic
def investigation_open(
    *, case: Case, decided_on: datetime.date, decided_by: User, aware_on: datetime.date | None = None
) -> Investigation:
    """Decide on a child-welfare investigation (SEL § 50 / BL § 20), due four months after the
    municipality became aware (``aware_on``; by default ``default_aware_on``)."""
    case = Case.objects.for_system().select_for_update().get(pk=case.pk)
    require_open(case)
    if case.investigations.filter(completed_on__isnull=True).exists():
        raise ValidationError(_("Sagen har allerede en børnefaglig undersøgelse i gang."))
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("Beslutningsdatoen kan ikke ligge i fremtiden.")})
    if decided_on < case.opened_on:
        raise ValidationError({"decided_on": _("Beslutningen kan ikke ligge før sagen blev oprettet.")})
    if aware_on is None:
        aware_on = default_aware_on(case, decided_on)
    elif errors := _aware_on_errors(aware_on, decided_on):
        raise ValidationError(errors)
    investigation = Investigation(
        case=case,
        decided_on=decided_on,
        aware_on=aware_on,
        deadline=deadlines.investigation_deadline(aware_on),
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
    investigation = _locked(investigation)
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


def _locked(investigation: Investigation) -> Investigation:
    return (
        Investigation.objects.for_system()
        .select_for_update(of=("self",))
        .select_related("case")
        .get(pk=investigation.pk)
    )


@transaction.atomic
def investigation_set_aware_on(
    *, investigation: Investigation, aware_on: datetime.date, reason: str, changed_by: User
) -> Investigation:
    """Correct the day the municipality became aware, with a reason; the deadline follows (four
    months from it, Barnets Lov § 20, stk. 3). The earlier day and the reason stay in the history.
    Refused in the future or after the decision to investigate."""
    investigation = _locked(investigation)
    case = investigation.case
    require(changed_by, Action.EDIT_CASE, case)
    require_open(case)
    errors = _aware_on_errors(aware_on, investigation.decided_on)
    if not (reason or "").strip():
        errors["reason"] = _("Skriv hvorfor datoen ændres.")
    if errors:
        raise ValidationError(errors)
    investigation.aware_on = aware_on
    investigation.aware_on_reason = reason.strip()
    investigation.deadline = deadlines.investigation_deadline(aware_on)
    with acting_as(changed_by):
        investigation.full_clean()
        investigation.save()
    obligations.changed("investigation", [investigation.pk])
    return investigation


@transaction.atomic
def investigation_record_interim(
    *, investigation: Investigation, assessed_on: datetime.date, text: str, assessed_by: User
) -> Investigation:
    """Record the interim assessment (foreløbig vurdering) of an investigation that cannot be
    finished within its four months (Barnets Lov § 20, stk. 3; Serviceloven § 50, stk. 7): who,
    when and what. It keeps the interim-assessment deadline; the investigation itself is still to
    be finished as soon as possible, and its own deadline stays open until it is."""
    investigation = _locked(investigation)
    case = investigation.case
    require(assessed_by, Action.EDIT_CASE, case)
    require_open(case)
    if investigation.completed_on is not None:
        raise ValidationError(_("Undersøgelsen er afsluttet; der skal ikke en foreløbig vurdering."))
    if investigation.interim_assessed_on is not None:
        raise ValidationError(_("Der er allerede udarbejdet en foreløbig vurdering."))
    errors = {}
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = _("Datoen kan ikke ligge i fremtiden.")
    elif assessed_on < investigation.decided_on:
        errors["assessed_on"] = _("Vurderingen kan ikke ligge før undersøgelsen blev besluttet.")
    if not (text or "").strip():
        errors["text"] = _("Skriv den foreløbige vurdering.")
    if errors:
        raise ValidationError(errors)
    investigation.interim_assessed_on = assessed_on
    investigation.interim_assessment = text.strip()
    investigation.interim_assessed_by = assessed_by
    with acting_as(assessed_by):
        investigation.full_clean()
        investigation.save()
    obligations.changed("investigation", [investigation.pk])
    return investigation
