"""Pages for the child-welfare investigation: opening and completing it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases import services
from cases.forms import (
    InvestigationCompleteForm,
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
            messages.success(request, _("Den børnefaglige undersøgelse er oprettet med frist om 4 måneder."))
            return redirect(case_url(case, "investigations"))
    return form_page(
        request,
        title=_("Børnefaglig undersøgelse (SEL § 50 / BL § 20)"),
        form=form,
        case=case,
        back_url=case_url(case),
        submit_label=_("Opret undersøgelse"),
        intro=_(
            "Undersøgelsen skal være færdig inden 4 måneder. Lav et netværkskort med forældre og barn "
            "(Herningmodellen: ved alle nye undersøgelser)."
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
