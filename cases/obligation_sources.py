"""The deadlines the cases app owns: a notification's 24-hour assessment and receipt, the end of an
investigation and its interim assessment, the child's plan, and the handover meeting of a case moved
between districts.

Registered from ``CasesConfig.ready()`` (``cases.obligations`` tells how they are used). The
provision each deadline cites is the one of the regime in force on the day that starts it
(``herning.core.law``).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from cases import obligations
from cases.models import CaseTransfer, Investigation, Notification, Plan, open_case_q
from cases.obligations import DeadlineValues as Values
from cases.obligations import Source, same
from herning.core import dates, law

# The deadline kinds (``followups.models.DeadlineKind``); plain strings, as the cases app is below
# the app that keeps the table.
ASSESSMENT = "assessment"
RECEIPT = "receipt"
SCREENING = "screening"
FEEDBACK = "feedback"
INVESTIGATION = "investigation"
# Barnets Lov § 20, stk. 3: the interim assessment of an investigation not finished in 4 months.
INTERIM_ASSESSMENT = "interim_assessment"
PLAN = "plan"
HANDOVER = "handover"


def _time(moment) -> str:
    return timezone.localtime(moment).strftime("%H.%M")


def _due_on_day(case, due_on, *, responsible_id, **rest) -> Values:
    """A deadline of ``case`` that falls due at the end of the day ``due_on``: the row names the
    case's municipality, team and district, so the team leader's lists find it."""
    return Values(
        municipality_id=case.municipality_id,
        case_id=case.pk,
        team_id=case.team_id,
        district_id=case.district_id,
        responsible_id=responsible_id,
        due_on=due_on,
        due_at=dates.end_of(due_on),
        **rest,
    )


class NotificationSource(Source):
    """The 24-hour assessment, the receipt and the feedback to a professional notifier, and the
    screening of Barnets Lov § 18 (docs/deadlines.md, "Notifications")."""

    kinds = (ASSESSMENT, RECEIPT, SCREENING, FEEDBACK)
    triggers = {"notification": same}

    def open_ids(self, today):
        professional = Q(notifier_kind=Notification.NotifierKind.PROFESSIONAL)
        receipt_open = professional & Q(receipt_due_on__isnull=False, receipt_sent_on__isnull=True)
        feedback_open = professional & Q(feedback_due_on__isnull=False, feedback_sent_on__isnull=True)
        screening_open = Q(screening_due_on__isnull=False, screened_on__isnull=True)
        return (
            Notification.objects.for_system()
            .filter(Q(assessed_at__isnull=True) | receipt_open | feedback_open | screening_open)
            .values_list("pk", flat=True)
        )

    def compute(self, ids, today, context):
        results = {}
        for n in Notification.objects.for_system().filter(pk__in=ids).select_related("case"):
            case = n.case
            regime = law.regime_on(timezone.localdate(n.received_at))
            received_da = (
                f"{dates.format_date(timezone.localdate(n.received_at), 'da')} kl. {_time(n.received_at)}"
            )
            received_en = f"{dates.format_date(timezone.localdate(n.received_at), 'en')} at {_time(n.received_at).replace('.', ':')}"
            common = {
                "municipality_id": n.municipality_id,
                "case_id": n.case_id,
                "team_id": case.team_id if case else None,
                "district_id": n.district_id,
            }
            assessment = None
            if n.assessed_at is None:
                rule = regime.assessment.citation
                assessment = Values(
                    **common,
                    responsible_id=n.duty_advisor_id,
                    due_on=timezone.localdate(n.assessment_due_at),
                    due_at=n.assessment_due_at,
                    statutory=True,
                    rule=rule,
                    explanation=(
                        f"Underretning modtaget {received_da}; vurdering af, om barnet er i akut fare, "
                        f"senest 24 timer efter modtagelsen ({rule})."
                    ),
                    explanation_en=(
                        f"Notification received {received_en}; assessment of whether the child is in acute "
                        f"danger at the latest 24 hours after receipt ({rule})."
                    ),
                )
            receipt = None
            if (
                n.notifier_kind == Notification.NotifierKind.PROFESSIONAL
                and n.receipt_due_on
                and n.receipt_sent_on is None
            ):
                rule = regime.receipt.citation
                receipt = Values(
                    **common,
                    responsible_id=n.duty_advisor_id or (case.advisor_id if case else None),
                    due_on=n.receipt_due_on,
                    due_at=dates.end_of(n.receipt_due_on),
                    statutory=True,
                    rule=rule,
                    explanation=(
                        f"Underretning fra en fagperson modtaget {received_da}; kvittering for modtagelsen "
                        f"senest 6 hverdage efter ({rule})."
                    ),
                    explanation_en=(
                        f"Notification from a professional received {received_en}; receipt confirmed "
                        f"at the latest 6 working days after ({rule})."
                    ),
                )
            results[(ASSESSMENT, n.pk)] = assessment
            results[(RECEIPT, n.pk)] = receipt
            results[(SCREENING, n.pk)] = _screening(n, regime, common, received_da, received_en)
            results[(FEEDBACK, n.pk)] = _feedback(n, regime, common, received_da, received_en)
        return results


def _case_holder(n) -> int | None:
    """The case's advisor answers for the case's steps; before the case has one, the duty advisor."""
    return (n.case.advisor_id if n.case else None) or n.duty_advisor_id


def _screening(n, regime, common, received_da, received_en) -> Values | None:
    """Barnets Lov § 18 sets no time limit: the deadline is the municipality's own (not statutory)."""
    if n.screening_due_on is None or n.screened_on is not None or regime.screening is None:
        return None
    rule = regime.screening.citation
    return Values(
        **common,
        responsible_id=_case_holder(n),
        due_on=n.screening_due_on,
        due_at=dates.end_of(n.screening_due_on),
        statutory=False,
        rule=rule,
        explanation=(
            f"Underretning modtaget {received_da}; screening af barnets behov for hjælp ({rule}) senest "
            f"{dates.format_date(n.screening_due_on, 'da')}, kommunens egen frist."
        ),
        explanation_en=(
            f"Notification received {received_en}; screening of the child's need for help ({rule}) by "
            f"{dates.format_date(n.screening_due_on, 'en')}, the municipality's own time limit."
        ),
    )


