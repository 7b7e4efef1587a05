"""The case list, finding a child, the child page and the case's history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from cases import extensions, panels
from cases.forms import CaseFilterForm, CprSearchForm
from cases.history import case_history
from cases.models import Child
from cases.permissions import Action, may
from cases.selectors import (
    OPEN_CASES,
    cases_of_child,
    find_child_by_cpr,
    relations_of,
    visible_case,
    visible_case_of_child,
    visible_child,
)
from cases.selectors import case_list as case_list_rows
from cases.views.common import log_page_read, posted
from herning.audit.looks import PURPOSE_CASEWORK, log_look, shows_no_child
from herning.audit.models import AccessLog
from herning.audit.services import log_child_read
from herning.core.access import role_required
from herning.organisation.models import Role

CASE_LIST_ROLES = (Role.ADVISOR, Role.TEAM_LEADER, Role.DUTY_ADVISOR)
PAGE_SIZE = 50


# The case list's filter, kept in the session: what is typed in it (a name, perhaps by mistake a CPR
# number) never travels in the address, so never into the browser history or a web-server log
# (docs/access.md §5).
FILTER_SESSION_KEY = "cases.case_list.filter"


@require_http_methods(["GET", "POST"])
@role_required(*CASE_LIST_ROLES)
def case_list(request):
    """Every case the person may read, filtered by advisor, team, district, step, state and name.

    The filter is posted (htmx posts it as one types and swaps the table, the address unchanged)
    and kept in the session, so a reload, the next page and the back button show the same list. A
    plain post is answered with a redirect to the list. Links with filters in the address (from
    other pages) still work; the middleware refuses one that carries a CPR number.
    """
    if request.method == "POST":
        data = _posted_filter(request)
        request.session[FILTER_SESSION_KEY] = data.urlencode()
        if not request.htmx:
            return redirect("cases:case_list")
        query = ""
    elif set(request.GET) - {"side"}:
        data = request.GET.copy()
        data.pop("side", None)
        query = data.urlencode()
    else:
        data, query = QueryDict(request.session.get(FILTER_SESSION_KEY, "")), ""
    steps = extensions.case_measures().ladder_steps()
    form = CaseFilterForm(data or None, user=request.user, steps=steps)
    # Invalid filters (a hand-edited address) show the form's message over the open cases.
    chosen = form.chosen() if form.is_bound and form.is_valid() else OPEN_CASES
    rows = case_list_rows(user=request.user, chosen=chosen, page_size=PAGE_SIZE)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("side"))
    # Read once, for the table and for the access log: every child on this page of the list.
    page.object_list = list(page.object_list)
    log_look(request, [(case.child, case) for case in page.object_list])
    context = {
        "form": form,
        "page": page,
        "query": query,
        "cpr_form": CprSearchForm(),
        "can_create_child": may(request.user, Action.CREATE_CHILD),
    }
    if request.htmx:
        return render(request, "cases/_case_table.html", context)
    return render(request, "cases/case_list.html", context)


def _posted_filter(request) -> QueryDict:
    """The filter's own fields of the post (not the CSRF token), empty ones left out."""
    data = QueryDict(mutable=True)
    for name in CaseFilterForm.base_fields:
        value = request.POST.get(name, "").strip()
        if value:
            data[name] = value
    return data


@sensitive_post_parameters("cpr")
@require_http_methods(["GET", "POST"])
@role_required(*CASE_LIST_ROLES)
@shows_no_child(
    "the CPR search form; the child found is logged as a search (channel search) before the redirect"
)
def find_child(request):
    """Find a child by CPR number. The number travels in the body of a POST, never in a URL."""
    form = CprSearchForm(posted(request))
    if request.method == "POST" and form.is_valid():
        child = find_child_by_cpr(user=request.user, cpr=form.cleaned_data["cpr"])
        if child is not None:
            log_child_read(
                user=request.user,
                child=child,
                channel=AccessLog.Channel.SEARCH,
                purpose=PURPOSE_CASEWORK,
                what=_("Søgning på CPR-nummer"),
            )
            return redirect("cases:child_detail", pk=child.pk)
        form.add_error(
            "cpr", _("Der er ikke noget barn med dette CPR-nummer blandt de sager, du har adgang til.")
        )
    return render(
        request,
        "cases/find_child.html",
        {"form": form, "can_create_child": may(request.user, Action.CREATE_CHILD)},
    )


@require_GET
@login_required
def child_detail(request, pk: int):
    """The child's page: facts, relations and the open (or latest) case with all its sections."""
    child = visible_child(request.user, pk)
    cases = cases_of_child(child=child, user=request.user)
    return _child_page(request, child=child, case=cases[0] if cases else None, cases=cases)


