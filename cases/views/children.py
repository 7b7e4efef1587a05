"""Pages that change a child and the people around the child, and open the child's case."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from cases import services
from cases.forms import (
    CaseOpenForm,
    ChildCreateForm,
    ChildForm,
    RelationForm,
)
from cases.models import Relation
from cases.permissions import Action, may, require
from cases.selectors import cases_of_child, visible_child
from cases.views.common import FORM_METHODS, case_url, form_page, posted
from herning.audit.looks import shows_no_child
from herning.core.access import role_required
from herning.core.forms import add_service_errors
from herning.organisation.models import Role


@sensitive_post_parameters("cpr")
@require_http_methods(FORM_METHODS)
@role_required(Role.ADVISOR, Role.TEAM_LEADER)
@shows_no_child("the form for a new child: no child is shown until it is saved")
def child_create(request):
    """Register a child the municipality does not know yet and open the child's case. An advisor
    becomes the case's advisor; a team leader assigns one afterwards."""
    user = request.user
    form = ChildCreateForm(posted(request), municipality=user.municipality, user=user)
    case_form = CaseOpenForm(posted(request), prefix="case")
    if request.method == "POST" and form.is_valid() and case_form.is_valid():
        purpose = form.cleaned_data.pop("access_purpose", "")
        if form.hidden_child is not None:
            # Known to the municipality, not to this person: a request for access, and the same
            # neutral answer whoever the child is (cases.services.access_requests).
            try:
                services.access_request_create(child=form.hidden_child, requested_by=user, purpose=purpose)
            except services.TooManyAccessRequests as refused:
                form.add_error(None, str(refused))
            else:
                messages.info(request, services.FORWARDED)
                return redirect("cases:case_list")
        else:
            try:
                child, _case = services.child_register_with_case(
                    municipality=user.municipality,
                    registered_by=user,
                    opened_on=case_form.cleaned_data["opened_on"],
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Barnet er oprettet med en sag i afklaring."))
                return redirect("cases:child_detail", pk=child.pk)
    return form_page(
        request,
        title=_("Opret barn"),
        form=form,
        extra_forms=[case_form],
        back_url=reverse("cases:case_list"),
        submit_label=_("Opret barn og sag"),
        intro=_(
            "Barnets fødselsdato og juridiske køn udledes af CPR-nummeret. Et CPR-nummer uden gyldigt "
            "kontrolciffer (modulus 11) er gyldigt og accepteres."
        ),
    )


def _editable_child(request, pk: int):
    child = visible_child(request.user, pk)
    cases = cases_of_child(child=child, user=request.user)
    open_case = next((c for c in cases if c.is_open), None)
    require(request.user, Action.EDIT_CHILD, open_case)
    return child, open_case


@require_http_methods(FORM_METHODS)
@login_required
def child_update(request, pk: int):
    child, open_case = _editable_child(request, pk)
    form = ChildForm(posted(request), instance=child, municipality=child.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            services.child_update(child=child, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Barnets oplysninger er gemt."))
            return redirect("cases:child_detail", pk=child.pk)
    return form_page(
        request,
        title=_("Ret barnets oplysninger"),
        form=form,
        case=open_case,
        child=child,
        back_url=reverse("cases:child_detail", args=[child.pk]),
        submit_label=_("Gem"),
    )


@require_http_methods(FORM_METHODS)
@login_required
def case_open(request, pk: int):
    """Open a new case for a child whose earlier cases are closed."""
    child = visible_child(request.user, pk)
    cases = cases_of_child(child=child, user=request.user)
    if any(c.is_open for c in cases) or not may(request.user, Action.CREATE_CHILD):
        raise PermissionDenied(_("Barnet har allerede en åben sag, eller du kan ikke oprette sager."))
    form = CaseOpenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        user = request.user
        try:
            case = services.case_open(
                child=child,
                opened_by=user,
                advisor=user if user.has_role(Role.ADVISOR) else None,
                opened_on=form.cleaned_data["opened_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Sagen er oprettet."))
            return redirect(case_url(case))
    return form_page(
        request,
        title=_("Opret ny sag for %(name)s") % {"name": child.full_name},
        form=form,
        child=child,
        back_url=reverse("cases:child_detail", args=[child.pk]),
        submit_label=_("Opret sag"),
    )


@require_http_methods(FORM_METHODS)
@login_required
def relation_add(request, pk: int):
    child, open_case = _editable_child(request, pk)
    form = RelationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.relation_add(child=child, added_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Relationen er tilføjet."))
            return redirect(reverse("cases:child_detail", args=[child.pk]) + "#relationer")
    return form_page(
        request,
        title=_("Tilføj relation"),
        form=form,
        case=open_case,
        child=child,
        back_url=reverse("cases:child_detail", args=[child.pk]),
        submit_label=_("Tilføj"),
    )


@require_http_methods(FORM_METHODS)
@login_required
def relation_update(request, pk: int):
    relation = get_object_or_404(Relation, pk=pk)
    child, open_case = _editable_child(request, relation.child_id)
    form = RelationForm(posted(request), instance=relation)
    if request.method == "POST" and "end" in request.POST:
        services.relation_end(relation=relation, ended_by=request.user)
        messages.success(request, _("Relationen er markeret som tidligere."))
        return redirect(reverse("cases:child_detail", args=[child.pk]) + "#relationer")
    if request.method == "POST" and form.is_valid():
        try:
            services.relation_update(relation=relation, updated_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Relationen er gemt."))
            return redirect(reverse("cases:child_detail", args=[child.pk]) + "#relationer")
    return form_page(
        request,
        title=_("Ret relation"),
        form=form,
        case=open_case,
        child=child,
        back_url=reverse("cases:child_detail", args=[child.pk]),
        submit_label=_("Gem"),
        secondary_action=("end", _("Ikke længere aktuel")) if relation.is_active else None,
    )
