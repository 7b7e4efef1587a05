"""The cases app's own sections of the child page and its events on the child's timeline,
registered through ``cases.extensions`` like any other app's."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.extensions import (
    Panel,
    SummaryPart,
    TimelineEvent,
    register_panel,
    register_summary_part,
    register_timeline_provider,
)
from cases.forms import JournalForm
from cases.history import case_history
from cases.models import Case, Investigation, Notification, Plan
from cases.permissions import (
    Action,
    can_assess_notification,
    can_record_feedback,
    can_record_receipt,
    can_screen_notification,
    may,
)
from cases.selectors import (
    goal_status_history,
    goals_due,
    investigations_of,
    journal_of,
    notifications_of,
    plans_of,
)

HISTORY_ON_PAGE = 15


def case_context(child, case, user) -> dict:
    if case is None:
        return {"case": None}
    participants = list(case.case_participants.select_related("user").order_by("added_on", "pk"))
    return {
        "case": case,
        "participants": participants,
        "can_edit": may(user, Action.EDIT_CASE, case),
        "can_assign": may(user, Action.ASSIGN, case),
    }


def notifications_context(child, case, user) -> dict:
    """The case's notifications. The page read ``case`` through ``visible_to(user)``, and whoever
    reads a case reads every notification on it (``cases.access.notification_filter``), so they
    are not asked for again: that check built the whole notification rule, 3-4 ms of CPU for each
    child page at national scale (benchmarks/RESULTS.md)."""
    if case is None:
        return {"case": None, "rows": []}
    now = timezone.now()
    today = timezone.localdate()
    rows = []
    for n in notifications_of(case):
        rows.append(
            {
                "n": n,
                "assessment_overdue": n.assessed_at is None and n.assessment_due_at < now,
                "assessed_late": n.assessed_at is not None and n.assessed_at > n.assessment_due_at,
                "receipt_overdue": n.receipt_due_on is not None
                and n.receipt_sent_on is None
                and n.receipt_due_on < today,
                "can_assess": can_assess_notification(user, n, known_readable=True),
                "can_receipt": can_record_receipt(user, n, known_readable=True),
                "screening_overdue": n.screening_due_on is not None
                and n.screened_on is None
                and n.screening_due_on < today,
                "feedback_overdue": n.feedback_due_on is not None
                and n.feedback_sent_on is None
                and n.feedback_due_on < today,
                "can_screen": can_screen_notification(user, n, known_readable=True),
                "can_feedback": can_record_feedback(user, n, known_readable=True),
            }
        )
    # After recording a step the advisor comes back to the case's page (the section is read on its
    # own address when its fold is opened, which is no page to come back to).
    return {"case": case, "rows": rows, "back": reverse("cases:case_detail", args=[case.pk])}


def investigations_context(child, case, user) -> dict:
    if case is None:
        return {"case": None, "rows": []}
    today = timezone.localdate()
    rows = [
        {
            "i": i,
            "overdue": i.is_open and i.deadline < today,
            "late": not i.is_open and i.completed_on > i.deadline,
            "interim_due": i.interim_assessment_due(today),
            "has_network_map": i.has_network_map,
        }
        for i in investigations_of(case)
    ]
    return {
        "case": case,
        "rows": rows,
        "can_edit": may(user, Action.EDIT_CASE, case),
        "has_open": any(r["i"].is_open for r in rows),
    }


def plan_context(child, case, user) -> dict:
    if case is None:
        return {"case": None}
    plans = plans_of(case)
    current = plans[0] if plans else None
    status_history = goal_status_history(plans)
    return {
        "case": case,
        "current": current,
        "goals": [(g, status_history.get(g.pk, [])) for g in current.goals.all()] if current else [],
        "earlier": plans[1:],
        "overdue": current is not None
        and not current.is_made
        and current.due_on
        and current.due_on < timezone.localdate(),
        "can_edit": may(user, Action.EDIT_CASE, case),
    }


def journal_context(child, case, user, *, page: int | str | None = 1, form=None) -> dict:
    """The journal's first page on the child page; other pages from ``cases:journal_page``."""
    if case is None:
        return {"case": None}
    can_edit = may(user, Action.EDIT_CASE, case)
    if form is None and can_edit:
        form = JournalForm(initial={"occurred_on": timezone.localdate()})
    return {"case": case, "notes": journal_of(case, page), "form": form, "can_edit": can_edit}


