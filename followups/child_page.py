"""The follow-ups' part of the child page: the case's open deadlines, binding one first, each with
its explanation and one click to act on it. Runs a fixed number of queries: it reads the
materialised deadline table, not the engine."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cases.extensions import Panel, SummaryPart, register_panel, register_summary_part
from cases.permissions import Action, may
from followups.models import Deadline
from followups.selectors import MEASURE_KINDS, case_deadline_summary, case_pending_requests, deadline_url
from herning.core.paths import KeyedPaths


def deadlines_context(child, case, user) -> dict:
    if case is None:
        return {"case": None, "rows": []}
    today = timezone.localdate()
    can_edit = may(user, Action.EDIT_CASE, case)
    rows = []
    paths = KeyedPaths()
    for deadline in Deadline.objects.for_system().filter(case=case, is_open=True).order_by("due_on", "pk"):
        is_followup = deadline.kind in MEASURE_KINDS
        rows.append(
            {
                "deadline": deadline,
                "overdue": deadline.due_on < today,
                "today": deadline.due_on == today,
                "url": deadline_url(deadline, paths),
                "record_url": reverse("followups:record", args=[deadline.source_id])
                if is_followup and can_edit
                else "",
            }
        )
    return {"case": case, "rows": rows}


def measures_summary(child, case, user) -> dict:
    """The summary's measures: each active one with its next municipal and next statutory deadline
    and why, the case's other next deadline, and how many are overdue."""
    if case is None:
        return {"case": None}
    today = timezone.localdate()
    summary = case_deadline_summary(case, today=today)
    return {
        "case": case,
        "today": today,
        "measures": summary.measures,
        "overdue": summary.overdue,
        "next_other": summary.other[0] if summary.other else None,
    }


def approvals_summary(child, case, user) -> dict:
    """The summary's requests awaiting a team leader's decision on this case."""
    if case is None:
        return {"case": None}
    return {"case": case, "requests": case_pending_requests(case)}


def register() -> None:
    register_summary_part(
        SummaryPart("followups", "followups/summary/_measures.html", measures_summary, order=20)
    )
    register_summary_part(
        SummaryPart("approvals", "followups/summary/_approvals.html", approvals_summary, order=30, side=True)
    )
    register_panel(
        Panel(
            "deadlines",
            gettext_lazy("Opfølgning og frister"),
            "followups/panels/_deadlines.html",
            deadlines_context,
            order=45,
        )
    )
