"""The deadline the measures app owns: the child's plan revised for a placement.

A placement (a measure of a type with a placement category, ladder steps 3-6) needs the child's
plan made for it within 3 months of the decision (Barnets Lov § 91, stk. 2, 2. pkt.), even when
the case already has a plan from an earlier measure: the plan has to hold the placement's goals
and the support to the family (Barnets Lov § 92, stk. 1 and 3). A case with no plan at all gets
the due plan of ``cases.obligation_sources.PlanSource`` instead (``cases.services.plan_require``);
this source covers the case that has one. The deadline is kept by a plan version made on or after
the day of the decision. A placement without consent has its plan before the decision (Barnets Lov
§ 91, stk. 2, 3. pkt.; ``measures.services`` refuses it otherwise), so it has no deadline here,
unless the decision was made first for the reason recorded on the measure (``plan_exception``);
then the plan is due within the 3 months too. docs/deadlines.md, "Barnets plan ved anbringelse".

Registered from ``MeasuresConfig.ready()`` (``cases.obligations`` tells how sources are used).
"""

from __future__ import annotations

from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from cases import obligations
from cases.models import Plan, open_case_q
from cases.obligations import DeadlineValues as Values
from cases.obligations import Source, same
from herning.core import dates, law
from measures.models import Measure

# The deadline kind (``followups.models.DeadlineKind.PLACEMENT_PLAN``); a plain string, as the
# measures app is below the app that keeps the table.
PLACEMENT_PLAN = "placement_plan"
PLAN_MONTHS = 3
RULE = "Barnets Lov § 91, stk. 2"


def _placements() -> Q:
    # Barnets Lov only: a placement decided before 2024 followed Serviceloven § 140 (the plan
    # before the decision), which the case's own plan deadline covers.
    return ~Q(measure_type__placement_category="") & Q(start_date__gte=law.BARNETS_LOV.start)


def _placements_of_plans(ids: set[int]):
    return (
        Measure.objects.for_system()
        .filter(_placements(), case_id__in=Plan.objects.for_system().filter(pk__in=ids).values("case_id"))
        .values_list("pk", flat=True)
    )


def _needs_deadline(measure: Measure) -> bool:
    without_consent = measure.decision_basis == Measure.DecisionBasis.WITHOUT_CONSENT
    return not without_consent or bool(measure.plan_exception)


class PlacementPlanSource(Source):
    kinds = (PLACEMENT_PLAN,)
    triggers = {"measure": same, "plan": _placements_of_plans}

    def open_ids(self, today):
        return (
            Measure.objects.for_system()
            .filter(_placements(), open_case_q("case__"))
            .filter(Q(actual_end__isnull=True) | Q(actual_end__gte=today))
            .values_list("pk", flat=True)
        )

    def compute(self, ids, today, context):
        measures = list(
            Measure.objects.for_system().filter(pk__in=ids).select_related("case", "measure_type")
        )
        plans = defaultdict(list)
        for case_id, made_on in (
            Plan.objects.for_system()
            .filter(case_id__in={m.case_id for m in measures})
            .values_list("case_id", "made_on")
        ):
            plans[case_id].append(made_on)
        results = {(PLACEMENT_PLAN, pk): None for pk in ids}
        for m in measures:
            versions = plans[m.case_id]
            if (
                not m.measure_type.is_placement
                or m.start_date < law.BARNETS_LOV.start
                or not m.case.is_open
                or (m.actual_end is not None and m.actual_end < today)
                or not _needs_deadline(m)
                # No plan yet, or one due and not made: the case's plan deadline covers it.
                or not versions
                or None in versions
                or any(made >= m.start_date for made in versions)
            ):
                continue
            results[(PLACEMENT_PLAN, m.pk)] = _values(m)
        return results


def _values(m: Measure) -> Values:
    case = m.case
    due = m.start_date + relativedelta(months=PLAN_MONTHS)
    name_da, name_en = m.measure_type.name, m.measure_type.name_en or m.measure_type.name
    return Values(
        municipality_id=case.municipality_id,
        case_id=case.pk,
        team_id=case.team_id,
        district_id=case.district_id,
        responsible_id=case.advisor_id,
        due_on=due,
        due_at=dates.end_of(due),
        statutory=True,
        rule=RULE,
        explanation=(
            f"Anbringelse ({name_da}) besluttet {dates.format_date(m.start_date, 'da')}; barnets plan skal "
            f"revideres med anbringelsens mål senest {dates.format_date(due, 'da')}, 3 måneder efter "
            f"afgørelsen ({RULE})."
        ),
        explanation_en=(
            f"Placement ({name_en}) decided {dates.format_date(m.start_date, 'en')}; the child's plan is to "
            f"be revised with the placement's goals by {dates.format_date(due, 'en')}, 3 months after the "
            f"decision (Barnets Lov § 91(2))."
        ),
    )


def register() -> None:
    obligations.register_source("placement_plan", PlacementPlanSource())
