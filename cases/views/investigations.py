"""Pages for the child-welfare investigation: opening it, correcting the day the municipality
became aware, the interim assessment, and completing it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases import services
from cases.forms import (
    InvestigationAwareOnForm,
    InvestigationCompleteForm,
    InvestigationInterimForm,
    InvestigationOpenForm,
)
from cases.models import Investigation
from cases.views.common import FORM_METHODS, case_url, editable_case, form_page, posted
from herning.core.forms import add_service_errors


@require_http_methods(FORM_METHODS)
@login_required
def investigation_open(request, pk: int):
    case = editable_case(request, pk)
    form = InvestigationOpenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.investigation_open(case=case, decided_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Den børnefaglige undersøgelse er oprettet med frist 4 måneder efter, at kommunen blev opmærksom."
                ),
            )
            return redirect(case_url(case, "investigations"))
    return form_page(
        request,
        title=_("Børnefaglig undersøgelse (SEL § 50 / BL § 20)"),
        form=form,
        case=case,
        back_url=case_url(case),
        submit_label=_("Opret undersøgelse"),
        intro=_(
            "Undersøgelsen skal være færdig inden 4 måneder efter, at kommunen blev opmærksom på barnets "
            "mulige behov. Lav et netværkskort med forældre og barn (Herningmodellen: ved alle nye "
            "undersøgelser)."
        ),
    )


@require_http_methods(FORM_METHODS)
@login_required
def investigation_complete(request, pk: int):
    investigation = get_object_or_404(Investigation, pk=pk)
    case = editable_case(request, investigation.case_id)
    form = InvestigationCompleteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.investigation_complete(
                investigation=investigation, completed_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Undersøgelsen er afsluttet."))
            return redirect(case_url(case, "investigations"))
    return form_page(
        request,
        title=_("Afslut børnefaglig undersøgelse"),
        form=form,
        case=case,
        back_url=case_url(case),
        submit_label=_("Afslut undersøgelsen"),
        warning=None
        if investigation.has_network_map
        else _("Der er ikke tilknyttet et netværkskort til undersøgelsen."),
    )


@require_http_methods(FORM_METHODS)
@login_required
def investigation_aware_on(request, pk: int):
    """Correct the day the municipality became aware (the start of the four months), with a reason."""
    investigation = get_object_or_404(Investigation.objects.visible_to(request.user), pk=pk)
    case = editable_case(request, investigation.case_id)
    form = InvestigationAwareOnForm(posted(request), initial={"aware_on": investigation.aware_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.investigation_set_aware_on(
                investigation=investigation,
                aware_on=form.cleaned_data["aware_on"],
                reason=form.cleaned_data["reason"],
                changed_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Datoen er ændret, og fristen er regnet om."))
            return redirect(case_url(case, "investigations"))
    return form_page(
        request,
        title=_("Hvornår blev kommunen opmærksom?"),
        form=form,
        case=case,
        back_url=case_url(case, "investigations"),
        submit_label=_("Gem datoen"),
        intro=_(
            "Undersøgelsen skal være afsluttet senest 4 måneder efter, at kommunen blev opmærksom på, at "
            "barnet kan have behov for særlig støtte (Barnets Lov § 20, stk. 3). Datoen kan ikke ligge "
            "efter beslutningen om undersøgelsen. Den tidligere dato og begrundelsen gemmes i historikken."
        ),
    )


@require_http_methods(FORM_METHODS)
@login_required
def investigation_interim(request, pk: int):
    """The interim assessment of an investigation that cannot be finished within four months."""
    investigation = get_object_or_404(Investigation.objects.visible_to(request.user), pk=pk)
    case = editable_case(request, investigation.case_id)
    form = InvestigationInterimForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.investigation_record_interim(
                investigation=investigation,
                assessed_on=form.cleaned_data["assessed_on"],
                text=form.cleaned_data["text"],
                assessed_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Den foreløbige vurdering er registreret."))
            return redirect(case_url(case, "investigations"))
    return form_page(
        request,
        title=_("Foreløbig vurdering af den børnefaglige undersøgelse"),
        form=form,
        case=case,
        back_url=case_url(case, "investigations"),
        submit_label=_("Registrér den foreløbige vurdering"),
        intro=_(
            "Kan undersøgelsen undtagelsesvis ikke afsluttes inden 4 måneder, skal kommunen udarbejde en "
            "foreløbig vurdering og afslutte undersøgelsen snarest herefter (Barnets Lov § 20, stk. 3)."
        ),
    )
