"""Pages of network meetings: the list, planning, the meeting, changes, a follow-up meeting, cancelling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Child
from herning.audit.looks import log_look
from herning.audit.services import log_children_read
from herning.core.access import role_required
from herning.core.forms import add_service_errors
from herning.organisation.models import Role
from network_meetings import documents, forms, selectors, services
from network_meetings.models import (
    NetworkMeeting,
)
from network_meetings.views.common import PAGE, int_or_404, meeting_context, require_edit, visible_meeting


@role_required(*selectors.MEETING_ROLES)
def meeting_list(request):
    # A team leader looks after the team's meetings; everyone else starts with their own.
    default = "team" if request.user.has_role(Role.TEAM_LEADER) else "mine"
    scope = request.GET.get("vis") if request.GET.get("vis") in {"mine", "team"} else default
    meetings = selectors.meeting_list(user=request.user, scope=scope)
    now = timezone.now()
    upcoming = list(
        meetings.filter(status=NetworkMeeting.Status.PLANNED, ends_at__gte=now).order_by("starts_at", "pk")
    )
    earlier_page = Paginator(
        meetings.filter(Q(ends_at__lt=now) | ~Q(status=NetworkMeeting.Status.PLANNED)).order_by(
            "-starts_at", "-pk"
        ),
        25,
    ).get_page(request.GET.get("side"))
    shown = upcoming + list(earlier_page.object_list)
    if shown:
        log_children_read(
            user=request.user,
            children=[m.child for m in shown],
            channel=PAGE,
            purpose=_("Liste over netværksmøder"),
            what=request.path,
        )
    return render(
        request,
        "network_meetings/meeting_list.html",
        {"scope": scope, "upcoming": upcoming, "earlier": earlier_page, "now": now},
    )


def _plan_initial(user) -> dict:
    function = ", ".join(
        x for x in (user.job_title, user.municipality.name if user.municipality_id else "") if x
    )
    return {
        "kind": NetworkMeeting.Kind.NETWORK,
        "purpose": services.DEFAULT_PURPOSE,
        "initiator_name": user.get_full_name(),
        "initiator_function": function,
        "contact_name": user.get_full_name(),
        "contact_phone": user.phone,
        "contact_email": user.email,
    }


@role_required(*selectors.MEETING_ROLES)
def meeting_create(request):
    user = request.user
    children = Child.objects.visible_to(user).order_by("first_name", "last_name")
    child = get_object_or_404(children, pk=int_or_404(request.GET["barn"])) if "barn" in request.GET else None
    slots = selectors.bookable_slots(municipality_id=user.municipality_id)
    initial = _plan_initial(user)
    if "tid" in request.GET:
        initial["slot"] = get_object_or_404(slots, pk=int_or_404(request.GET["tid"]))
    form = forms.MeetingForm(
        request.POST or None, children=None if child else children, slots=slots, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_plan(
                child=child or data["child"],
                planned_by=user,
                starts_at=data.get("starts_at"),
                ends_at=data.get("ends_at"),
                slot=data.get("slot"),
                initiator_user=user,
                **{f: data[f] for f in services.MEETING_FIELDS},
            )
        except ValidationError as error:
            add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
        else:
            messages.success(request, _("Mødet er planlagt. Tilføj deltagerne, og registrér samtykke."))
            return redirect("network_meetings:participants", pk=meeting.pk)
    # The child planned for, or the list of children to choose from (each name is shown).
    log_look(request, [child] if child is not None else list(children), purpose=_("Planlæg netværksmøde"))
    return render(request, "network_meetings/meeting_form.html", {"form": form, "child": child})


@login_required
def meeting_detail(request, pk):
    meeting = visible_meeting(request, pk, purpose=_("Netværksmøde"))
    return render(
        request,
        "network_meetings/meeting_detail.html",
        meeting_context(
            request,
            meeting,
            "overview",
            previous_agreements=documents.previous_agreements(meeting),
            sees_child=Child.objects.visible_to(request.user).filter(pk=meeting.child_id).exists(),
            follow_ups=list(meeting.follow_up_meetings.exclude(status=NetworkMeeting.Status.CANCELLED)),
        ),
    )


@login_required
def meeting_edit(request, pk):
    meeting = visible_meeting(request, pk, purpose=_("Ret netværksmøde"))
    require_edit(request, meeting)
    if meeting.status != NetworkMeeting.Status.PLANNED:
        messages.error(request, _("Mødet er afholdt eller aflyst og kan ikke ændres."))
        return redirect("network_meetings:detail", pk=meeting.pk)
    local_start, local_end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    initial = {f: getattr(meeting, f) for f in services.MEETING_FIELDS}
    initial.update(day=local_start.date(), start_time=local_start.time(), end_time=local_end.time())
    form = forms.MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_update(
                meeting=meeting,
                by=request.user,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                **{f: data[f] for f in services.MEETING_FIELDS},
            )
        except ValidationError as error:
            add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
        else:
            messages.success(request, _("Mødet er opdateret."))
            return redirect("network_meetings:detail", pk=meeting.pk)
    return render(
        request,
        "network_meetings/meeting_edit.html",
        meeting_context(request, meeting, "overview", form=form),
    )


@login_required
def meeting_cancel(request, pk):
    meeting = visible_meeting(request, pk, purpose=_("Aflys netværksmøde"))
    require_edit(request, meeting)
    if meeting.status != NetworkMeeting.Status.PLANNED:
        messages.error(request, _("Mødet er afholdt eller aflyst og kan ikke aflyses."))
        return redirect("network_meetings:detail", pk=meeting.pk)
    form = forms.CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
        else:
            messages.success(request, _("Mødet er aflyst. De inviterede får besked."))
            return redirect("network_meetings:detail", pk=meeting.pk)
    return render(
        request,
        "network_meetings/meeting_cancel.html",
        meeting_context(request, meeting, "overview", form=form),
    )


@login_required
def meeting_follow_up(request, pk):
    previous = visible_meeting(request, pk, purpose=_("Planlæg opfølgende netværksmøde"))
    require_edit(request, previous)
    slots = selectors.bookable_slots(municipality_id=request.user.municipality_id)
    form = forms.FollowUpForm(request.POST or None, slots=slots, initial={"place": previous.place})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_plan_follow_up(
                previous=previous,
                planned_by=request.user,
                starts_at=data.get("starts_at"),
                ends_at=data.get("ends_at"),
                place=data["place"],
                slot=data.get("slot"),
            )
        except ValidationError as error:
            add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
        else:
            messages.success(request, _("Det opfølgende møde er planlagt med de samme deltagere."))
            return redirect("network_meetings:detail", pk=meeting.pk)
    return render(
        request,
        "network_meetings/meeting_follow_up.html",
        meeting_context(request, previous, "overview", form=form),
    )
