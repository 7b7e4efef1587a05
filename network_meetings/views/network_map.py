"""The child's network map: versions, people on it, and the map drawn as a diagram."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Child, Investigation
from cases.permissions import Action, may, require
from herning.audit.services import log_child_read
from herning.core.forms import add_service_errors
from network_meetings import diagram, forms, selectors, services
from network_meetings.models import (
    NetworkMap,
    NetworkMapPerson,
)
from network_meetings.views.common import PAGE, error_message


def _visible_child(request, child_pk) -> Child:
    return get_object_or_404(Child.objects.visible_to(request.user), pk=child_pk)


def _log_map_read(request, child, purpose) -> None:
    log_child_read(user=request.user, child=child, channel=PAGE, purpose=purpose, what=request.path)


def _investigations(child):
    return Investigation.objects.for_system().filter(case__child=child).order_by("-decided_on")


@login_required
def network_map(request, child_pk):
    child = _visible_child(request, child_pk)
    _log_map_read(request, child, _("Netværkskort"))
    return _network_map_page(request, child)


def _network_map_page(request, child, *, map_form=None, new_version_form=None, status: int = 200):
    """The child's latest network map; a form given is shown as it was sent, with its errors."""
    versions = selectors.network_map_versions(child)
    latest = versions[0] if versions else None
    people = list(latest.people.select_related("user")) if latest else []
    can_edit = may(request.user, Action.EDIT_NETWORK_MAP, child)
    context = {
        "child": child,
        "network_map": latest,
        "versions": versions,
        "people": people,
        "diagram": diagram.layout(people),
        "can_edit": can_edit,
        "is_latest": True,
    }
    if can_edit and latest is not None:
        context["map_form"] = map_form or forms.NetworkMapForm(
            instance=latest, investigations=_investigations(child)
        )
        context["person_form"] = forms.NetworkMapPersonForm(municipality_id=child.municipality_id)
    if can_edit:
        context["new_version_form"] = new_version_form or forms.NetworkMapForm(
            investigations=_investigations(child),
            initial={
                "made_on": timezone.localdate(),
                "investigation": latest.investigation_id if latest else None,
            },
            auto_id=NEW_VERSION_IDS,
        )
    return render(request, "network_meetings/network_map.html", context, status=status)


# The page holds the latest version's form and the new version's form: their fields need ids of
# their own, or a label would name the other form's field.
NEW_VERSION_IDS = "id_new_%s"


@login_required
def network_map_version(request, pk):
    network_map = get_object_or_404(
        NetworkMap.objects.visible_to(request.user).select_related("child", "investigation", "created_by"),
        pk=pk,
    )
    versions = selectors.network_map_versions(network_map.child)
    if versions[0].pk == network_map.pk:
        return redirect("network_meetings:network_map", child_pk=network_map.child_id)
    _log_map_read(request, network_map.child, _("Netværkskort, tidligere version"))
    people = list(network_map.people.select_related("user"))
    context = {
        "child": network_map.child,
        "network_map": network_map,
        "versions": versions,
        "people": people,
        "diagram": diagram.layout(people),
        "can_edit": False,
        "is_latest": False,
    }
    return render(request, "network_meetings/network_map.html", context)


def _editable_child(request, child_pk) -> Child:
    """The child whose map a form changes: 403 with the reason before the form is read, as the
    service would refuse the write (``Action.EDIT_NETWORK_MAP``)."""
    child = _visible_child(request, child_pk)
    require(request.user, Action.EDIT_NETWORK_MAP, child)
    return child


@login_required
@require_POST
def network_map_new_version(request, child_pk):
    child = _editable_child(request, child_pk)
    form = forms.NetworkMapForm(request.POST, investigations=_investigations(child), auto_id=NEW_VERSION_IDS)
    if form.is_valid():
        try:
            services.network_map_new_version(child=child, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
        else:
            messages.success(request, _("En ny version af netværkskortet er oprettet."))
            return redirect("network_meetings:network_map", child_pk=child.pk)
    _log_map_read(request, child, _("Netværkskort"))
    return _network_map_page(request, child, new_version_form=form, status=400)


def _latest_map(request, pk) -> NetworkMap:
    network_map = get_object_or_404(
        NetworkMap.objects.visible_to(request.user).select_related("child"),
        pk=pk,
    )
    _editable_child(request, network_map.child_id)
    return network_map


@login_required
@require_POST
def network_map_edit(request, pk):
    network_map = _latest_map(request, pk)
    form = forms.NetworkMapForm(
        request.POST,
        instance=NetworkMap.objects.for_system().get(pk=pk),
        investigations=_investigations(network_map.child),
    )
    if form.is_valid():
        try:
            services.network_map_update(network_map=network_map, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
        else:
            messages.success(request, _("Netværkskortet er gemt."))
            return redirect("network_meetings:network_map", child_pk=network_map.child_id)
    _log_map_read(request, network_map.child, _("Netværkskort"))
    return _network_map_page(request, network_map.child, map_form=form, status=400)


@login_required
@require_POST
def network_map_person_add(request, pk):
    network_map = _latest_map(request, pk)
    form = forms.NetworkMapPersonForm(request.POST, municipality_id=network_map.child.municipality_id)
    if form.is_valid():
        try:
            services.network_map_person_add(network_map=network_map, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
        else:
            messages.success(request, _("Personen er tilføjet netværkskortet."))
            return redirect("network_meetings:network_map", child_pk=network_map.child_id)
    return render(
        request,
        "network_meetings/network_map_person_form.html",
        {"form": form, "network_map": network_map, "child": network_map.child},
    )


def _map_person(request, person_pk) -> NetworkMapPerson:
    return get_object_or_404(
        NetworkMapPerson.objects.visible_to(request.user).select_related("network_map__child"),
        pk=person_pk,
    )


@login_required
def network_map_person_edit(request, person_pk):
    person = _map_person(request, person_pk)
    _editable_child(request, person.network_map.child_id)
    network_map = person.network_map
    form = forms.NetworkMapPersonForm(
        request.POST or None,
        instance=NetworkMapPerson.objects.for_system().get(pk=person.pk),
        municipality_id=network_map.child.municipality_id,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.network_map_person_update(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
        else:
            messages.success(request, _("Personen er opdateret."))
            return redirect("network_meetings:network_map", child_pk=network_map.child_id)
    _log_map_read(request, network_map.child, _("Netværkskort"))
    return render(
        request,
        "network_meetings/network_map_person_form.html",
        {"form": form, "network_map": network_map, "child": network_map.child, "person": person},
    )


@login_required
@require_POST
def network_map_person_remove(request, person_pk):
    person = _map_person(request, person_pk)
    try:
        services.network_map_person_remove(person=person, by=request.user)
    except ValidationError as error:
        error_message(request, error)
    else:
        messages.success(request, _("Personen er fjernet fra netværkskortet."))
    return redirect("network_meetings:network_map", child_pk=person.network_map.child_id)
