"""Intake and distribution (Herningmodellen 1.0 "Håndtering af nye underretninger"): the case
administrator registers a notification, the duty advisor of the district assesses it within 24
hours, the team leader gives a new case an advisor; and the professionals' own case list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from cases import caseload, services
from cases.forms import AssessForm, CprSearchForm, FeedbackForm, IntakeForm, ReceiptForm, ScreeningForm
from cases.models import Notification
from cases.permissions import Action, require
from cases.selectors import (
    awaiting_advisor,
    child_exists,
    duty_queue,
    participating_cases,
    receipts_due,
    registered_by,
    team_advisor_choices,
)
from cases.views.common import form_page, log_page_read, posted, safe_next
from herning.audit.looks import log_look
from herning.core.access import role_required
from herning.core.forms import add_service_errors
from herning.organisation.models import Role
from herning.organisation.selectors import duty_advisor_on, on_duty


@sensitive_post_parameters("cpr")
@require_http_methods(["GET", "POST"])
@role_required(Role.CASE_ADMINISTRATOR)
def intake(request):
    """Register a received notification. "Slå op" only tells whether the municipality knows the
    child (never the child's record); "Registrér" saves it and sends it to the duty advisor."""
    user = request.user
    form = IntakeForm(posted(request), municipality=user.municipality)
    looked_up = lookup_errors = None
    if request.method == "POST" and "lookup" in request.POST:
        # Only the CPR number is checked; the other fields wait for the registration.
        form = IntakeForm(initial=_without_lookup(request.POST), municipality=user.municipality)
        lookup = CprSearchForm(request.POST)
        if lookup.is_valid():
            known = child_exists(municipality=user.municipality, cpr=lookup.cleaned_data["cpr"])
            looked_up = "known" if known else "unknown"
        else:
            lookup_errors = lookup.errors["cpr"]
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                child = form.known_child or services.child_create(
                    municipality=user.municipality,
                    created_by=user,
                    cpr=data["cpr"],
                    **{k: data[k] for k in IntakeForm.NEW_CHILD_FIELDS},
                )
                services.notification_register(
                    child=child,
                    received_at=data["received_at"],
                    notifier_kind=data["notifier_kind"],
                    notifier_name=data["notifier_name"],
                    notifier_organisation=data["notifier_organisation"],
                    notifier_email=data["notifier_email"],
                    notifier_phone=data["notifier_phone"],
                    concern=data["concern"],
                    registered_by=user,
                )
        except ValidationError as error:
            add_service_errors(form, error, field_map={"received_at": "received_date"})
        else:
            messages.success(
                request,
                _("Underretningen er registreret og sendt til vagten i %(district)s.")
                % {"district": child.district},
            )
            return redirect("start:intake")
    registered = registered_by(user=user)
    log_look(request, [notification.child for notification in registered])
    return render(
        request,
        "cases/intake.html",
        {
            "title": _("Underretninger"),
            "form": form,
            "looked_up": looked_up,
            "lookup_errors": lookup_errors,
            "registered": registered,
            "now": timezone.now(),
        },
    )


def _without_lookup(post) -> dict:
    return {k: v for k, v in post.items() if k not in {"csrfmiddlewaretoken", "lookup"}}


@require_GET
@role_required(Role.DUTY_ADVISOR)
def duty(request):
    """The duty advisor's list: the district's notifications awaiting the 24-hour assessment."""
    queue = list(duty_queue(user=request.user))
    log_look(request, [(notification.child, notification.case) for notification in queue])
    return render(
        request,
        "cases/duty.html",
        {
            "title": _("Vagt"),
            "queue": queue,
            "now": timezone.now(),
            "on_duty": on_duty(municipality=request.user.municipality, day=timezone.localdate()),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def notification_assess(request, pk: int):
    notification = get_object_or_404(
        Notification.objects.visible_to(request.user).select_related("child", "case", "district"), pk=pk
    )
    require(request.user, Action.ASSESS_NOTIFICATION, notification)
    form = AssessForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_assess(
                notification=notification,
                acute_danger=form.cleaned_data["acute_danger"],
                action=form.cleaned_data["assessment_action"],
                assessed_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("24-timers vurderingen er gemt."))
            return redirect(
                "start:duty" if request.user.has_role(Role.DUTY_ADVISOR) else "cases:distribution"
            )
    log_page_read(
        request, child=notification.child, case=notification.case, what=_("Underretning til vurdering")
    )
    return render(
        request,
        "cases/assess.html",
        {
            "title": _("24-timers vurdering"),
            "notification": notification,
            "form": form,
            "on_duty_here": duty_advisor_on(district=notification.district, day=timezone.localdate())
            if notification.district_id
            else None,
            "now": timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def notification_receipt(request, pk: int):
    notification = get_object_or_404(
        Notification.objects.visible_to(request.user).select_related("child", "case"), pk=pk
    )
    require(request.user, Action.RECORD_RECEIPT, notification)
    form = ReceiptForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_receipt_sent(
                notification=notification, sent_on=form.cleaned_data["receipt_sent_on"], sent_by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Kvitteringen er registreret."))
            return redirect(safe_next(request, reverse("start:intake")))
    return form_page(
        request,
        title=_("Kvittering til underretter"),
        form=form,
        back_url=safe_next(request, reverse("accounts:start")),
        next_url=safe_next(request, ""),
        child=notification.child,
        case=notification.case,
        submit_label=_("Registrér kvittering"),
        intro=_("En fagperson, der underretter, skal have kvittering senest %(date)s (6 hverdage).")
        % {"date": f"{notification.receipt_due_on:%d.%m.%Y}"},
    )


@require_http_methods(["GET", "POST"])
@login_required
def notification_screening(request, pk: int):
    """Record the screening of the child's need for help (Barnets Lov § 18)."""
    notification = get_object_or_404(
        Notification.objects.visible_to(request.user).select_related("child", "case"), pk=pk
    )
    require(request.user, Action.SCREEN_NOTIFICATION, notification)
    form = ScreeningForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_screen(
                notification=notification,
                outcome=form.cleaned_data["screening_outcome"],
                screened_on=form.cleaned_data["screened_on"],
                screened_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Screeningen er registreret."))
            return redirect(safe_next(request, reverse("cases:case_detail", args=[notification.case_id])))
    return form_page(
        request,
        title=_("Screening af underretning"),
        form=form,
        back_url=safe_next(request, reverse("accounts:start")),
        next_url=safe_next(request, ""),
        child=notification.child,
        case=notification.case,
        submit_label=_("Registrér screening"),
        intro=_(
            "Barnets lov § 18: vurdér, om underretningen kræver yderligere afdækning (§ 19) eller en "
            "børnefaglig undersøgelse (§§ 20-22). Kommunens frist: %(date)s."
        )
        % {"date": f"{notification.screening_due_on:%d.%m.%Y}"},
    )


@require_http_methods(["GET", "POST"])
@login_required
def notification_feedback(request, pk: int):
    """Record the feedback to a professional notifier (SEL § 155 b, stk. 2 / Barnets Lov § 136)."""
    notification = get_object_or_404(
        Notification.objects.visible_to(request.user).select_related("child", "case"), pk=pk
    )
    require(request.user, Action.RECORD_FEEDBACK, notification)
    form = FeedbackForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_feedback_sent(
                notification=notification,
                outcome=form.cleaned_data["feedback_outcome"],
                sent_on=form.cleaned_data["feedback_sent_on"],
                sent_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Tilbagemeldingen er registreret."))
            return redirect(safe_next(request, reverse("cases:case_detail", args=[notification.case_id])))
    return form_page(
        request,
        title=_("Tilbagemelding til underretter"),
        form=form,
        back_url=safe_next(request, reverse("accounts:start")),
        next_url=safe_next(request, ""),
        child=notification.child,
        case=notification.case,
        submit_label=_("Registrér tilbagemelding"),
        intro=_(
            "En fagperson, der underretter, skal senest %(date)s (3 måneder efter modtagelsen) have "
            "besked om, hvorvidt der er iværksat en undersøgelse eller en indsats."
        )
        % {"date": f"{notification.feedback_due_on:%d.%m.%Y}"},
    )


@require_GET
@role_required(Role.TEAM_LEADER)
def distribution(request):
    """The team leader's list of new cases without an advisor, each with a suggested advisor and an
    "assign" action, the advisors' loads against the cap, and the notifications whose professional
    notifier still lacks a receipt."""
    cases = list(awaiting_advisor(user=request.user))
    teams = {t.pk: t for t in request.user.teams_for(Role.TEAM_LEADER)}
    teams.update({c.team_id: c.team for c in cases})
    advisors = team_advisor_choices(teams=list(teams.values()))
    suggestions, loads = caseload.suggestions_for(cases=cases, user=request.user, advisors_by_team=advisors)
    receipts = list(receipts_due(user=request.user)[:50])
    log_look(request, [*((c.child, c) for c in cases), *(n.child for n in receipts)])
    return render(
        request,
        "cases/distribution.html",
        {
            "title": _("Til fordeling"),
            "rows": [
                (c, [(a, loads.get(a.pk, 0)) for a in advisors.get(c.team_id, [])], suggestions[c.pk])
                for c in cases
            ],
            "team_loads": [
                (
                    team,
                    [
                        caseload.Load(advisor=a, team=team, open_cases=loads.get(a.pk, 0))
                        for a in advisors[team.pk]
                    ],
                )
                for team in sorted(teams.values(), key=lambda t: (t.name, t.pk))
            ],
            "receipts": receipts,
            "today": timezone.localdate(),
            "now": timezone.now(),
        },
    )


@require_GET
@role_required(Role.PSYCHOLOGIST, Role.HEALTH_VISITOR)
def my_cases(request):
    """The cases a PPR psychologist or health visitor is added to."""
    cases = list(participating_cases(user=request.user))
    log_look(request, [(case.child, case) for case in cases])
    return render(request, "cases/my_cases.html", {"title": _("Mine sager"), "cases": cases})
