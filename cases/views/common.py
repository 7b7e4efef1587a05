"""Small pieces every case page uses."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from cases.models import Case
from cases.permissions import Action, require
from cases.selectors import visible_case
from herning.audit.looks import log_look

# The methods of a page with one form: shown on GET, sent on POST.
FORM_METHODS = ["GET", "POST"]


def editable_case(request, pk: int) -> Case:
    """The case ``pk`` for a change: 404 if the person may not read it, 403 if they may read but
    not change it (a closed case is read-only for everybody)."""
    case = visible_case(request.user, pk)
    require(request.user, Action.EDIT_CASE, case)
    return case


def case_url(case: Case, anchor: str = "") -> str:
    return reverse("cases:case_detail", args=[case.pk]) + (f"#{anchor}" if anchor else "")


def log_page_read(request, *, child, case=None, what: str = "") -> None:
    log_look(request, [(child, case)], what=what)


def form_page(
    request,
    *,
    title: str,
    form,
    back_url: str,
    submit_label: str,
    case=None,
    child=None,
    intro: str = "",
    **extra,
):
    """A page with one form: heading, an optional explanation, the form, submit and cancel. A form
    about a case or a child shows its data (the heading, the values): the look is logged."""
    if case is not None or child is not None:
        log_page_read(request, child=child or case.child, case=case)
    return render(
        request,
        "cases/form_page.html",
        {
            "title": title,
            "form": form,
            "back_url": back_url,
            "submit_label": submit_label,
            "case": case,
            "intro": intro,
            **extra,
        },
    )


def safe_next(request, default: str) -> str:
    """The ``next`` address of the form if it points into this site, else ``default``."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def posted(request):
    """The submitted data of a POST (even an empty one, so it is validated), None on a GET."""
    return request.POST if request.method == "POST" else None
