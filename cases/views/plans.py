"""Pages for the child's plan: the first plan, a revision, a goal's status, the plan printed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cases import documents, services
from cases.forms import (
    GoalFormSet,
    GoalStatusForm,
    PlanForm,
)
from cases.models import Goal, Plan
from cases.selectors import visible_case
from cases.views.common import FORM_METHODS, case_url, editable_case, form_page, log_page_read, posted
from herning.audit.looks import log_look
from herning.audit.models import AccessLog
from herning.core import letters
from herning.core.forms import add_service_errors


def _goal_data(formset) -> list[services.GoalData]:
    goals = []
    carried = {}
    ids = [f.cleaned_data.get("carried_from") for f in formset.forms if f.cleaned_data.get("carried_from")]
    if ids:
        carried = {g.pk: g for g in Goal.objects.for_system().filter(pk__in=ids).select_related("plan")}
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
    log_page_read(request, child=case.child, case=case)
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
    log_page_read(request, child=case.child, case=case)
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
    goal = get_object_or_404(Goal.objects.visible_to(request.user).select_related("plan"), pk=pk)
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


def _printed_plan(request, pk: int, *, what: str) -> Plan:
    """The plan ``pk`` to print, read as the plan on the child's page is: through its case
    (``visible_case``, 404 for a case the person may not read), the look logged as a print. A plan
    that is due but not yet made has nothing to print."""
    plan = get_object_or_404(Plan.objects.visible_to(request.user).select_related("created_by"), pk=pk)
    plan.case = visible_case(request.user, plan.case_id)
    if not plan.is_made:
        raise Http404
    log_look(request, [(plan.case.child, plan.case)], channel=AccessLog.Channel.PRINT, what=what)
    return plan


@require_GET
@login_required
def plan_print(request, pk: int):
    """The plan as a page to print: the browser prints it without the application around it."""
    plan = _printed_plan(request, pk, what=_("Udskrift af barnets plan"))
    return render(
        request,
        "cases/plan_print.html",
        {
            "title": _("Barnets plan"),
            "case": plan.case,
            "child": plan.case.child,
            "document": documents.plan_context(plan),
        },
    )


@require_GET
@login_required
def plan_pdf(request, pk: int):
    """The plan as PDF on the municipality's letterhead, dated with the plan's own date."""
    plan = _printed_plan(request, pk, what=_("Barnets plan (PDF)"))
    return letters.pdf_response(documents.render_pdf(plan), documents.pdf_filename(plan))
