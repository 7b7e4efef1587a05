"""The follow-ups' part of the child page: the case's open deadlines, binding one first, each with
its explanation and one click to act on it. Runs a fixed number of queries: it reads the
materialised deadline table, not the engine."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cases.extensions import Panel, register_panel
from cases.permissions import Action, may
from followups.models import Deadline
from followups.selectors import MEASURE_KINDS, deadline_url


def deadlines_context(child, case, user) -> dict:
    if case is None:
        return {"case": None, "rows": []}
    today = timezone.localdate()
    can_edit = may(user, Action.EDIT_CASE, case)
    rows = []
    for deadline in Deadline.objects.for_system().filter(case=case, is_open=True).order_by("due_on", "pk"):
        is_followup = deadline.kind in MEASURE_KINDS
        rows.append(
            {
                "deadline": deadline,
                "overdue": deadline.due_on < today,
                "today": deadline.due_on == today,
                "url": deadline_url(deadline),
                "record_url": reverse("followups:record", args=[deadline.source_id])
                if is_followup and can_edit
                else "",
            }
        )
    return {"case": case, "rows": rows}


def register() -> None:
    register_panel(
        Panel(
            "deadlines",
            gettext_lazy("Opfølgning og frister"),
            "followups/panels/_deadlines.html",
            deadlines_context,
            order=45,
        )
    )
