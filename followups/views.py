"""Pages: a measure's follow-up schedule, recording a follow-up, exceptions and their approval,
the deadline lists, the reminders behind the bell and the private calendar feed.

A measure, case or child outside ``visible_to(user)`` answers 404; a visible one the person may
not change answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Goal
from cases.permissions import Action, Refused, may, require
from cases.selectors import children_of_cases, current_plan
from followups import calendar, engine, selectors, services
from followups.forms import (
    ExceptionDecisionForm,
    ExceptionRequestForm,
    ExceptionRevokeForm,
    FollowUpForm,
    NewGoalFormSet,
    ReminderSettingsForm,
)
from followups.models import FollowUp, FollowUpException
from followups.presets import EXCEPTIONS, legal_context_of
from herning.audit.looks import log_look, shows_no_child
from herning.audit.models import AccessLog
from herning.audit.services import log_child_read, log_reads
from herning.core.access import role_required
from herning.core.forms import add_service_errors
from herning.organisation.models import Role


def _visible_measure(request, measure_id):
    measure = selectors.visible_measure(request.user, measure_id)
    if measure is None:
        raise Http404
    return measure


@login_required
@require_GET
def measure_schedule(request, measure_id: int):
    measure = _visible_measure(request, measure_id)
    case = measure.case
    log_child_read(
        user=request.user,
        child=case.child,
        channel=AccessLog.Channel.PAGE,
        purpose=_("Opfølgningsplan for en indsats"),
        case=case,
        what=f"measure {measure.pk} follow-up schedule",
    )
    data = selectors.schedule_for_measure(measure, timezone.localdate())
    can_edit = may(request.user, Action.RECORD_FOLLOWUP, case)
    applicable = [k for k in EXCEPTIONS if services.exception_applies(k, measure)]
    leads_team = may(request.user, Action.APPROVE_EXCEPTION, case)
    return render(
        request,
        "followups/measure_schedule.html",
        {
            "data": data,
            "measure": measure,
            "case": case,
            "child": case.child,
            "can_edit": can_edit and measure.is_active,
            "can_request_exception": may(request.user, Action.REQUEST_EXCEPTION, case)
            and bool(applicable)
            and measure.is_active,
            "leads_team": leads_team,
            "revoke_form": ExceptionRevokeForm(),
        },
    )


def _followup_input(data: dict, goals: list[Goal], new_goals: list[dict]) -> services.FollowUpInput:
    """The follow-up page's form and new-goal rows as the record service's input."""
    return services.FollowUpInput(
        held_on=data["held_on"],
        form=data["form"],
        participants=data["participants"],
        supervisory_visit=data.get("supervisory_visit", False),
        child_conversation_held=data["child_conversation"] == "yes",
        no_conversation_reason=data["no_conversation_reason"],
        no_conversation_ground="" if data["child_conversation"] == "yes" else data["no_conversation_ground"],
        summary=data["summary"],
        decision=data["decision"],
        decision_note=data["decision_note"],
        ending_reason=data["ending_reason"],
        end_date=data["end_date"],
        next_agreed_on=data["next_agreed_on"],
        later_than_rule_reason=data["later_than_rule_reason"],
        statutory_cadence_months=data["statutory_cadence_months"],
        cadence_reason=data["cadence_reason"],
        goal_reviews=[
            services.GoalReviewInput(
                goal=goal, status=data[f"goal_{goal.pk}_status"], note=data[f"goal_{goal.pk}_note"]
            )
            for goal in goals
        ],
        new_goals=[
            services.NewGoalInput(
                what=g["what"], who=g["who"], how_measured=g["how_measured"], by_when=g["by_when"]
            )
            for g in new_goals
            if g.get("what")
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
def followup_record(request, measure_id: int):
    measure = _visible_measure(request, measure_id)
    case = measure.case
    if not may(request.user, Action.RECORD_FOLLOWUP, case) or not measure.is_active:
        raise PermissionDenied(_("Du kan ikke registrere opfølgninger på denne indsats."))
    plan = current_plan(case)
    goals = list(Goal.objects.for_system().filter(plan=plan)) if plan else []
    form_kwargs = {"goals": goals, "placement": legal_context_of(measure).placement}
    if request.method == "POST":
        form = FollowUpForm(request.POST, **form_kwargs)
        # New goals are written into the plan; without a plan the page offers none.
        new_goals = NewGoalFormSet(request.POST, prefix="nye") if plan else None
        if form.is_valid() and (new_goals is None or new_goals.is_valid()):
            data = form.cleaned_data
            try:
                services.followup_record(
                    measure=measure,
                    recorded_by=request.user,
                    data=_followup_input(data, goals, new_goals.cleaned_data if new_goals else []),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Opfølgningen er registreret og skrevet i journalen."))
                return redirect("followups:measure_schedule", measure_id=measure.pk)
    else:
        form = FollowUpForm(initial={"held_on": timezone.localdate()}, **form_kwargs)
        new_goals = NewGoalFormSet(prefix="nye") if plan else None
    # Shown again with its errors after a post, too: every render is a look.
    log_child_read(
        user=request.user,
        child=case.child,
        channel=AccessLog.Channel.PAGE,
        purpose=_("Registrering af opfølgning"),
        case=case,
        what=f"measure {measure.pk} record follow-up",
    )
    data = selectors.schedule_for_measure(measure, timezone.localdate())
    return render(
        request,
        "followups/followup_form.html",
        {
            "form": form,
            "new_goals": new_goals,
            "measure": measure,
            "case": case,
            "child": case.child,
            "plan": plan,
            "data": data,
            "is_first_under_barnets_lov": engine.decides_cadence(
                [f.held_on for f in data.followups], timezone.localdate()
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exception_request(request, measure_id: int):
    measure = _visible_measure(request, measure_id)
    require(request.user, Action.REQUEST_EXCEPTION, measure.case)
    kinds = [k for k in EXCEPTIONS if services.exception_applies(k, measure)]
    if not kinds:
        raise Http404
    form = ExceptionRequestForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            services.exception_request(
                measure=measure,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                requested_by=request.user,
                distance_km=form.cleaned_data.get("distance_km"),
                youth_age=form.cleaned_data.get("youth_age"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Anmodningen er sendt til teamlederen."))
            return redirect("followups:measure_schedule", measure_id=measure.pk)
    log_look(request, [(measure.case.child, measure.case)])
    return render(
        request, "followups/exception_request.html", {"form": form, "measure": measure, "case": measure.case}
    )


def _approvals_page(request, *, bound=None, status=200):
    """The exceptions and later dates awaiting the team leader, each with its decision form
    (``bound``: the form just posted, with its errors)."""

    def form_for(prefix):
        return bound if bound is not None and bound.prefix == prefix else ExceptionDecisionForm(prefix=prefix)

    pending = selectors.pending_exceptions_for(request.user)
    later = selectors.pending_later_dates_for(request.user)
    log_look(request, [(row.measure.case.child, row.measure.case) for row in (*pending, *later)])
    return render(
        request,
        "followups/exceptions.html",
        {
            "pending": [(e, form_for(f"e{e.pk}")) for e in pending],
            "later_dates": [(f, form_for(f"l{f.pk}")) for f in later],
        },
        status=status,
    )


@role_required(Role.TEAM_LEADER)
@require_GET
def exceptions(request):
    return _approvals_page(request)


def _visible_exception(request, pk):
    return get_object_or_404(
        FollowUpException.objects.visible_to(request.user).select_related(
            "measure", "measure__case__child", "measure__measure_type", "requested_by"
        ),
        pk=pk,
    )


def _decide(request, pending: selectors.PendingRequest, decide) -> HttpResponse:
    """Approve or refuse a pending request with the team leader's reason: ``decide(approve, reason)``
    calls the service, which checks the permission and writes. The view only translates its answer:
    with HTMX the request's item on the team overview is swapped for the decision, the errors or
    the refusal (answered 200, since htmx swaps no error status); without, a redirect or the
    approvals page."""
    form = ExceptionDecisionForm(request.POST, prefix=pending.prefix)
    context = {"pending": pending, "form": form, "next": _next_or(request, reverse("followups:exceptions"))}
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            decide(approve, form.cleaned_data["decision_reason"])
        except Refused as refusal:
            if not request.htmx:
                raise
            return render(request, "followups/_pending_request.html", {**context, "refusal": str(refusal)})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                return render(
                    request,
                    "followups/_pending_request.html",
                    {
                        **context,
                        "decided": True,
                        "approved": approve,
                        "reason": form.cleaned_data["decision_reason"].strip(),
                    },
                )
            messages.success(request, _("Beslutningen er registreret."))
            return redirect(context["next"])
    if request.htmx:
        return render(request, "followups/_pending_request.html", context)
    return _approvals_page(request, bound=form, status=400)


@role_required(Role.TEAM_LEADER)
@require_POST
def exception_decide(request, pk: int):
    exception = _visible_exception(request, pk)

    def decide(approve: bool, reason: str) -> None:
        services.exception_decide(
            exception=exception, approve=approve, decided_by=request.user, reason=reason
        )

    return _decide(request, selectors.PendingRequest("exception", exception), decide)


@role_required(Role.TEAM_LEADER)
@require_POST
def later_date_decide(request, pk: int):
    """The team leader approves or refuses a next date agreed later than the rule allows."""
    followup = get_object_or_404(
        FollowUp.objects.visible_to(request.user).select_related(
            "measure__case__child", "measure__measure_type", "recorded_by"
        ),
        pk=pk,
    )

    def decide(approve: bool, reason: str) -> None:
        services.later_date_decide(followup=followup, approve=approve, decided_by=request.user, reason=reason)

    return _decide(request, selectors.PendingRequest("later", followup), decide)


def _next_or(request, default: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


@role_required(Role.TEAM_LEADER)
@require_POST
def exception_revoke(request, pk: int):
    exception = _visible_exception(request, pk)
    form = ExceptionRevokeForm(request.POST)
    if form.is_valid():
        try:
            services.exception_revoke(
                exception=exception, revoked_by=request.user, reason=form.cleaned_data["decision_reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Undtagelsen er tilbagekaldt."))
    else:
        messages.error(request, _("Skriv begrundelsen for tilbagekaldelsen."))
    return redirect("followups:measure_schedule", measure_id=exception.measure_id)


@login_required
@require_GET
def deadlines(request):
    now = timezone.now()
    mine = selectors.my_deadlines(request.user)
    duty = selectors.my_duty_deadlines(request.user)
    team = selectors.team_deadlines(request.user, now=now)
    log_look(request, [(d.child, d.case) for d in (*mine, *duty, *team)])
    return render(
        request,
        "followups/deadlines.html",
        {
            "mine": mine,
            "duty": duty,
            "counts": selectors.my_due_counts(request.user, now=now),
            "team": team,
            "is_team_leader": request.user.has_role(Role.TEAM_LEADER),
            "now": now,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reminders(request):
    if request.method == "POST":
        services.reminders_mark_read(user=request.user)
        return redirect("followups:reminders")
    escalations = selectors.escalations_for(request.user)
    shown = selectors.reminders_for(request.user)
    children = {c.pk: c for group in escalations for c in group.children}
    if children:
        log_look(request, children.values(), purpose=_("Overskredne frister i dine teams"))
    # A reminder names its case by number: the child's case, looked at.
    log_look(request, children_of_cases({r.deadline.case_id for r in shown} - {None}))
    return render(
        request,
        "followups/reminders.html",
        {
            "escalations": escalations,
            "reminders": shown,
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@shows_no_child("a person's own choice of how reminders reach them, nothing about any child")
def reminder_settings(request):
    current = services.reminder_settings_for(request.user)
    choice = (
        ReminderSettingsForm.IMMEDIATE if current.escalations_immediately else ReminderSettingsForm.DIGEST
    )
    form = ReminderSettingsForm(request.POST or None, initial={"escalations": choice})
    if request.method == "POST":
        if form.is_valid():
            services.reminder_settings_update(
                user=request.user,
                escalations_immediately=form.cleaned_data["escalations"] == ReminderSettingsForm.IMMEDIATE,
            )
            messages.success(request, _("Dine indstillinger for påmindelser er gemt."))
            return redirect("followups:reminder_settings")
        return render(request, "followups/reminder_settings.html", {"form": form}, status=400)
    return render(request, "followups/reminder_settings.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@shows_no_child("the person's own calendar link: the deadlines go out in the feed, which logs them")
def calendar_settings(request):
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_token_revoke(user=request.user)
            messages.success(request, _("Kalenderlinket er tilbagekaldt og virker ikke længere."))
            return redirect("followups:calendar")
        token = services.calendar_token_create(user=request.user)
    existing = getattr(request.user, "calendar_token", None) if token is None else None
    feed_url = (
        request.build_absolute_uri(reverse("followups:calendar_feed", kwargs={"token": token}))
        if token
        else None
    )
    return render(request, "followups/calendar.html", {"feed_url": feed_url, "existing": existing})


@never_cache
@require_GET
def calendar_feed(request, token: str):
    user = selectors.calendar_owner(token)
    if user is None:
        raise Http404
    services.calendar_token_used(user=user)
    # The person's own deadlines and, on duty, the 24-hour assessments (timed, the most urgent).
    shown = [*selectors.my_deadlines(user), *selectors.my_duty_deadlines(user)]
    # The feed is fetched by the person's calendar program on their behalf: their look, sent as a file.
    log_reads(
        user=user,
        shown=[(d.child, d.case) for d in shown],
        channel=AccessLog.Channel.EXPORT,
        purpose="Kalenderabonnement på frister",
        what=request.path.replace(token, "…"),
    )
    response = HttpResponse(calendar.feed(shown), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="frister.ics"'
    return response
