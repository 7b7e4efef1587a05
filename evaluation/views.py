"""Pages: the figures for management (the whole municipality) and team leaders (their own teams),
their exports, and the two case pages that feed them (complaints and SDQ scores)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case
from cases.permissions import Action, may, require
from evaluation import exports, palette, selectors, services
from evaluation.charts import Series, line_chart
from evaluation.figures import FIGURES, FigureContext, compute
from evaluation.forms import (
    ComparisonForm,
    ComplaintForm,
    ComplaintOutcomeForm,
    FigureFilterForm,
    ScopeFilterMixin,
    SdqCohortForm,
    SdqScoreForm,
)
from evaluation.models import Complaint, SdqScore
from evaluation.periods import clip
from evaluation.scope import FIGURE_ROLES, scope_for, sees_whole_municipality
from evaluation.tables import DISCLOSURE_NOTE
from herning.audit.looks import shows_no_child
from herning.audit.models import AccessLog
from herning.audit.services import log_child_read
from herning.core.access import role_required
from herning.core.replica import reads_statistics
from herning.organisation.models import Role


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    figures: tuple[str, ...]
    form: str = "years"
    management_only: bool = False
    # The section shows amounts: its form offers the prices to show them in.
    prices: bool = False


SECTIONS = (
    Section("overblik", gettext_lazy("Overblik"), ("trappe-nu", "maal")),
    Section("trappe", gettext_lazy("Indsatstrappen"), ("trappe", "bevaegelser", "bevaegelser-aarsager")),
    Section("anbringelser", gettext_lazy("Anbringelser"), ("aarsboern", "maal")),
    Section(
        "oekonomi", gettext_lazy("Økonomi"), ("udgifter", "udgifter-indsatser", "enhedspriser"), prices=True
    ),
    Section("opfoelgning", gettext_lazy("Opfølgning"), ("opfoelgning", "opfoelgning-kora", "rettidighed")),
    Section("kvalitet", gettext_lazy("Kvalitet"), ("sammenbrud", "klager")),
    Section("trivsel", gettext_lazy("Trivsel (SDQ)"), ("sdq",), form="sdq"),
    Section(
        "sammenligning",
        gettext_lazy("Sammenligning"),
        ("sammenligning",),
        form="comparison",
        management_only=True,
    ),
)
_SECTION = {s.key: s for s in SECTIONS}
_FIGURE_SECTION = {key: s for s in reversed(SECTIONS) for key in s.figures}


def _figure_context(section: Section, request, scope, coverage):
    """The section's filter form and the context its figures are computed in (None while the form
    is invalid or there is no data). A team or district outside the person's scope is a 404."""
    today = timezone.localdate()
    if section.form == "sdq":
        form = SdqCohortForm.for_request(request.GET, scope=scope, today=today)
        if form.out_of_scope:
            raise Http404
        if not form.is_valid():
            return form, None
        before, after = form.windows()
        first, last = coverage or (today, today)
        return form, FigureContext(
            scope=form.narrowed_scope(),
            first=first,
            last=last,
            start=before.start,
            end=after.end,
            periods=[],
            extra={"informant": form.cleaned_data["informant"], "before": before, "after": after},
        )
    if coverage is None:
        return None, None
    if section.form == "comparison":
        form = ComparisonForm.for_request(request.GET, scope=scope, coverage=coverage)
        if not form.is_valid():
            return form, None
        periods = [clip(p, *coverage) for p in form.periods()]
        if None in periods:
            form.add_error(
                None,
                _("Der er ingen data i en af perioderne. Data findes fra %(first)s til %(last)s.")
                % {
                    "first": coverage[0].strftime("%d.%m.%Y"),
                    "last": coverage[1].strftime("%d.%m.%Y"),
                },
            )
            return form, None
        return form, FigureContext(
            scope=scope,
            first=coverage[0],
            last=coverage[1],
            start=min(p.start for p in periods),
            end=max(p.end for p in periods),
            periods=[],
            extra={
                "groups": form.groups(),
                "periods": periods,
                "informant": form.cleaned_data["informant"],
            },
        )
    form = FigureFilterForm.for_request(
        request.GET, scope=scope, coverage=coverage, with_prices=section.prices
    )
    if form.out_of_scope:
        raise Http404
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, FigureContext.for_years(
        form.narrowed_scope(),
        coverage,
        year_from=data["year_from"],
        year_to=data["year_to"],
        granularity=data["granularity"],
        price_year=data.get("price_year"),
        reach=scope,
    )


