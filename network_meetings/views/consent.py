"""The consent page of a meeting: the custody holders' consent to discussing a named child."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Child
from cases.permissions import Action, may
from herning.core.forms import add_service_errors
from network_meetings import forms, services
from network_meetings.views.common import meeting_context, require_edit, visible_meeting


@login_required
def meeting_consent(request, pk):
    meeting = visible_meeting(request, pk, purpose=_("Samtykke til netværksmøde"))
    can_edit = may(request.user, Action.EDIT_MEETING, meeting)
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
        require_edit(request, meeting)
        if form.is_valid():
            try:
                services.consent_record(meeting=meeting, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error, field_map=forms.SERVICE_ERROR_FIELDS)
            else:
                messages.success(request, _("Samtykket er registreret."))
                return redirect("network_meetings:consent", pk=meeting.pk)
    return render(
        request,
        "network_meetings/consent.html",
        meeting_context(
            request,
            meeting,
            "consent",
            form=form,
            missing=services.missing_consents(meeting) if can_edit else [],
            sees_child=sees_child,
        ),
    )
