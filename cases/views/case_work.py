"""Pages for the case itself: assigning, moving to another district, the handover, state, closing, participants."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases import caseload, services
from cases.forms import (
    AssignForm,
    CaseCloseForm,
    CaseStateForm,
    HandoverForm,
    ParticipantForm,
    TransferForm,
)
from cases.models import CaseParticipant, CaseTransfer
from cases.permissions import Action, require
from cases.selectors import team_advisor_choices, visible_case
from cases.views.common import FORM_METHODS, case_url, editable_case, form_page, posted, safe_next
from herning.core.forms import add_service_errors


@require_http_methods(FORM_METHODS)
@login_required
def case_assign(request, pk: int):
    case = visible_case(request.user, pk)
    require(request.user, Action.ASSIGN, case)
    advisors = team_advisor_choices(teams=[case.team])[case.team_id]
    form = AssignForm(
        posted(request),
        advisors=advisors,
        loads=caseload.open_case_counts(a.pk for a in advisors),
        cap=case.team.caseload_cap,
        warning=case.team.caseload_warning,
        initial={"advisor": case.advisor_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_assign(
                case=case,
                advisor=form.cleaned_data["advisor"],
                assigned_by=request.user,
                override_reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Sagen er fordelt til %(name)s.") % {"name": form.cleaned_data["advisor"]}
            )
            return redirect(safe_next(request, case_url(case)))
    return form_page(
        request,
        title=_("Fordel sag nr. %(pk)s") % {"pk": case.pk},
        next_url=safe_next(request, ""),
        form=form,
        case=case,
        back_url=case_url(case),
        submit_label=_("Fordel"),
        intro=_("Teamets loft er %(cap)s sager pr. rådgiver, med advarsel fra %(warning)s.")
        % {"cap": case.team.caseload_cap, "warning": case.team.caseload_warning},
    )


@require_http_methods(FORM_METHODS)
@login_required
def case_transfer(request, pk: int):
    """Move a case to another district when the family moves (Herningmodellen 1.0, "Praksis ved
    flytning af socialrådgivernes sager mellem distrikter")."""
    case = editable_case(request, pk)
    require(request.user, Action.TRANSFER, case)
    stays = services.transfer_exception(case, timezone.localdate())
    default_due = timezone.localdate() + datetime.timedelta(days=settings.HERNING["HANDOVER_MEETING_DAYS"])
    form = TransferForm(posted(request), case=case, initial={"handover_due_on": default_due})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_transfer(case=case, transferred_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Sagen er flyttet til %(team)s. Teamlederen dér fordeler den til en rådgiver.")
                % {"team": form.cleaned_data["to_team"]},
            )
            return redirect(reverse("accounts:start"))
    return form_page(
        request,
        title=_("Flyt sag nr. %(pk)s til et andet distrikt") % {"pk": case.pk},
        form=form,
        case=case,
        back_url=case_url(case),
        submit_label=_("Flyt sagen"),
        intro=_(
            "Sagen flytter med familien til det nye distrikts team uden rådgiver; teamlederen dér fordeler "
            "den. Anbringelses- og efterværnssager bliver i distriktet. Sagens rådgiver indkalder den nye "
            "rådgiver til et overleveringsmøde og kan læse sagen, indtil mødet er registreret."
        ),
        warning=stays,
    )


@require_http_methods(FORM_METHODS)
@login_required
def handover_record(request, pk: int):
    """The handover meeting of a moved case: its deadline, and recording that it was held."""
    transfer = get_object_or_404(
        CaseTransfer.objects.visible_to(request.user).select_related(
            "case__child", "from_team", "to_team", "from_advisor", "case__advisor"
        ),
        pk=pk,
    )
    require(request.user, Action.RECORD_HANDOVER, transfer)
    form = HandoverForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.handover_record(
                transfer=transfer, held_on=form.cleaned_data["handover_held_on"], recorded_by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Overleveringsmødet er registreret."))
            return redirect(safe_next(request, reverse("accounts:start")))
    case = transfer.case
    return form_page(
        request,
        title=_("Overleveringsmøde for sag nr. %(pk)s") % {"pk": case.pk},
        form=form,
        case=case,
        back_url=safe_next(request, reverse("accounts:start")),
        next_url=safe_next(request, ""),
        submit_label=_("Registrér overleveringsmødet"),
        intro=_(
            "Sagen blev flyttet fra %(from)s til %(to)s den %(moved)s. %(advisor)s indkalder den nye "
            "rådgiver (%(new)s) til et overleveringsmøde senest %(due)s."
        )
        % {
            "from": transfer.from_team,
            "to": transfer.to_team,
            "moved": f"{transfer.transferred_on:%d.%m.%Y}",
            "advisor": transfer.from_advisor,
            "new": case.advisor or _("endnu ikke fordelt"),
            "due": f"{transfer.handover_due_on:%d.%m.%Y}",
        },
    )


@require_http_methods(FORM_METHODS)
@login_required
def case_state(request, pk: int):
    case = editable_case(request, pk)
    form = CaseStateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_set_state(case=case, state=form.cleaned_data["state"], changed_by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Sagens status er ændret."))
            return redirect(case_url(case))
    return form_page(
        request,
        title=_("Skift status for sag nr. %(pk)s") % {"pk": case.pk},
        form=form,
        case=case,
        back_url=case_url(case),
        submit_label=_("Skift status"),
        intro=_(
            "En børnefaglig undersøgelse, en indsats og lukning af sagen har deres egne sider. "
            "Efterværn gives til unge mellem 18 og 22 år."
        ),
    )


@require_http_methods(FORM_METHODS)
@login_required
def case_close(request, pk: int):
    case = editable_case(request, pk)
    form = CaseCloseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.case_close(case=case, closed_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Sagen er lukket. Den kan læses, men ikke længere ændres."))
            return redirect(case_url(case))
    return form_page(
        request,
        title=_("Luk sag nr. %(pk)s") % {"pk": case.pk},
        form=form,
        case=case,
        back_url=case_url(case),
        submit_label=_("Luk sagen"),
        intro=_("En lukket sag bevares og kan ikke ændres. Alle indsatser skal være afsluttet først."),
    )


@require_http_methods(FORM_METHODS)
@login_required
def participant_add(request, pk: int):
    case = editable_case(request, pk)
    form = ParticipantForm(posted(request), case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_participant_add(case=case, added_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Fagpersonen er tilknyttet sagen."))
            return redirect(case_url(case, "case"))
    return form_page(
        request,
        title=_("Tilknyt fagperson"),
        form=form,
        case=case,
        back_url=case_url(case),
        submit_label=_("Tilknyt"),
        intro=_("En tilknyttet fagperson (fx PPR-psykolog eller sundhedsplejerske) kan læse sagen."),
    )


@require_POST
@login_required
def participant_remove(request, pk: int, participant_pk: int):
    case = editable_case(request, pk)
    participant = get_object_or_404(CaseParticipant, pk=participant_pk, case=case)
    services.case_participant_remove(participant=participant, removed_by=request.user)
    messages.success(request, _("%(name)s er ikke længere tilknyttet sagen.") % {"name": participant.user})
    return redirect(case_url(case, "case"))