def _coverage_used(section: Section, form, ctx) -> selectors.Coverage | None:
    """The days the figures were asked for and how many of them have snapshots; None for the SDQ,
    which reads no snapshots."""
    if ctx is None or section.form == "sdq":
        return None
    if section.form == "comparison":
        spans = [(p.start, p.end) for p in form.periods()]
    else:
        data = form.cleaned_data
        spans = [
            (min(ctx.start, datetime.date(data["year_from"], 1, 1)), datetime.date(data["year_to"], 12, 31))
        ]
    return selectors.days_covered(ctx.scope, spans, today=timezone.localdate())


def coverage_note(used: selectors.Coverage) -> str:
    return _("Dækning: %(covered)s af %(days)s dage") % {"covered": used.covered, "days": used.days}


def _allowed(section: Section, user) -> None:
    if section.management_only and not sees_whole_municipality(user):
        raise PermissionDenied(_("Sammenligningen af distrikter er for ledelsen."))


@role_required(*FIGURE_ROLES)
@shows_no_child("anonymised figures for management and team leaders (disclosure control); never a child")
@reads_statistics
def section_page(request, section: str = "overblik"):
    current = _SECTION.get(section)
    if current is None:
        raise Http404
    _allowed(current, request.user)
    scope = scope_for(request.user)
    coverage = selectors.coverage(scope)
    form, ctx = _figure_context(current, request, scope, coverage)
    figures = [compute(key, ctx) for key in current.figures] if ctx else []
    used = _coverage_used(current, form, ctx)
    whole = sees_whole_municipality(request.user)
    return render(
        request,
        "evaluation/section.html",
        {
            "title": _("Ledelsesinformation") if whole else _("Nøgletal for dit team"),
            "scope": ctx.scope if ctx else scope,
            "sections": [s for s in SECTIONS if whole or not s.management_only],
            "current": current,
            "form": form,
            "ctx": ctx,
            "figures": figures,
            "query": request.GET.urlencode(),
            "disclosure_note": DISCLOSURE_NOTE,
            "coverage": coverage,
            "coverage_used": used,
            "coverage_note": coverage_note(used) if used else "",
        },
    )


@role_required(Role.MANAGEMENT)
@shows_no_child("management's start page: anonymised figures only, never a child")
def management_page(request):
    """Management's start page (``start:management``): the overview of the whole municipality."""
    return section_page(request, "overblik")


@role_required(*FIGURE_ROLES)
@shows_no_child("an export of anonymised figures (export_response with no children); never a child")
@reads_statistics
def export(request, key: str, fmt: str):
    if key not in FIGURES or fmt not in exports.CONTENT_TYPES:
        raise Http404
    form, ctx, figure = figure_for(request, key)
    if figure is None:
        errors = "; ".join(str(e) for errs in (form.errors.values() if form else []) for e in errs)
        return HttpResponseBadRequest(
            errors or _("Der er endnu ingen data at hente."), content_type="text/plain; charset=utf-8"
        )
    used = _coverage_used(_FIGURE_SECTION[key], form, ctx)
    about = exports.About(
        title=figure.title,
        source=figure.source,
        municipality=request.user.municipality.name,
        scope=str(ctx.scope.label),
        start=ctx.start,
        end=ctx.end,
        data_from=ctx.first,
        data_to=ctx.last,
        made_at=timezone.now(),
        coverage=coverage_note(used) if used else "",
    )
    return exports.response(figure.table, fmt, filename=f"{key}-{timezone.localdate():%Y-%m-%d}", about=about)


def figure_for(request, key: str):
    """The figure ``key`` as the page, its export and the statistics API compute it for the
    request's filters (``request.GET``) and person: ``(form, context, figure)``, the figure None
    while the form is invalid or there is no data. Raises 404 for an unknown key or a team or
    district outside the person's scope, 403 for a section that is not theirs."""
    if key not in FIGURES:
        raise Http404
    section = _FIGURE_SECTION[key]
    _allowed(section, request.user)
    scope = scope_for(request.user)
    form, ctx = _figure_context(section, request, scope, selectors.coverage(scope))
    return form, ctx, (compute(key, ctx) if ctx is not None else None)


def figure_parameters(key: str) -> tuple[str, ...]:
    """The filter parameters of the figure's section form: the page's own query parameters."""
    form = {"years": FigureFilterForm, "sdq": SdqCohortForm, "comparison": ComparisonForm}[
        _FIGURE_SECTION[key].form
    ]
    scope_fields = ("district", "team") if issubclass(form, ScopeFilterMixin) else ()
    return (*form.base_fields, *scope_fields)


# --- Case pages: complaints and SDQ -----------------------------------------------------------


def _visible_case(request, case_id: int) -> Case:
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related("child", "team", "team__district"), pk=case_id
    )


