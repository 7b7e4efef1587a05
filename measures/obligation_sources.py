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
from functools import cache
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Q

from cases import obligations
from cases.models import Case, CaseState, Plan, open_case_q
from cases.obligations import DeadlineValues as Values
from cases.obligations import Source, code_digest, same, sql_row_hash, sql_set_hash
from herning.core import dates, law
from measures.models import Measure, MeasureType

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


@cache
def _code_version() -> str:
    return code_digest(Path(__file__), Path(law.__file__))


def _needs_deadline(row: dict) -> bool:
    without_consent = row["decision_basis"] == Measure.DecisionBasis.WITHOUT_CONSENT
    return not without_consent or bool(row["plan_exception"])


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

    def input_digests_sql(self, today, context):
        """The placement and its case, and the days the case's plan versions were made."""
        if connection.vendor != "postgresql":
            return None
        inputs = sql_row_hash(
            "m.start_date",
            "m.actual_end",
            "m.decision_basis",
            "m.plan_exception",
            "m.case_id",
            "k.state",
            "k.municipality_id",
            "k.team_id",
            "k.district_id",
            "k.advisor_id",
            "mt.placement_category",
            "mt.name",
            "mt.name_en",
            f"(SELECT {sql_set_hash('p.id', 'p.made_on')} "  # noqa: S608 - names from the models, values bound
            f"FROM {Plan._meta.db_table} p WHERE p.case_id = m.case_id)",
        )
        # A read for no person (the nightly sweep) of what the deadline is computed from.
        sql = (
            f"SELECT m.id, md5(concat({inputs}, '|', %(stamp)s::text)) AS digest FROM {Measure._meta.db_table} m "  # noqa: S608 - names from the models, values bound
            f"JOIN {Case._meta.db_table} k ON k.id = m.case_id "
            f"JOIN {MeasureType._meta.db_table} mt ON mt.id = m.measure_type_id WHERE m.id = ANY(%(ids)s)"
        )
        return sql, {"stamp": _code_version()}

    def compute(self, ids, today, context):
        # Plain rows, not instances: the nightly sweep reads every placement.
        rows = list(
            Measure.objects.for_system()
            .filter(pk__in=ids)
            .values(
                "id",
                "start_date",
                "actual_end",
                "decision_basis",
                "plan_exception",
                "case_id",
                "case__state",
                "case__municipality_id",
                "case__team_id",
                "case__district_id",
                "case__advisor_id",
                "measure_type__placement_category",
                "measure_type__name",
                "measure_type__name_en",
            )
        )
        plans = defaultdict(list)
        for case_id, made_on in (
            Plan.objects.for_system()
            .filter(case_id__in={r["case_id"] for r in rows})
            .values_list("case_id", "made_on")
        ):
            plans[case_id].append(made_on)
        results = {(PLACEMENT_PLAN, pk): None for pk in ids}
        for row in rows:
            versions = plans[row["case_id"]]
            if (
                not row["measure_type__placement_category"]
                or row["start_date"] < law.BARNETS_LOV.start
                or row["case__state"] == CaseState.CLOSED
                or (row["actual_end"] is not None and row["actual_end"] < today)
                or not _needs_deadline(row)
                # No plan yet, or one due and not made: the case's plan deadline covers it.
                or not versions
                or None in versions
                or any(made >= row["start_date"] for made in versions)
            ):
                continue
            results[(PLACEMENT_PLAN, row["id"])] = _values(row)
        return results


def _values(row: dict) -> Values:
    start = row["start_date"]
    due = start + relativedelta(months=PLAN_MONTHS)
    name_da = row["measure_type__name"]
    name_en = row["measure_type__name_en"] or name_da
    return Values(
        municipality_id=row["case__municipality_id"],
        case_id=row["case_id"],
        team_id=row["case__team_id"],
        district_id=row["case__district_id"],
        responsible_id=row["case__advisor_id"],
        due_on=due,
        due_at=dates.end_of(due),
        statutory=True,
        rule=RULE,
        explanation=(
            f"Anbringelse ({name_da}) besluttet {dates.format_date(start, 'da')}; barnets plan skal "
            f"revideres med anbringelsens mål senest {dates.format_date(due, 'da')}, 3 måneder efter "
            f"afgørelsen ({RULE})."
        ),
        explanation_en=(
            f"Placement ({name_en}) decided {dates.format_date(start, 'en')}; the child's plan is to "
            f"be revised with the placement's goals by {dates.format_date(due, 'en')}, 3 months after the "
            f"decision (Barnets Lov § 91(2))."
        ),
    )


def register() -> None:
    obligations.register_source("placement_plan", PlacementPlanSource())