def history_context(child, case, user) -> dict:
    if case is None:
        return {"case": None}
    return {"case": case, "entries": case_history(case, limit=HISTORY_ON_PAGE)}


def history_url(child, case) -> str:
    return reverse("cases:history_section", args=[case.pk]) if case is not None else ""


def goals_summary(child, case, user) -> dict:
    """The summary's goals of the plan that are overdue or soon due."""
    if case is None:
        return {"case": None}
    today = timezone.localdate()
    return {"case": case, "today": today, "goals": goals_due(case, today=today)}


def timeline_events(child, user) -> list[TimelineEvent]:
    """The case's milestones: opened and closed, notifications, investigations, plans."""
    events = []
    cases = list(Case.objects.visible_to(user).filter(child=child))
    case_ids = [c.pk for c in cases]
    for c in cases:
        url = reverse("cases:case_detail", args=[c.pk])
        events.append(
            TimelineEvent(c.opened_on, "case", _("Sag nr. %(pk)s oprettet") % {"pk": c.pk}, url=url, order=0)
        )
        if c.closed_on:
            events.append(
                TimelineEvent(
                    c.closed_on,
                    "case",
                    _("Sag nr. %(pk)s lukket") % {"pk": c.pk},
                    detail=c.get_closing_reason_display(),
                    url=url,
                    order=9,
                )
            )
    for n in Notification.objects.visible_to(user).filter(child=child).order_by("received_at"):
        events.append(
            TimelineEvent(
                timezone.localdate(n.received_at),
                "notification",
                _("Underretning modtaget"),
                detail=n.get_notifier_kind_display(),
                order=1,
            )
        )
    for i in Investigation.objects.for_system().filter(case_id__in=case_ids):
        events.append(
            TimelineEvent(i.decided_on, "investigation", _("Børnefaglig undersøgelse besluttet"), order=2)
        )
        if i.completed_on:
            events.append(
                TimelineEvent(
                    i.completed_on, "investigation", _("Børnefaglig undersøgelse afsluttet"), order=3
                )
            )
    for p in Plan.objects.for_system().filter(case_id__in=case_ids, made_on__isnull=False):
        events.append(
            TimelineEvent(
                p.made_on,
                "plan",
                _("%(kind)s, version %(v)s") % {"kind": p.get_kind_display(), "v": p.version},
                order=4,
            )
        )
    return events


def register() -> None:
    register_panel(Panel("case", gettext_lazy("Sagen"), "cases/panels/_case.html", case_context, order=10))
    register_panel(
        Panel(
            "notifications",
            gettext_lazy("Underretninger"),
            "cases/panels/_notifications.html",
            notifications_context,
            order=20,
        )
    )
    register_panel(
        Panel(
            "investigations",
            gettext_lazy("Børnefaglige undersøgelser"),
            "cases/panels/_investigations.html",
            investigations_context,
            order=30,
        )
    )
    register_panel(
        Panel("plan", gettext_lazy("Barnets plan og mål"), "cases/panels/_plan.html", plan_context, order=50)
    )
    register_panel(
        Panel(
            "journal",
            gettext_lazy("Journal"),
            "cases/panels/_journal.html",
            journal_context,
            order=60,
            open=True,
        )
    )
    register_panel(
        Panel(
            "history",
            gettext_lazy("Historik"),
            "cases/panels/_history.html",
            history_context,
            order=90,
            lazy_url=history_url,
        )
    )
    register_summary_part(
        SummaryPart("goals", "cases/summary/_goals.html", goals_summary, order=40, side=True)
    )
    register_timeline_provider("cases", timeline_events)