@login_required
def case_complaints(request, case_id: int):
    """The complaints register of a case: read by everyone who may read the case, written by its
    advisor and the team leader while it is open (``cases.permissions.Action.RECORD_COMPLAINT``)."""
    case = _visible_case(request, case_id)
    may_edit = may(request.user, Action.RECORD_COMPLAINT, case)
    complaints = list(case.complaints.select_related("team", "recorded_by"))
    form = ComplaintForm()
    outcome_forms = {c.pk: ComplaintOutcomeForm(instance=c, prefix=f"c{c.pk}") for c in complaints}
    status = 200
    if request.method == "POST":
        # Refused before the form is read, with the rule's reason, as the services refuse it.
        require(request.user, Action.RECORD_COMPLAINT, case)
        if "complaint" in request.POST:
            complaint = next((c for c in complaints if str(c.pk) == request.POST["complaint"]), None)
            if complaint is None:
                raise Http404
            outcome_form = ComplaintOutcomeForm(
                request.POST,
                instance=Complaint.objects.for_system().get(pk=complaint.pk),
                prefix=f"c{complaint.pk}",
            )
            outcome_forms[complaint.pk] = outcome_form
            if outcome_form.is_valid():
                try:
                    services.complaint_decide(
                        complaint=complaint,
                        outcome=outcome_form.cleaned_data["outcome"],
                        decided_on=outcome_form.cleaned_data["decided_on"],
                        decided_by=request.user,
                    )
                except ValidationError as exc:
                    outcome_form.add_error(None, exc)
                else:
                    messages.success(request, _("Klagens udfald er gemt."))
                    return redirect("evaluation:case_complaints", case_id=case.pk)
        else:
            form = ComplaintForm(request.POST)
            if form.is_valid():
                try:
                    services.complaint_register(case=case, recorded_by=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, _("Klagen er registreret."))
                    return redirect("evaluation:case_complaints", case_id=case.pk)
        status = 400
    log_child_read(
        user=request.user,
        child=case.child,
        channel=AccessLog.Channel.PAGE,
        purpose=_("Klager i sagen"),
        case=case,
        what=reverse("evaluation:case_complaints", args=[case.pk]),
    )
    return render(
        request,
        "evaluation/case_complaints.html",
        {
            "case": case,
            "complaints": [(c, outcome_forms[c.pk]) for c in complaints],
            "form": form,
            "may_edit": may_edit,
        },
        status=status,
    )


@login_required
def case_sdq(request, case_id: int):
    """The child's SDQ scores over time, read by everyone who may read the case, and the form to
    enter new ones for those who may write the case and the professionals added to it (the PPR
    psychologist), while the case is open (``cases.permissions.Action.RECORD_SCORES``)."""
    case = _visible_case(request, case_id)
    may_record = may(request.user, Action.RECORD_SCORES, case)
    form = SdqScoreForm() if may_record else None
    status = 200
    if request.method == "POST":
        require(request.user, Action.RECORD_SCORES, case)  # before the form, as the service refuses
        form = SdqScoreForm(request.POST)
        if form.is_valid():
            try:
                services.sdq_record(case=case, recorded_by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field_name, errors in exc.message_dict.items():
                    form.add_error(field_name if field_name in form.fields else None, errors)
            else:
                messages.success(request, _("SDQ-scoren er gemt."))
                return redirect("evaluation:case_sdq", case_id=case.pk)
        status = 400
    scores = list(
        SdqScore.objects.for_system()
        .filter(child=case.child)
        .select_related("recorded_by")
        .order_by("assessed_on", "informant")
    )
    log_child_read(
        user=request.user,
        child=case.child,
        channel=AccessLog.Channel.PAGE,
        purpose=_("SDQ-scorer"),
        case=case,
        what=reverse("evaluation:case_sdq", args=[case.pk]),
    )
    return render(
        request,
        "evaluation/case_sdq.html",
        {"case": case, "scores": scores, "chart": _sdq_chart(scores), "form": form},
        status=status,
    )


def _sdq_chart(scores: list[SdqScore]):
    """The child's total score over time, one line per informant."""
    if not scores:
        return None
    days = sorted({s.assessed_on for s in scores})
    series = []
    for informant, label in SdqScore.Informant.choices:
        by_day = {s.assessed_on: s.total for s in scores if s.informant == informant}
        if by_day:
            series.append(Series(str(label), [by_day.get(d) for d in days], key=palette.informant(informant)))
    return line_chart(
        title=_("Samlet vanskelighedsscore over tid"),
        x_labels=[d.strftime("%d.%m.%Y") for d in days],
        series=series,
        y_title=_("Samlet vanskelighedsscore (0-40)"),
        x_title=_("Besvaret"),
    )
