"""The invitation and the minutes of a meeting (page, print, PDF, e-mail) and its agreements."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.permissions import Action, may
from herning.core import letters
from herning.core.forms import add_service_errors
from network_meetings import documents, forms, services
from network_meetings.models import (
    Agreement,
)
from network_meetings.views.common import PRINT, error_message, meeting_context, require_edit, visible_meeting


@login_required
def meeting_invitation(request, pk):
    meeting = visible_meeting(request, pk, purpose=_("Invitation til netværksmøde"))
    participants = list(meeting.participants.all())
    sent_to = set(
        meeting.dispatches.filter(kind="invitation", sequence=meeting.sequence).values_list(
            "participant_id", flat=True
        )
    )
    context = meeting_context(
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
    meeting = visible_meeting(request, pk, purpose=_("Invitation til netværksmøde (PDF)"), channel=PRINT)
    pdf = documents.render_pdf(
        "network_meetings/documents/invitation_pdf.html",
        documents.invitation_context(meeting),
        meeting=meeting,
    )
    return letters.pdf_response(pdf, documents.pdf_filename("invitation", meeting))


@login_required
@require_POST
def meeting_invitation_send(request, pk):
    meeting = visible_meeting(request, pk)
    try:
        dispatches = services.invitation_send(meeting=meeting, by=request.user)
    except ValidationError as error:
        error_message(request, error)
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


@login_required
def meeting_minutes(request, pk):
    meeting = visible_meeting(request, pk, purpose=_("Referat af netværksmøde"))
    form = None
    if request.method == "POST":
        require_edit(request, meeting)
        form = forms.MinutesForm(request.POST, meeting=meeting)
        if form.is_valid():
            try:
                services.minutes_save(meeting=meeting, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
            else:
                messages.success(request, _("Referatet er gemt."))
                return redirect("network_meetings:minutes", pk=meeting.pk)
    return _minutes_page(request, meeting, form=form)


def _minutes_page(request, meeting, *, form=None, agreement_form=None, status: int = 200):
    """The minutes page; a form given is shown as it was sent, with its errors."""
    can_edit = may(request.user, Action.EDIT_MEETING, meeting)
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
    context = meeting_context(
        request,
        meeting,
        "minutes",
        minutes=minutes,
        sent=sent,
        form=form if editable else None,
        agreement_form=(agreement_form or forms.AgreementForm(meeting=meeting)) if editable else None,
        agreements=[(a, may(request.user, Action.MARK_AGREEMENT_DONE, a)) for a in agreements],
        recipients=[p for p in meeting.participants.all() if p.was_invited or p.attended],
        started=meeting.starts_at <= timezone.now(),
    )
    return render(request, "network_meetings/minutes.html", context, status=status)


@login_required
def minutes_print(request, pk):
    meeting = visible_meeting(request, pk, purpose=_("Udskrift af referat"), channel=PRINT)
    return render(
        request,
        "network_meetings/minutes_print.html",
        meeting_context(
            request, meeting, "minutes", document=documents.minutes_context(meeting, with_cpr=True)
        ),
    )


@login_required
def minutes_pdf(request, pk):
    meeting = visible_meeting(request, pk, purpose=_("Referat af netværksmøde (PDF)"), channel=PRINT)
    pdf = documents.render_pdf(
        "network_meetings/documents/minutes_pdf.html",
        documents.minutes_context(meeting, with_cpr=True),
        meeting=meeting,
    )
    return letters.pdf_response(pdf, documents.pdf_filename("referat", meeting))


@login_required
@require_POST
def minutes_send(request, pk):
    meeting = visible_meeting(request, pk)
    try:
        dispatches = services.minutes_send(meeting=meeting, by=request.user)
    except ValidationError as error:
        error_message(request, error)
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
    meeting = visible_meeting(request, pk)
    require_edit(request, meeting)
    form = forms.AgreementForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            services.agreement_add(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
        else:
            messages.success(request, _("Aftalen er tilføjet."))
            return redirect("network_meetings:minutes", pk=meeting.pk)
    # Shown again as typed, with the errors at the fields, rather than lost in a redirect; the
    # page shows the child's meeting again, so the read is logged as the minutes page logs it.
    visible_meeting(request, pk, purpose=_("Referat af netværksmøde"))
    return _minutes_page(request, meeting, agreement_form=form, status=400)


def _agreement(request, pk, agreement_pk) -> Agreement:
    meeting = visible_meeting(request, pk)
    return get_object_or_404(
        Agreement.objects.for_system().select_related("meeting"), pk=agreement_pk, meeting=meeting
    )


@login_required
@require_POST
def agreement_remove(request, pk, agreement_pk):
    agreement = _agreement(request, pk, agreement_pk)
    try:
        services.agreement_remove(agreement=agreement, by=request.user)
    except ValidationError as error:
        error_message(request, error)
    else:
        messages.success(request, _("Aftalen er fjernet."))
    return redirect("network_meetings:minutes", pk=pk)


@login_required
@require_POST
def agreement_done(request, pk, agreement_pk):
    agreement = _agreement(request, pk, agreement_pk)
    form = forms.AgreementDoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.agreement_mark_done(agreement=agreement, by=request.user, note=note)
    except ValidationError as error:
        error_message(request, error)
    else:
        messages.success(request, _("Aftalen er markeret som udført."))
    return redirect(request.POST.get("next") or reverse("network_meetings:minutes", args=[pk]))
