"""The changes an advisor (or the team leader) makes on a child and a case: one form per page,
each working without JavaScript; the journal also adds a note in place with HTMX."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from cases import caseload, services
from cases.forms import (
    AssignForm,
    CaseCloseForm,
    CaseOpenForm,
    CaseStateForm,
    ChildCreateForm,
    ChildForm,
    GoalFormSet,
    GoalStatusForm,
    HandoverForm,
    InvestigationCompleteForm,
    InvestigationOpenForm,
    JournalCorrectForm,
    JournalForm,
    ParticipantForm,
    PlanForm,
    RelationForm,
    TransferForm,
    add_service_errors,
)
from cases.models import Case, CaseParticipant, CaseTransfer, Goal, Investigation, JournalNote, Plan, Relation
from cases.permissions import (
    can_assign_case,
    can_create_child,
    can_edit_child,
    can_record_handover,
    can_transfer_case,
)
from cases.selectors import cases_of_child, journal_of, team_advisor_choices, visible_case, visible_child
from cases.views.common import case_url, editable_case, form_page, posted, safe_next
from herning.core.access import role_required
from herning.organisation.models import Role

FORM_METHODS = ["GET", "POST"]


# --- The child ---------------------------------------------------------------------------------


@sensitive_post_parameters("cpr")
@require_http_methods(FORM_METHODS)
@role_required(Role.ADVISOR, Role.TEAM_LEADER)
def child_create(request):
    """Register a child the municipality does not know yet and open the child's case. An advisor
    becomes the case's advisor; a team leader assigns one afterwards."""
    user = request.user
    form = ChildCreateForm(posted(request), municipality=user.municipality)
    case_form = CaseOpenForm(posted(request), prefix="case")
    if request.method == "POST" and form.is_valid() and case_form.is_valid():
        try:
            with transaction.atomic():
                child = services.child_create(
                    municipality=user.municipality, created_by=user, **form.cleaned_data
                )
                services.case_open(
                    child=child,
                    opened_by=user,
                    advisor=user if user.has_role(Role.ADVISOR) else None,
                    opened_on=case_form.cleaned_data["opened_on"],
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
    if not can_edit_child(request.user, child, open_case):
        raise PermissionDenied(_("Du kan læse barnets oplysninger, men ikke ændre dem."))
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
        back_url=reverse("cases:child_detail", args=[child.pk]),
        submit_label=_("Gem"),
    )


@require_http_methods(FORM_METHODS)
@login_required
def case_open(request, pk: int):
    """Open a new case for a child whose earlier cases are closed."""
    child = visible_child(request.user, pk)
    cases = cases_of_child(child=child, user=request.user)
    if any(c.is_open for c in cases) or not can_create_child(request.user):
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
        back_url=reverse("cases:child_detail", args=[child.pk]),
        submit_label=_("Gem"),
        secondary_action=("end", _("Ikke længere aktuel")) if relation.is_active else None,
    )


# --- The case ----------------------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
@login_required
def case_assign(request, pk: int):
    case = visible_case(request.user, pk)
    if not can_assign_case(request.user, case):
        raise PermissionDenied(_("Kun teamlederen for sagens team kan fordele sagen."))
    advisors = team_advisor_choices(teams=[case.team])[case.team_id]
    form = AssignForm(
        posted(request),
        advisors=advisors,
        loads=caseload.open_case_counts(a.pk for a in advisors),
        cap=case.team.caseload_cap,
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
    """Move a case to another district when the family moves (001 compendium, "Praksis ved
    flytning af socialrådgivernes sager mellem distrikter")."""
    case = editable_case(request, pk)
    if not can_transfer_case(request.user, case):
        raise PermissionDenied(_("Du kan ikke flytte denne sag."))
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
        CaseTransfer.objects.filter(case__in=Case.objects.visible_to(request.user)).select_related(
            "case__child", "from_team", "to_team", "from_advisor", "case__advisor"
        ),
        pk=pk,
    )
    if not can_record_handover(request.user, transfer):
        raise PermissionDenied(
            _("Overleveringsmødet er registreret.")
            if transfer.handover_held_on
            else _("Kun den afgivende rådgiver og teamlederne kan registrere overleveringsmødet.")
        )
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


# --- Investigation -------------------------------------------------------------------------------


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


# --- The child's plan and its goals -------------------------------------------------------------


def _goal_data(formset) -> list[services.GoalData]:
    goals = []
    carried = {}
    ids = [f.cleaned_data.get("carried_from") for f in formset.forms if f.cleaned_data.get("carried_from")]
    if ids:
        carried = {g.pk: g for g in Goal.objects.filter(pk__in=ids).select_related("plan")}
    for f in formset.forms:
        data = f.cleaned_data
        if not data or data.get("left_out"):
            continue
        goals.append(
            services.GoalData(
                what=data["what"],
                who=data["who"],
                how_measured=data["how_measured"],
                by_when=data["by_when"],
                status=data["status"],
                carried_from=carried.get(data.get("carried_from")),
            )
        )
    return goals


