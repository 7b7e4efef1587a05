"""The participants page of a meeting: adding, changing, removing, roles, from the network map."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Child
from cases.permissions import Action, may
from herning.audit.looks import log_look
from herning.core.forms import add_service_errors
from network_meetings import forms, selectors, services
from network_meetings.models import (
    NetworkMapPerson,
    NetworkMeeting,
    Participant,
)
from network_meetings.views.common import error_message, meeting_context, require_edit, visible_meeting


def _map_people_to_invite(request, meeting: NetworkMeeting):
    """People on the child's latest network map who are not participants yet, for those who may
    read the map (taking part in a meeting does not open the child's file)."""
    if not Child.objects.visible_to(request.user).filter(pk=meeting.child_id).exists():
        return None, NetworkMapPerson.objects.none()
    latest = selectors.latest_network_map(meeting.child)
    if latest is None:
        return None, NetworkMapPerson.objects.none()
    participants = list(meeting.participants.all())
    taken_users = [p.user_id for p in participants if p.user_id]
    taken_names = {p.name.casefold() for p in participants if p.name}
    people = latest.people.exclude(user_id__in=taken_users).order_by("closeness", "kind", "name")
    already = [p.pk for p in people if p.name.casefold() in taken_names]
    return latest, people.exclude(pk__in=already)


@login_required
def meeting_participants(request, pk):
    meeting = visible_meeting(request, pk, purpose=_("Deltagere i netværksmøde"))
    can_edit = may(request.user, Action.EDIT_MEETING, meeting)
    form = forms.ParticipantForm(request.POST or None, municipality_id=meeting.municipality_id)
    if request.method == "POST":
        require_edit(request, meeting)
        if form.is_valid():
            try:
                services.participant_add(meeting=meeting, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
            else:
                messages.success(request, _("Deltageren er tilføjet."))
                return redirect("network_meetings:participants", pk=meeting.pk)
    can_change = can_edit and meeting.status == NetworkMeeting.Status.PLANNED
    network_map, map_people = _map_people_to_invite(request, meeting) if can_change else (None, None)
    context = meeting_context(
        request,
        meeting,
        "participants",
        form=form,
        roles_form=forms.RolesForm(
            meeting=meeting, initial={"chair": meeting.chair_id, "minute_taker": meeting.minute_taker_id}
        ),
        status_choices=Participant.InvitationStatus.choices,
        network_map=network_map,
        from_map_form=forms.FromMapForm(people=map_people) if map_people else None,
    )
    return render(request, "network_meetings/participants.html", context)


def _participant(request, pk, participant_pk) -> tuple[NetworkMeeting, Participant]:
    meeting = visible_meeting(request, pk)
    participant = get_object_or_404(meeting.participants.all(), pk=participant_pk)
    return meeting, participant


@login_required
def participant_edit(request, pk, participant_pk):
    meeting, participant = _participant(request, pk, participant_pk)
    require_edit(request, meeting)
    form = forms.ParticipantForm(
        request.POST or None, instance=participant, municipality_id=meeting.municipality_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                participant=Participant.objects.for_system().get(pk=participant.pk),
                by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
        else:
            messages.success(request, _("Deltageren er opdateret."))
            return redirect("network_meetings:participants", pk=meeting.pk)
    log_look(request, [(meeting.child, meeting.case)], purpose=_("Deltagere i netværksmøde"))
    return render(
        request,
        "network_meetings/participant_form.html",
        meeting_context(request, meeting, "participants", form=form, participant=participant),
    )


@login_required
@require_POST
def participant_status(request, pk, participant_pk):
    meeting, participant = _participant(request, pk, participant_pk)
    require_edit(request, meeting)
    form = forms.ParticipantStatusForm(request.POST)
    if form.is_valid():
        services.participant_set_status(
            participant=participant, by=request.user, status=form.cleaned_data["invitation_status"]
        )
        messages.success(request, _("Status for %(who)s er gemt.") % {"who": participant.label})
    else:
        messages.error(request, _("Vælg en gyldig status."))
    return redirect("network_meetings:participants", pk=meeting.pk)


@login_required
@require_POST
def participant_remove(request, pk, participant_pk):
    meeting, participant = _participant(request, pk, participant_pk)
    try:
        services.participant_remove(participant=participant, by=request.user)
    except ValidationError as error:
        error_message(request, error)
    else:
        messages.success(request, _("Deltageren er fjernet."))
    return redirect("network_meetings:participants", pk=meeting.pk)


@login_required
@require_POST
def meeting_roles(request, pk):
    meeting = visible_meeting(request, pk)
    require_edit(request, meeting)
    form = forms.RolesForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.meeting_set_roles(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            error_message(request, error)
        else:
            messages.success(request, _("Mødeleder og referent er gemt."))
    else:
        messages.error(request, _("Vælg mødeleder og referent blandt deltagerne."))
    return redirect("network_meetings:participants", pk=meeting.pk)


@login_required
@require_POST
def participants_from_map(request, pk):
    meeting = visible_meeting(request, pk)
    require_edit(request, meeting)
    _map, people = _map_people_to_invite(request, meeting)
    form = forms.FromMapForm(request.POST, people=people)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("people", [_("Vælg mindst én person.")])))
        return redirect("network_meetings:participants", pk=meeting.pk)
    try:
        added, omitted = services.participants_from_network_map(
            meeting=meeting, by=request.user, people=form.cleaned_data["people"]
        )
    except ValidationError as error:
        error_message(request, error)
    else:
        messages.success(request, _("%(n)s deltagere er tilføjet fra netværkskortet.") % {"n": len(added)})
        if omitted:
            messages.warning(
                request,
                _(
                    "%(n)s navne er udeladt, fordi de ville afsløre barnets navn, og mødet er anonymt, "
                    "indtil samtykket er registreret."
                )
                % {"n": omitted},
            )
    return redirect("network_meetings:participants", pk=meeting.pk)