def _feedback(n, regime, common, received_da, received_en) -> Values | None:
    if (
        n.notifier_kind != Notification.NotifierKind.PROFESSIONAL
        or n.feedback_due_on is None
        or n.feedback_sent_on is not None
        or regime.feedback is None
    ):
        return None
    rule = regime.feedback.citation
    return Values(
        **common,
        responsible_id=_case_holder(n),
        due_on=n.feedback_due_on,
        due_at=dates.end_of(n.feedback_due_on),
        statutory=True,
        rule=rule,
        explanation=(
            f"Underretning fra en fagperson modtaget {received_da}; meddelelse til underretteren om, "
            f"hvorvidt der er iværksat en undersøgelse eller en indsats, senest 3 måneder efter ({rule})."
        ),
        explanation_en=(
            f"Notification from a professional received {received_en}; the notifier is told whether an "
            f"investigation or a measure was started, at the latest 3 months after ({rule})."
        ),
    )


class InvestigationSource(Source):
    """The investigation, finished within four months of the day the municipality became aware
    (``aware_on``), and, when those months run out with it unfinished, the interim assessment
    (foreløbig vurdering) due then: Barnets Lov § 20, stk. 3; Serviceloven § 50, stk. 7 before
    2024 (docs/deadlines.md)."""

    kinds = (INVESTIGATION, INTERIM_ASSESSMENT)
    triggers = {"investigation": same}

    def open_ids(self, today):
        return (
            Investigation.objects.for_system()
            .filter(completed_on__isnull=True)
            .filter(open_case_q("case__"))
            .values_list("pk", flat=True)
        )

    def compute(self, ids, today, context):
        results = {}
        for inv in Investigation.objects.for_system().filter(pk__in=ids).select_related("case"):
            case = inv.case
            running = inv.completed_on is None and case.is_open
            rule = law.regime_on(inv.decided_on).investigation.citation
            aware = (dates.format_date(inv.aware_on, "da"), dates.format_date(inv.aware_on, "en"))
            due = (dates.format_date(inv.deadline, "da"), dates.format_date(inv.deadline, "en"))
            values = interim = None
            if running:
                values = _due_on_day(
                    case,
                    inv.deadline,
                    responsible_id=case.advisor_id,
                    statutory=True,
                    rule=rule,
                    explanation=(
                        f"Kommunen blev opmærksom på barnets mulige behov {aware[0]}; den børnefaglige "
                        f"undersøgelse skal være afsluttet senest {due[0]}, 4 måneder efter ({rule})."
                    ),
                    explanation_en=(
                        f"The municipality became aware of the child's possible need on {aware[1]}; the "
                        f"child-welfare investigation is to be completed by {due[1]}, 4 months after ({rule})."
                    ),
                )
            if running and inv.interim_assessment_due(today):
                interim = _due_on_day(
                    case,
                    inv.deadline,
                    responsible_id=case.advisor_id,
                    statutory=True,
                    rule=rule,
                    explanation=(
                        f"Den børnefaglige undersøgelse er ikke afsluttet inden 4 måneder ({due[0]}); "
                        f"kommunen skal udarbejde en foreløbig vurdering og afslutte undersøgelsen "
                        f"snarest herefter ({rule})."
                    ),
                    explanation_en=(
                        f"The child-welfare investigation was not completed within 4 months ({due[1]}); "
                        f"the municipality is to write an interim assessment and complete the "
                        f"investigation as soon as possible after ({rule})."
                    ),
                )
            results[(INVESTIGATION, inv.pk)] = values
            results[(INTERIM_ASSESSMENT, inv.pk)] = interim
        return results