@require_http_methods(FORM_METHODS)
@login_required
def plan_create(request, pk: int):
    case = editable_case(request, pk)
    pending = services.current_plan(case)
    if pending is not None and pending.is_made:
        return redirect("cases:plan_revise", pk=pending.pk)
    initial = {"kind": pending.kind if pending else services.plan_kind_for(case.child, timezone.localdate())}
    form = PlanForm(posted(request), initial=initial)
    goals = GoalFormSet(posted(request), prefix="goals")
    if request.method == "POST" and form.is_valid() and goals.is_valid():
        try:
            services.plan_create(
                case=case, created_by=request.user, goals=_goal_data(goals), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Planen er gemt."))
            return redirect(case_url(case, "plan"))
    return render(
        request,
        "cases/plan_form.html",
        {
            "title": _("Barnets plan"),
            "case": case,
            "form": form,
            "goals": goals,
            "pending": pending,
            "back_url": case_url(case),
        },
    )


@require_http_methods(FORM_METHODS)
@login_required
def plan_revise(request, pk: int):
    plan = get_object_or_404(Plan, pk=pk)
    case = editable_case(request, plan.case_id)
    previous = list(plan.goals.order_by("order", "pk"))
    form = PlanForm(
        posted(request),
        initial={"kind": plan.kind, "purpose": plan.purpose, "made_on": timezone.localdate()},
    )
    initial_goals = [
        {
            "carried_from": g.pk,
            "keep": True,
            "what": g.what,
            "who": g.who,
            "how_measured": g.how_measured,
            "by_when": g.by_when,
            "status": g.status,
        }
        for g in previous
    ]
    goals = GoalFormSet(posted(request), prefix="goals", initial=initial_goals, revising=True)
    if request.method == "POST" and form.is_valid() and goals.is_valid():
        try:
            services.plan_revise(
                plan=plan, revised_by=request.user, goals=_goal_data(goals), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Planen er revideret. Den tidligere version er bevaret."))
            return redirect(case_url(case, "plan"))
    return render(
        request,
        "cases/plan_form.html",
        {
            "title": _("Revidér planen (version %(v)s)") % {"v": plan.version + 1},
            "case": case,
            "form": form,
            "goals": goals,
            "revising": plan,
            "back_url": case_url(case),
        },
    )


@require_http_methods(FORM_METHODS)
@login_required
def goal_status(request, pk: int):
    goal = get_object_or_404(Goal.objects.select_related("plan"), pk=pk)
    case = editable_case(request, goal.plan.case_id)
    form = GoalStatusForm(posted(request), initial={"status": goal.status, "note": goal.status_note})
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update_status(
                goal=goal,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                updated_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error, field_map={"status_note": "note"})
        else:
            messages.success(request, _("Målets status er gemt."))
            return redirect(case_url(case, "plan"))
    return form_page(
        request,
        title=_("Status for mål"),
        form=form,
        case=case,
        back_url=case_url(case),
        submit_label=_("Gem status"),
        intro=goal.what,
    )


# --- The journal ---------------------------------------------------------------------------------


@require_http_methods(FORM_METHODS)
@login_required
def journal_add(request, pk: int):
    """Add a note. With HTMX the journal section is replaced in place; without it, a page."""
    case = editable_case(request, pk)
    form = JournalForm(posted(request), initial={"occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.journal_add(case=case, written_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                return render(
                    request,
                    "cases/panels/_journal.html",
                    {
                        "data": {
                            "case": case,
                            "notes": journal_of(case),
                            "form": JournalForm(initial={"occurred_on": timezone.localdate()}),
                            "can_edit": True,
                            "saved": True,
                        }
                    },
                )
            messages.success(request, _("Notatet er gemt i journalen."))
            return redirect(case_url(case, "journal"))
    if request.htmx:
        return render(
            request,
            "cases/panels/_journal.html",
            {"data": {"case": case, "notes": journal_of(case), "form": form, "can_edit": True}},
        )
    return form_page(
        request,
        title=_("Nyt journalnotat"),
        form=form,
        case=case,
        back_url=case_url(case, "journal"),
        submit_label=_("Gem notat"),
    )


@require_http_methods(FORM_METHODS)
@login_required
def journal_correct(request, pk: int):
    note = get_object_or_404(JournalNote, pk=pk)
    case = editable_case(request, note.case_id)
    form = JournalCorrectForm(posted(request), instance=note)
    if request.method == "POST" and form.is_valid():
        try:
            data = dict(form.cleaned_data)
            services.journal_correct(
                note=note, corrected_by=request.user, reason=data.pop("correction_reason"), **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Notatet er rettet. Den tidligere tekst er bevaret i historikken."))
            return redirect(case_url(case, "journal"))
    return form_page(
        request,
        title=_("Ret journalnotat"),
        form=form,
        case=case,
        back_url=case_url(case, "journal"),
        submit_label=_("Gem rettelse"),
        intro=_("Et journalnotat slettes aldrig. En rettelse vises ved notatet med din begrundelse."),
    )
