"""Starting, ending and changing a case's measures: each a page with one form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases.views.common import case_url, editable_case, form_page, posted
from herning.core.forms import add_service_errors
from measures import services
from measures.forms import MeasureChangeForm, MeasureEndForm, MeasureStartForm
from measures.models import Measure

FORM_METHODS = ["GET", "POST"]


def _target_step(request) -> int | None:
    """``?trin=N`` from the ladder section's move buttons: the form offers that step's types only."""
    value = request.GET.get("trin", "")
    return int(value) if value.isdigit() else None


def _move_intro(case, step: int | None) -> str:
    """What the move will record, said before the form (the button that led here said it too)."""
    if step is None:
        return ""
    current = case.current_step.number if case.current_step_id else None
    if current is None:
        return _("Der registreres en flytning på indsatstrappen fra under afklaring til trin %(to)s.") % {
            "to": step
        }
    return _("Der registreres en flytning på indsatstrappen fra trin %(from)s til trin %(to)s.") % {
        "from": current,
        "to": step,
    }


def _visible_measure(request, pk: int) -> Measure:
    return get_object_or_404(Measure.objects.visible_to(request.user).select_related("measure_type"), pk=pk)


@require_http_methods(FORM_METHODS)
@login_required
def measure_start(request, case_pk: int):
    case = editable_case(request, case_pk)
    step = _target_step(request)
    form = MeasureStartForm(posted(request), case=case, step=step)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_start(
                case=case,
                decided_by=request.user,
                measure_type=data["measure_type"],
                provider=data["provider"],
                start_date=data["start_date"],
                planned_end=data["planned_end"],
                decision_basis=data["decision_basis"],
                legal_basis=data["legal_basis"],
                movement_reason=data["movement_reason"] or None,
                movement_note=data["movement_note"],
                hearing=form.hearing(),
                plan_exception=data["plan_exception"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Indsatsen er startet."))
            return redirect(case_url(case, "measures"))
    return form_page(
        request,
        title=_("Start indsats"),
        form=form,
        case=case,
        back_url=case_url(case, "measures"),
        submit_label=_("Start indsatsen"),
        move=_move_intro(case, step),
        intro=_(
            "Før en indsats begynder, skal barnet partshøres (Barnets Lov § 5, stk. 3): angiv dato og notat, "
            "vælg journalnotatet 'Partshøring – af barnet', eller begrund hvorfor barnet ikke er hørt. Ved en "
            "anbringelse skal barnets plan revideres senest 3 måneder efter afgørelsen (Barnets Lov § 91, "
            "stk. 2); ved anbringelse uden samtykke før afgørelsen."
        ),
    )


@require_http_methods(FORM_METHODS)
@login_required
def measure_end(request, pk: int):
    measure = _visible_measure(request, pk)
    case = editable_case(request, measure.case_id)
    form = MeasureEndForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_end(
                measure=measure,
                ended_by=request.user,
                end_date=data["end_date"],
                ending_reason=data["ending_reason"],
                ending_note=data["ending_note"],
                movement_reason=data["movement_reason"] or None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Indsatsen er afsluttet."))
            return redirect(case_url(case, "measures"))
    return form_page(
        request,
        title=_("Afslut %(measure)s") % {"measure": measure.measure_type},
        form=form,
        case=case,
        back_url=case_url(case, "measures"),
        submit_label=_("Afslut indsatsen"),
        intro=_(
            "Sammenbrud (Ankestyrelsen): barnet forlader anbringelsesstedet, eller stedet opgiver barnet, "
            "før det var planlagt."
        ),
    )


@require_http_methods(FORM_METHODS)
@login_required
def measure_change(request, pk: int):
    measure = _visible_measure(request, pk)
    case = editable_case(request, measure.case_id)
    step = _target_step(request)
    form = MeasureChangeForm(posted(request), case=case, step=step)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_change(
                measure=measure,
                decided_by=request.user,
                change_date=data["change_date"],
                new_measure_type=data["new_measure_type"],
                provider=data["provider"],
                planned_end=data["planned_end"],
                decision_basis=data["decision_basis"],
                ending_reason=data["ending_reason"],
                movement_reason=data["movement_reason"] or None,
                movement_note=data["movement_note"],
                hearing=form.hearing(),
                plan_exception=data["plan_exception"],
            )
        except ValidationError as error:
            add_service_errors(
                form, error, field_map={"start_date": "change_date", "end_date": "change_date"}
            )
        else:
            messages.success(request, _("Indsatsen er skiftet."))
            return redirect(case_url(case, "measures"))
    return form_page(
        request,
        title=_("Skift %(measure)s til en anden indsats") % {"measure": measure.measure_type},
        form=form,
        case=case,
        back_url=case_url(case, "measures"),
        submit_label=_("Skift indsats"),
        move=_move_intro(case, step),
        intro=_(
            "Sagen flytter direkte fra den nuværende indsats' trin til den nye indsats' trin. Barnet skal "
            "høres, før den nye indsats begynder (Barnets Lov § 5, stk. 3)."
        ),
    )