class PlanSource(Source):
    kinds = (PLAN,)
    triggers = {"plan": same}

    def open_ids(self, today):
        return (
            Plan.objects.for_system()
            .filter(due_on__isnull=False, made_on__isnull=True)
            .filter(open_case_q("case__"))
            .values_list("pk", flat=True)
        )

    def compute(self, ids, today, context):
        results = {}
        for plan in Plan.objects.for_system().filter(pk__in=ids).select_related("case"):
            case = plan.case
            values = None
            if plan.due_on and plan.made_on is None and case.is_open:
                rule = law.plan_provision(plan.kind).citation
                values = _due_on_day(
                    case,
                    plan.due_on,
                    responsible_id=case.advisor_id,
                    statutory=True,
                    rule=rule,
                    explanation=(
                        f"{plan.get_kind_display()} (version {plan.version}) skal foreligge senest "
                        f"{dates.format_date(plan.due_on, 'da')}, 3 måneder efter afgørelsen ({rule})."
                    ),
                    explanation_en=(
                        f"The plan (version {plan.version}) is due by {dates.format_date(plan.due_on, 'en')}, "
                        f"3 months after the decision ({rule})."
                    ),
                )
            results[(PLAN, plan.pk)] = values
        return results


# The explanation is stored in both languages, whatever the language of the request or task.
class HandoverSource(Source):
    """The handover meeting the advisor who gave a case away to another district calls with the new
    advisor (Herningmodellen 1.0, "Praksis ved flytning af socialrådgivernes sager mellem distrikter").
    The row follows the case's team (the receiving one), whose leader waits for the handover."""

    kinds = (HANDOVER,)
    triggers = {"casetransfer": same}
    rule = "Herningmodellen 1.0: flytning af sager mellem distrikter"

    def open_ids(self, today):
        return (
            CaseTransfer.objects.for_system()
            .filter(handover_due_on__isnull=False, handover_held_on__isnull=True)
            .filter(open_case_q("case__"))
            .values_list("pk", flat=True)
        )

    def compute(self, ids, today, context):
        results = {(HANDOVER, pk): None for pk in ids}
        for t in (
            CaseTransfer.objects.for_system()
            .filter(pk__in=ids)
            .select_related("case", "from_team", "to_team")
        ):
            case = t.case
            if not t.handover_open or not case.is_open:
                continue
            moved = dates.format_date(t.transferred_on, "da")
            results[(HANDOVER, t.pk)] = _due_on_day(
                case,
                t.handover_due_on,
                responsible_id=t.from_advisor_id,
                statutory=False,
                rule=self.rule,
                explanation=(
                    f"Sagen blev flyttet fra {t.from_team} til {t.to_team} {moved}; den afgivende rådgiver "
                    f"indkalder den nye rådgiver til et overleveringsmøde senest "
                    f"{dates.format_date(t.handover_due_on, 'da')}."
                ),
                explanation_en=(
                    f"The case moved from {t.from_team} to {t.to_team} on {dates.format_date(t.transferred_on, 'en')}; "
                    f"the advisor who gave it away calls the new advisor to a handover meeting by "
                    f"{dates.format_date(t.handover_due_on, 'en')}."
                ),
            )
        return results


def register() -> None:
    obligations.register_source("notification", NotificationSource())
    obligations.register_source("investigation", InvestigationSource())
    obligations.register_source("plan", PlanSource())
    obligations.register_source("handover", HandoverSource())