@require_GET
@login_required
def case_detail(request, pk: int):
    """One case of the child (an earlier, closed case, or the open one), on the child's page."""
    case, cases = visible_case_of_child(request.user, pk)
    return _child_page(request, child=case.child, case=case, cases=cases)


def _child_page(request, *, child: Child, case, cases):
    user = request.user
    open_case = next((c for c in cases if c.is_open), None)
    log_page_read(request, child=child, case=case, what=_("Barnets side"))
    summary = [(part, part.context(child, case, user)) for part in extensions.summary_parts()]
    # A folded section is read when it is opened, from its own view (which checks and logs the
    # same): the first screen is the summary, and reading every fold's records for it cost a third
    # of the page's time (benchmarks/RESULTS.md). A child without a case has little to read, and
    # its sections (a school's meeting about the child) are shown as they are.
    sections = [(panel, _section_data(panel, child, case, user)) for panel in extensions.panels()]
    return render(
        request,
        "cases/child_detail.html",
        {
            "title": child.full_name,
            "child": child,
            "case": case,
            "cases": cases,
            "open_case": open_case,
            "relations": relations_of(child),
            "summary_main": [(part, data) for part, data in summary if not part.side],
            "summary_side": [(part, data) for part, data in summary if part.side],
            "sections": sections,
            "can_edit": may(user, Action.EDIT_CASE, case),
            "can_edit_child": may(user, Action.EDIT_CHILD, open_case),
            "can_assign": case is not None and may(user, Action.ASSIGN, case),
            "can_open_case": open_case is None and may(user, Action.CREATE_CHILD),
        },
    )


def _section_data(panel, child, case, user) -> dict:
    """What the page shows of ``panel``: the address it is read from when it is opened (a folded
    section of a case), or its data."""
    if panel.lazy_url:
        return {"lazy_url": panel.lazy_url(child, case)}
    if case is not None and panel.read_by_section_view:
        return {"lazy_url": reverse("cases:panel_section", args=[case.pk, panel.key])}
    return panel.context(child, case, user)


@require_GET
@login_required
def panel_section(request, pk: int, key: str):
    """A folded section of the case's page, read when it is opened (``cases.extensions.Panel``)."""
    panel = extensions.panel(key)
    # Only the folds the page reads this way (an open section comes with the page; the history
    # has a view of its own).
    if panel is None or not panel.read_by_section_view:
        raise Http404
    case = visible_case(request.user, pk)
    log_page_read(request, child=case.child, case=case, what=str(panel.title))
    data = panel.context(case.child, case, request.user)
    return _section(request, panel.template_name, data, title=str(panel.title), case=case)


@require_GET
@login_required
def case_history_page(request, pk: int):
    """Every change to the case and its records: field, old → new, who and when."""
    case = visible_case(request.user, pk)
    log_page_read(request, child=case.child, case=case, what=_("Sagens historik"))
    return render(
        request,
        "cases/case_history.html",
        {"title": _("Historik"), "case": case, "child": case.child, "entries": case_history(case)},
    )


# The sections of the child page read when they are opened (HTMX on the fold's toggle). Each checks
# access like the page (``visible_case``/``visible_child``: cases/access.py) and logs the look; asked
# without HTMX (no JavaScript, or a link opened on its own) each answers with a page of its own.


@require_GET
@login_required
def history_section(request, pk: int):
    """The case's latest changes, for the child page's history fold."""
    case = visible_case(request.user, pk)
    log_page_read(request, child=case.child, case=case, what=_("Sagens historik"))
    data = panels.history_context(case.child, case, request.user)
    return _section(request, "cases/panels/_history.html", data, title=_("Historik"), case=case)


@require_GET
@login_required
def timeline_section(request, pk: int):
    """The child's timeline: every app's dated events, newest first."""
    child = visible_child(request.user, pk)
    log_page_read(request, child=child, what=_("Barnets tidslinje"))
    data = {"timeline": extensions.timeline_for(child, request.user)}
    return _section(request, "cases/_timeline.html", data, title=_("Tidslinje"), child=child)


@require_GET
@login_required
def journal_page(request, pk: int):
    """One page of the case's journal (``?side=N``), newest first."""
    case = visible_case(request.user, pk)
    log_page_read(request, child=case.child, case=case, what=_("Journal"))
    data = panels.journal_context(case.child, case, request.user, page=request.GET.get("side"))
    return _section(request, "cases/panels/_journal.html", data, title=_("Journal"), case=case)


def _section(request, template_name: str, data: dict, *, title: str, case=None, child=None):
    child = child or case.child
    if request.htmx:
        return render(request, template_name, {"data": data})
    return render(
        request,
        "cases/section_page.html",
        {"title": title, "child": child, "case": case, "template_name": template_name, "data": data},
    )
