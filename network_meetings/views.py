"""Pages for network meetings, the network map and the meeting slots.

Every meeting page starts from ``selectors.meetings_visible_to`` (404 outside it) and every map
page from ``Child.objects.visible_to`` (404 outside it); changing something the person may read
but not change is 403 with a reason. Every read of a child's data is logged.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import Child, Investigation
from herning.audit.models import AccessLog
from herning.audit.services import log_child_read, log_children_read
from herning.core.access import role_required
from herning.organisation.models import Role, Team
from network_meetings import diagram, documents, figures, forms, selectors, services
from network_meetings.models import (
    Agreement,
    MeetingSlot,
    NetworkMap,
    NetworkMapPerson,
    NetworkMeeting,
    Participant,
)

PAGE = AccessLog.Channel.PAGE
PRINT = AccessLog.Channel.PRINT


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _meeting(request, pk: int, *, purpose: str | None = None, channel: str = PAGE) -> NetworkMeeting:
    """The meeting if the person may read it (else 404); with ``purpose`` the read is logged."""
    try:
        meeting = selectors.meeting_detail(user=request.user, pk=pk)
    except NetworkMeeting.DoesNotExist:
        raise Http404 from None
    if purpose:
        log_child_read(
            user=request.user,
            child=meeting.child,
            case=meeting.case,
            channel=channel,
            purpose=purpose,
            what=request.path,
        )
    return meeting


def _require_edit(request, meeting: NetworkMeeting) -> None:
    if not selectors.can_edit_meeting(request.user, meeting):
        raise PermissionDenied(_("Du kan læse mødet, men ikke ændre det."))


def _meeting_context(request, meeting: NetworkMeeting, tab: str, **extra) -> dict:
    can_edit = selectors.can_edit_meeting(request.user, meeting)
    return {
        "meeting": meeting,
        "tab": tab,
        "can_edit": can_edit,
        # Rights to change it, and a meeting still open to change (not held, not cancelled).
        "can_change": can_edit and meeting.status == NetworkMeeting.Status.PLANNED,
        **extra,
    }


def _error_message(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- Meetings ---------------------------------------------------------------------------------


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


_MEETING_FIELDS = (
    "kind",
    "place",
    "purpose",
    "reason",
    "agenda",
    "agenda_made_with_parents",
    "procedure",
    "initiator_name",
    "initiator_function",
    "contact_name",
    "contact_phone",
    "contact_email",
    "concern_noted_on",
)


@role_required(*selectors.MEETING_ROLES)
def meeting_create(request):
    user = request.user
    children = Child.objects.visible_to(user).order_by("first_name", "last_name")
    child = get_object_or_404(children, pk=_int(request.GET["barn"])) if "barn" in request.GET else None
    slots = selectors.bookable_slots(municipality_id=user.municipality_id)
    initial = _plan_initial(user)
    if "tid" in request.GET:
        initial["slot"] = get_object_or_404(slots, pk=_int(request.GET["tid"]))
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
                **{f: data[f] for f in _MEETING_FIELDS},
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Mødet er planlagt. Tilføj deltagerne, og registrér samtykke."))
            return redirect("network_meetings:participants", pk=meeting.pk)
    if child is not None:
        log_child_read(
            user=user, child=child, channel=PAGE, purpose=_("Planlæg netværksmøde"), what=request.path
        )
    return render(request, "network_meetings/meeting_form.html", {"form": form, "child": child})


@login_required
def meeting_detail(request, pk):
    meeting = _meeting(request, pk, purpose=_("Netværksmøde"))
    return render(
        request,
        "network_meetings/meeting_detail.html",
        _meeting_context(
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
    meeting = _meeting(request, pk, purpose=_("Ret netværksmøde"))
    _require_edit(request, meeting)
    if meeting.status != NetworkMeeting.Status.PLANNED:
        messages.error(request, _("Mødet er afholdt eller aflyst og kan ikke ændres."))
        return redirect("network_meetings:detail", pk=meeting.pk)
    local_start, local_end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    initial = {f: getattr(meeting, f) for f in _MEETING_FIELDS}
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
                **{f: data[f] for f in _MEETING_FIELDS},
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Mødet er opdateret."))
            return redirect("network_meetings:detail", pk=meeting.pk)
    return render(
        request,
        "network_meetings/meeting_edit.html",
        _meeting_context(request, meeting, "overview", form=form),
    )


@login_required
def meeting_cancel(request, pk):
    meeting = _meeting(request, pk, purpose=_("Aflys netværksmøde"))
    _require_edit(request, meeting)
    if meeting.status != NetworkMeeting.Status.PLANNED:
        messages.error(request, _("Mødet er afholdt eller aflyst og kan ikke aflyses."))
        return redirect("network_meetings:detail", pk=meeting.pk)
    form = forms.CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Mødet er aflyst. De inviterede får besked."))
            return redirect("network_meetings:detail", pk=meeting.pk)
    return render(
        request,
        "network_meetings/meeting_cancel.html",
        _meeting_context(request, meeting, "overview", form=form),
    )


@login_required
def meeting_follow_up(request, pk):
    previous = _meeting(request, pk, purpose=_("Planlæg opfølgende netværksmøde"))
    _require_edit(request, previous)
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
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Det opfølgende møde er planlagt med de samme deltagere."))
            return redirect("network_meetings:detail", pk=meeting.pk)
    return render(
        request,
        "network_meetings/meeting_follow_up.html",
        _meeting_context(request, previous, "overview", form=form),
    )


# --- Participants -----------------------------------------------------------------------------


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
    meeting = _meeting(request, pk, purpose=_("Deltagere i netværksmøde"))
    can_edit = selectors.can_edit_meeting(request.user, meeting)
    form = forms.ParticipantForm(request.POST or None, municipality_id=meeting.municipality_id)
    if request.method == "POST":
        _require_edit(request, meeting)
        if form.is_valid():
            try:
                services.participant_add(meeting=meeting, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("Deltageren er tilføjet."))
                return redirect("network_meetings:participants", pk=meeting.pk)
    can_change = can_edit and meeting.status == NetworkMeeting.Status.PLANNED
    network_map, map_people = _map_people_to_invite(request, meeting) if can_change else (None, None)
    context = _meeting_context(
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
    meeting = _meeting(request, pk)
    _require_edit(request, meeting)
    participant = get_object_or_404(meeting.participants.all(), pk=participant_pk)
    return meeting, participant


@login_required
def participant_edit(request, pk, participant_pk):
    meeting, participant = _participant(request, pk, participant_pk)
    form = forms.ParticipantForm(
        request.POST or None, instance=participant, municipality_id=meeting.municipality_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                participant=Participant.objects.get(pk=participant.pk), by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Deltageren er opdateret."))
            return redirect("network_meetings:participants", pk=meeting.pk)
    return render(
        request,
        "network_meetings/participant_form.html",
        _meeting_context(request, meeting, "participants", form=form, participant=participant),
    )


@login_required
@require_POST
def participant_status(request, pk, participant_pk):
    meeting, participant = _participant(request, pk, participant_pk)
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
        _error_message(request, error)
    else:
        messages.success(request, _("Deltageren er fjernet."))
    return redirect("network_meetings:participants", pk=meeting.pk)


@login_required
@require_POST
def meeting_roles(request, pk):
    meeting = _meeting(request, pk)
    _require_edit(request, meeting)
    form = forms.RolesForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.meeting_set_roles(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _error_message(request, error)
        else:
            messages.success(request, _("Mødeleder og referent er gemt."))
    else:
        messages.error(request, _("Vælg mødeleder og referent blandt deltagerne."))
    return redirect("network_meetings:participants", pk=meeting.pk)


@login_required
@require_POST
def participants_from_map(request, pk):
    meeting = _meeting(request, pk)
    _require_edit(request, meeting)
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
        _error_message(request, error)
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


# --- Consent ----------------------------------------------------------------------------------


@login_required
def meeting_consent(request, pk):
    meeting = _meeting(request, pk, purpose=_("Samtykke til netværksmøde"))
    can_edit = selectors.can_edit_meeting(request.user, meeting)
    holders = meeting.child.relations.filter(has_custody=True, is_active=True).order_by("name")
    # Custody holders are named only to those who may read the child's record; taking part in
    # the meeting (or chairing it) does not open it.
    sees_child = Child.objects.visible_to(request.user).filter(pk=meeting.child_id).exists()
    form = forms.ConsentForm(
        request.POST or None,
        custody_holders=holders,
        name_holders=sees_child,
        initial={"given_on": timezone.localdate()},
    )
    if request.method == "POST":
        _require_edit(request, meeting)
        if form.is_valid():
            try:
                services.consent_record(meeting=meeting, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("Samtykket er registreret."))
                return redirect("network_meetings:consent", pk=meeting.pk)
    return render(
        request,
        "network_meetings/consent.html",
        _meeting_context(
            request,
            meeting,
            "consent",
            form=form,
            missing=services.missing_consents(meeting) if can_edit else [],
            sees_child=sees_child,
        ),
    )


# --- Invitation -------------------------------------------------------------------------------


@login_required
def meeting_invitation(request, pk):
    meeting = _meeting(request, pk, purpose=_("Invitation til netværksmøde"))
    participants = list(meeting.participants.all())
    sent_to = set(
        meeting.dispatches.filter(kind="invitation", sequence=meeting.sequence).values_list(
            "participant_id", flat=True
        )
    )
    context = _meeting_context(
        request,
        meeting,
        "invitation",
        document=documents.invitation_context(meeting),
        to_send=[p for p in participants if p.email and p.pk not in sent_to],
        without_email=[p for p in participants if not p.email],
    )
    return render(request, "network_meetings/invitation.html", context)


@login_required
def meeting_invitation_pdf(request, pk):
    meeting = _meeting(request, pk, purpose=_("Invitation til netværksmøde (PDF)"), channel=PRINT)
    pdf = documents.render_pdf(
        "network_meetings/documents/invitation_pdf.html", documents.invitation_context(meeting)
    )
    return _pdf_response(pdf, documents.pdf_filename("invitation", meeting))


@login_required
@require_POST
def meeting_invitation_send(request, pk):
    meeting = _meeting(request, pk)
    _require_edit(request, meeting)
    try:
        dispatches = services.invitation_send(meeting=meeting, by=request.user)
    except ValidationError as error:
        _error_message(request, error)
    else:
        if dispatches:
            messages.success(
                request,
                _("Invitationen sendes nu til %(n)s deltagere med kalenderinvitation.")
                % {"n": len(dispatches)},
            )
        else:
            messages.info(request, _("Alle deltagere med e-mail har allerede fået denne invitation."))
    return redirect("network_meetings:invitation", pk=meeting.pk)


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Minutes and agreements -------------------------------------------------------------------


@login_required
def meeting_minutes(request, pk):
    meeting = _meeting(request, pk, purpose=_("Referat af netværksmøde"))
    form = None
    if request.method == "POST":
        _require_edit(request, meeting)
        form = forms.MinutesForm(request.POST, meeting=meeting)
        if form.is_valid():
            try:
                services.minutes_save(meeting=meeting, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("Referatet er gemt."))
                return redirect("network_meetings:minutes", pk=meeting.pk)
    return _minutes_page(request, meeting, form=form)


def _minutes_page(request, meeting, *, form=None, agreement_form=None, status: int = 200):
    """The minutes page; a form given is shown as it was sent, with its errors."""
    can_edit = selectors.can_edit_meeting(request.user, meeting)
    minutes = getattr(meeting, "minutes", None)
    sent = minutes is not None and minutes.is_sent
    editable = can_edit and not sent and not meeting.is_cancelled
    if form is None and editable:
        initial = {"attended": [p.pk for p in meeting.participants.all() if p.attended]}
        if minutes is not None:
            initial.update(
                concerns=minutes.concerns, working=minutes.working, want_to_see=minutes.want_to_see
            )
        form = forms.MinutesForm(meeting=meeting, initial=initial)
    agreements = list(meeting.agreements.all())
    context = _meeting_context(
        request,
        meeting,
        "minutes",
        minutes=minutes,
        sent=sent,
        form=form if editable else None,
        agreement_form=(agreement_form or forms.AgreementForm(meeting=meeting)) if editable else None,
        agreements=[(a, selectors.can_mark_agreement_done(request.user, a)) for a in agreements],
        recipients=[p for p in meeting.participants.all() if p.was_invited or p.attended],
        started=meeting.starts_at <= timezone.now(),
    )
    return render(request, "network_meetings/minutes.html", context, status=status)


@login_required
def minutes_print(request, pk):
    meeting = _meeting(request, pk, purpose=_("Udskrift af referat"), channel=PRINT)
    return render(
        request,
        "network_meetings/minutes_print.html",
        _meeting_context(
            request, meeting, "minutes", document=documents.minutes_context(meeting, with_cpr=True)
        ),
    )


@login_required
def minutes_pdf(request, pk):
    meeting = _meeting(request, pk, purpose=_("Referat af netværksmøde (PDF)"), channel=PRINT)
    pdf = documents.render_pdf(
        "network_meetings/documents/minutes_pdf.html", documents.minutes_context(meeting, with_cpr=True)
    )
    return _pdf_response(pdf, documents.pdf_filename("referat", meeting))


@login_required
@require_POST
def minutes_send(request, pk):
    meeting = _meeting(request, pk)
    _require_edit(request, meeting)
    try:
        dispatches = services.minutes_send(meeting=meeting, by=request.user)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(
            request, _("Referatet er sendt. %(n)s inviterede får det på e-mail.") % {"n": len(dispatches)}
        )
        by_hand = services.minutes_recipients_without_email(meeting)
        if by_hand:
            messages.warning(
                request,
                _("Giv referatet til dem uden e-mail: %(who)s.")
                % {"who": ", ".join(p.label for p in by_hand)},
            )
    return redirect("network_meetings:minutes", pk=meeting.pk)


@login_required
@require_POST
def agreement_add(request, pk):
    meeting = _meeting(request, pk)
    _require_edit(request, meeting)
    form = forms.AgreementForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.agreement_add(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Aftalen er tilføjet."))
            return redirect("network_meetings:minutes", pk=meeting.pk)
    # Shown again as typed, with the errors at the fields, rather than lost in a redirect; the
    # page shows the child's meeting again, so the read is logged as the minutes page logs it.
    _meeting(request, pk, purpose=_("Referat af netværksmøde"))
    return _minutes_page(request, meeting, agreement_form=form, status=400)


def _agreement(request, pk, agreement_pk) -> Agreement:
    meeting = _meeting(request, pk)
    return get_object_or_404(Agreement.objects.select_related("meeting"), pk=agreement_pk, meeting=meeting)


@login_required
@require_POST
def agreement_remove(request, pk, agreement_pk):
    agreement = _agreement(request, pk, agreement_pk)
    _require_edit(request, agreement.meeting)
    try:
        services.agreement_remove(agreement=agreement, by=request.user)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("Aftalen er fjernet."))
    return redirect("network_meetings:minutes", pk=pk)


@login_required
@require_POST
def agreement_done(request, pk, agreement_pk):
    agreement = _agreement(request, pk, agreement_pk)
    if not selectors.can_mark_agreement_done(request.user, agreement):
        raise PermissionDenied(_("Kun den ansvarlige og mødets arrangører kan markere aftalen som udført."))
    form = forms.AgreementDoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.agreement_mark_done(agreement=agreement, by=request.user, note=note)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("Aftalen er markeret som udført."))
    return redirect(request.POST.get("next") or reverse("network_meetings:minutes", args=[pk]))


# --- Network map ------------------------------------------------------------------------------


def _visible_child(request, child_pk) -> Child:
    return get_object_or_404(Child.objects.visible_to(request.user), pk=child_pk)


def _log_map_read(request, child, purpose) -> None:
    log_child_read(user=request.user, child=child, channel=PAGE, purpose=purpose, what=request.path)


def _investigations(child):
    return Investigation.objects.filter(case__child=child).order_by("-decided_on")


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
    can_edit = selectors.can_edit_network_map(request.user, child)
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
        NetworkMap.objects.filter(child__in=Child.objects.visible_to(request.user)).select_related(
            "child", "investigation", "created_by"
        ),
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
    child = _visible_child(request, child_pk)
    if not selectors.can_edit_network_map(request.user, child):
        raise PermissionDenied(_("Kun sagens rådgiver og teamleder kan ændre netværkskortet."))
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
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("En ny version af netværkskortet er oprettet."))
            return redirect("network_meetings:network_map", child_pk=child.pk)
    _log_map_read(request, child, _("Netværkskort"))
    return _network_map_page(request, child, new_version_form=form, status=400)


def _latest_map(request, pk) -> NetworkMap:
    network_map = get_object_or_404(
        NetworkMap.objects.filter(child__in=Child.objects.visible_to(request.user)).select_related("child"),
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
        instance=NetworkMap.objects.get(pk=pk),
        investigations=_investigations(network_map.child),
    )
    if form.is_valid():
        try:
            services.network_map_update(network_map=network_map, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            forms.add_service_errors(form, error)
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
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Personen er tilføjet netværkskortet."))
            return redirect("network_meetings:network_map", child_pk=network_map.child_id)
    return render(
        request,
        "network_meetings/network_map_person_form.html",
        {"form": form, "network_map": network_map, "child": network_map.child},
    )


def _map_person(request, person_pk) -> NetworkMapPerson:
    person = get_object_or_404(
        NetworkMapPerson.objects.filter(
            network_map__child__in=Child.objects.visible_to(request.user)
        ).select_related("network_map__child"),
        pk=person_pk,
    )
    _editable_child(request, person.network_map.child_id)
    return person


@login_required
def network_map_person_edit(request, person_pk):
    person = _map_person(request, person_pk)
    network_map = person.network_map
    form = forms.NetworkMapPersonForm(
        request.POST or None,
        instance=NetworkMapPerson.objects.get(pk=person.pk),
        municipality_id=network_map.child.municipality_id,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.network_map_person_update(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("Personen er opdateret."))
            return redirect("network_meetings:network_map", child_pk=network_map.child_id)
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
        _error_message(request, error)
    else:
        messages.success(request, _("Personen er fjernet fra netværkskortet."))
    return redirect("network_meetings:network_map", child_pk=person.network_map.child_id)


# --- Meeting slots ----------------------------------------------------------------------------


def _parse_week(value: str | None) -> tuple[int, int]:
    """``2026-W10`` (the browser's week input) or today's ISO week."""
    if value:
        try:
            year, week = value.upper().split("-W")
            datetime.date.fromisocalendar(int(year), int(week), 1)
            return int(year), int(week)
        except ValueError:
            pass
    iso = timezone.localdate().isocalendar()
    return iso.year, iso.week


def _week_param(day: datetime.date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


@role_required(*selectors.MEETING_ROLES)
def slot_calendar(request):
    user = request.user
    teams = Team.objects.filter(district__municipality_id=user.municipality_id).select_related("district")
    if "team" in request.GET:
        team = get_object_or_404(teams, pk=_int(request.GET["team"]))
    else:
        team = user.primary_team or teams.first()
        if team is None:
            raise Http404
    year, week = _parse_week(request.GET.get("uge"))
    monday = datetime.date.fromisocalendar(year, week, 1)
    slots = selectors.slots_in_week(team=team, year=year, week=week)
    days = []
    for offset in range(7):
        day = monday + datetime.timedelta(days=offset)
        day_slots = [s for s in slots if timezone.localtime(s.starts_at).date() == day]
        if offset < 5 or day_slots:
            days.append({"date": day, "slots": day_slots})
    member = team.pk in user.team_ids
    context = {
        "teams": teams,
        "team": team,
        "year": year,
        "week": week,
        "week_param": _week_param(monday),
        "previous_week": _week_param(monday - datetime.timedelta(days=7)),
        "next_week": _week_param(monday + datetime.timedelta(days=7)),
        "days": days,
        "now": timezone.now(),
        "is_member": member,
    }
    return render(request, "network_meetings/slot_calendar.html", context)


@role_required(*selectors.MEETING_ROLES)
def slot_offer(request):
    user = request.user
    teams = Team.objects.filter(pk__in=user.team_ids).order_by("name")
    if not teams:
        raise PermissionDenied(_("Du er ikke medlem af et team."))
    form = forms.SlotOfferForm(request.POST or None, teams=teams, initial={"team": user.primary_team})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            slots = services.slots_offer(
                team=data["team"],
                by=user,
                first_start=data["first_start"],
                duration=data["duration"],
                place=data["place"],
                weeks=data["weeks"],
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, _("%(n)s faste mødetider er udbudt.") % {"n": len(slots)})
            url = reverse("network_meetings:slots")
            return redirect(f"{url}?team={data['team'].pk}&uge={_week_param(data['day'])}")
    return render(request, "network_meetings/slot_offer.html", {"form": form})


@role_required(*selectors.MEETING_ROLES)
@require_POST
def slot_release(request, pk):
    user = request.user
    slot = get_object_or_404(
        MeetingSlot.objects.filter(team__district__municipality_id=user.municipality_id), pk=pk
    )
    if slot.team_id not in user.team_ids:
        raise PermissionDenied(_("Kun teamets egne medarbejdere kan frigive teamets tider."))
    try:
        services.slot_release(slot=slot, by=user)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("Tiden er frigivet."))
    url = reverse("network_meetings:slots")
    return redirect(f"{url}?team={slot.team_id}&uge={_week_param(timezone.localtime(slot.starts_at).date())}")


# --- Figures for management -------------------------------------------------------------------


@role_required(Role.MANAGEMENT)
def meeting_figures(request):
    today = timezone.localdate()
    form = forms.PeriodForm(
        request.GET or None, initial={"start": today - datetime.timedelta(days=365), "end": today}
    )
    start, end = today - datetime.timedelta(days=365), today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    rows = figures.team_figures(municipality_id=request.user.municipality_id, start=start, end=end)
    return render(
        request,
        "network_meetings/figures.html",
        {"form": form, "rows": rows[:-1], "total": rows[-1], "start": start, "end": end},
    )
