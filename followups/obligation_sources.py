"""The deadlines the follow-ups app owns: the three follow-up chains of a measure (the
municipality's rule, the legal follow-up and, for placements, the supervisory visits).

Registered from ``FollowupsConfig.ready()`` (see ``cases.obligations``). Recomputed when a measure
changes and when an investigation of its case does (Barnets Lov § 95, stk. 2: the end of an
investigation running alongside may bring the first follow-up forward).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases import obligations
from cases.models import Case, CaseState, Investigation, LegalBasis
from cases.obligations import DeadlineValues as Values
from cases.obligations import Source, code_digest, same, sql_concat, sql_row_hash, sql_set_hash
from followups import engine, timing
from followups.models import Deadline, DeadlineKind, FollowUp, FollowUpException
from followups.presets import EXCEPTIONS, legal_context, legal_context_of
from followups.rules import BrokenRule, RuleBook
from herning.core import law
from herning.core.statements import kept
from herning.organisation.models import Municipality
from measures import services as measure_services
from measures.models import Measure, MeasureType

logger = logging.getLogger("herning.followups")


def _running_measures_of_investigations(ids: set[int]):
    return (
        Measure.objects.for_system()
        .filter(
            actual_end__isnull=True,
            case_id__in=Investigation.objects.for_system().filter(pk__in=ids).values("case_id"),
        )
        .values_list("pk", flat=True)
    )


# --- Measures: the three follow-up chains ------------------------------------------------------


def measure_is_open(today: datetime.date) -> Q:
    # The closed case as NOT EXISTS, not a join: a batch's 4,000 measures find whether their case
    # is closed by its key, where the join read every open case to hash them (20 ms a batch).
    closed_case = Case.objects.for_system().filter(pk=OuterRef("case_id"), state=CaseState.CLOSED)
    return (Q(actual_end__isnull=True) | Q(actual_end__gte=today)) & ~Exists(closed_case)


class MeasureSource(Source):
    kinds = (DeadlineKind.FOLLOWUP, DeadlineKind.LEGAL_FOLLOWUP, DeadlineKind.SUPERVISION)
    triggers = {"measure": same, "investigation": _running_measures_of_investigations}

    def open_ids(self, today):
        return Measure.objects.for_system().filter(measure_is_open(today)).values_list("pk", flat=True)

    def prepare(self, today):
        # The digest of each (municipality, measure type)'s rule, made once for every batch a
        # process runs in the sweep (a batch's context is a shallow copy).
        book = RuleBook(today)
        return {"rules": book, "rule_digests": _rule_digests(book)}

    def compute(self, ids, today, context):
        book: RuleBook = context.get("rules") or RuleBook(today)
        rows = list(
            Measure.objects.for_system()
            .filter(pk__in=ids)
            .values(
                "id",
                "start_date",
                "actual_end",
                "next_followup_due",
                "measure_type_id",
                "measure_type__name",
                "measure_type__name_en",
                "measure_type__placement_category",
                "measure_type__is_boarding_school",
                "legal_basis__code",
                "case_id",
                "case__municipality_id",
                "case__team_id",
                "case__district_id",
                "case__advisor_id",
                "case__state",
            )
        )
        held = held_for(ids)
        relaxations = relaxations_for(ids)
        investigations = _investigation_ends({r["case_id"] for r in rows})
        results = {}
        context.setdefault("next_due", {})
        for row in rows:
            try:
                computed = self._compute_one(
                    row, held[row["id"]], relaxations.get(row["id"], ()), investigations, book, today
                )
            except Exception:
                logger.exception(
                    "Could not compute the follow-up schedule of measure %s; skipped.", row["id"]
                )
                context["errors"] = context.get("errors", 0) + 1
                continue
            results.update(computed)
            next_due = min((v.due_on for v in computed.values() if v is not None), default=None)
            if next_due != row["next_followup_due"]:
                context["next_due"][row["id"]] = next_due
        return results

    def _compute_one(self, row, held, relaxations, investigations, book, today):
        keys = {kind: (kind, row["id"]) for kind in self.kinds}
        open_ = row["case__state"] != CaseState.CLOSED and (
            row["actual_end"] is None or row["actual_end"] >= today
        )
        if not open_:
            return dict.fromkeys(keys.values())
        rule = book.rule_for(row["case__municipality_id"], row["measure_type_id"])
        legal = legal_context(
            legal_basis=row["legal_basis__code"],
            placement_category=row["measure_type__placement_category"],
            boarding_school=row["measure_type__is_boarding_school"],
            investigation_end=_investigation_end(investigations.get(row["case_id"], ()), row["start_date"]),
        )
        schedule = engine.schedule(
            rule=rule,
            start=row["start_date"],
            held=held,
            today=today,
            measure=(row["measure_type__name"], row["measure_type__name_en"] or row["measure_type__name"]),
            legal=legal,
            end=row["actual_end"],
            relaxations=relaxations,
            explain_held=False,
        )
        result = {}
        first = schedule.next_pending_by_obligation()
        for kind, key in keys.items():
            item = first.get(kind)
            result[key] = (
                None
                if item is None
                else Values(
                    municipality_id=row["case__municipality_id"],
                    case_id=row["case_id"],
                    team_id=row["case__team_id"],
                    district_id=row["case__district_id"],
                    responsible_id=row["case__advisor_id"],
                    due_on=item.due_date,
                    due_at=timing.end_of(item.due_date),
                    statutory=item.kind == engine.STATUTORY,
                    rule=item.rule[:200],
                    explanation=item.explanation_da,
                    explanation_en=item.explanation_en,
                    details=details_of(item),
                )
            )
        return result

    def after_close(self, first, last, open_ids):
        # measures owns the column: it clears the date of every measure of the range no longer open.
        measure_services.next_followup_due_clear(first=first, last=last, keep=open_ids)

    def input_digests_sql(self, today, context):
        """The measure and its case, the follow-ups held, the approved exceptions, the case's
        investigations (by PostgreSQL), with the rule in force today, the law and the code."""
        if connection.vendor != "postgresql":
            return None
        rules = context.get("rule_digests")
        if rules is None:
            rules = context["rule_digests"] = _rule_digests(context.get("rules") or RuleBook(today))
        return _inputs_sql(), {
            "kinds": list(self.kinds),
            "approved": FollowUpException.State.APPROVED,
            "stamp": f"{_code_version()}|{law.regime_on(today).name}",
            "rules": rules,
        }

    def after_write(self, results, context):
        measure_services.next_followup_due_set(due=context.pop("next_due", {}))


def details_of(due: engine.Due) -> dict | None:
    """What a due date says besides its date and explanation, where it is not the default: kept on
    its deadline row (``Deadline.details``) so the API's list reads it (``due_from_row``)."""
    details = {}
    if due.purpose_da or due.purpose_en:
        details["purpose"] = due.purpose_da
        details["purpose_en"] = due.purpose_en
    if tuple(due.allowed_forms) != engine.FORMS:
        details["allowed_forms"] = list(due.allowed_forms)
    if not due.child_conversation_required:
        details["child_conversation_required"] = False
    if due.written_status:
        details["written_status"] = True
    return details or None


def due_from_row(row, today: datetime.date) -> engine.Due:
    """The due date a stored deadline row of a follow-up chain says (``details_of`` read back), with
    its status on ``today``: the same ``engine.Due`` the schedule gave it, but not held."""
    details = row.details or {}
    return engine.Due(
        due_date=row.due_on,
        kind=engine.STATUTORY if row.statutory else engine.MUNICIPAL,
        obligation=row.kind,
        rule=row.rule,
        explanation_da=row.explanation,
        explanation_en=row.explanation_en,
        status=engine.status_on(row.due_on, today),
        purpose_da=details.get("purpose", ""),
        purpose_en=details.get("purpose_en", ""),
        allowed_forms=tuple(details.get("allowed_forms", engine.FORMS)),
        child_conversation_required=details.get("child_conversation_required", True),
        written_status=details.get("written_status", False),
    )


def _rule_digests(book: RuleBook) -> str:
    """A JSON object ``{"<municipality>:<measure type>": digest of the rule in force}`` for every
    pair whose rule is valid (a broken rule is left out: its measures get no digest, so they are
    recomputed, and logged, every night). Some 100 municipalities times 20 types: made once per
    process and run, and looked up by key in the digest's query (a join to the pairs as arrays let
    the planner choose a merge join that compared 400,000 pairs a batch)."""
    result = {}
    types = list(MeasureType.objects.values_list("pk", flat=True))
    for municipality_id in Municipality.objects.values_list("pk", flat=True):
        for type_id in types:
            try:
                rule = repr(book.rule_for(municipality_id, type_id))
            except BrokenRule:
                continue
            result[f"{municipality_id}:{type_id}"] = hashlib.md5(
                rule.encode(), usedforsecurity=False
            ).hexdigest()
    return json.dumps(result)


@cache
def _code_version() -> str:
    here = Path(__file__).parent
    return code_digest(
        *(
            here / name
            for name in ("engine.py", "presets.py", "obligation_sources.py", "timing.py", "rules.py")
        ),
        Path(law.__file__),
    )


def _inputs_sql() -> str:
    """Per measure: its id, municipality and type, and the digest of its inputs in the database."""
    c = sql_concat
    held = sql_set_hash(
        "f.id",
        "f.held_on",
        "f.next_agreed_on",
        "f.supervisory_visit",
        "f.child_conversation_held",
        "f.statutory_cadence_months",
        "f.form",
        "f.no_conversation_ground",
        "f.later_state",
        "f.later_decided_by_id",
        "f.later_decided_at",
        # The approver is named in the explanation (few follow-ups have one: looked up for those).
        f"CASE WHEN f.later_decided_by_id IS NOT NULL THEN (SELECT {c('u.first_name', 'u.last_name', 'u.username')} "  # noqa: S608 - names from the models, values bound
        f"FROM {get_user_model()._meta.db_table} u WHERE u.id = f.later_decided_by_id) END",
    )
    inputs = sql_row_hash(
        "m.start_date",
        "m.actual_end",
        "m.measure_type_id",
        "mt.name",
        "mt.name_en",
        "mt.placement_category",
        "mt.is_boarding_school",
        "lb.code",
        "m.case_id",
        "k.municipality_id",
        "k.team_id",
        "k.district_id",
        "k.advisor_id",
        "k.state",
        "h.held",
        f"(SELECT string_agg({c('e.id', 'e.kind', 'e.decided_at')}, ';' ORDER BY e.id) "  # noqa: S608 - names from the models, values bound
        f"FROM {FollowUpException._meta.db_table} e WHERE e.measure_id = m.id AND e.state = %(approved)s)",
        f"(SELECT string_agg({c('i.id', 'i.decided_on', 'i.completed_on', 'i.deadline')}, ';' ORDER BY i.id) "  # noqa: S608 - names from the models, values bound
        f"FROM {Investigation._meta.db_table} i WHERE i.case_id = m.case_id)",
        # The measure's stored next due date is written from its rows: whether it still agrees.
        "m.next_followup_due IS NOT DISTINCT FROM dl.first_due",
    )
    # A read for no person (the nightly sweep) of what the schedule is computed from. The rule's
    # digest is looked up by (municipality, type); a pair without one (a broken rule) gives none.
    return (
        f"SELECT m.id, CASE WHEN rd.digest IS NOT NULL THEN md5(concat({inputs}, '|', rd.digest, '|', %(stamp)s::text)) END AS digest "  # noqa: S608 - names from the models, values bound
        # Each measure's case by its key (OFFSET 0 keeps the planner from scanning every case to
        # hash them for one batch: 7 ms a batch of 2,000 at national scale, 100,000 cases).
        f"FROM {Measure._meta.db_table} m CROSS JOIN LATERAL (SELECT k.municipality_id, k.team_id, "
        f"k.district_id, k.advisor_id, k.state FROM {Case._meta.db_table} k WHERE k.id = m.case_id OFFSET 0) k "
        f"JOIN {MeasureType._meta.db_table} mt ON mt.id = m.measure_type_id "
        f"JOIN {LegalBasis._meta.db_table} lb ON lb.id = m.legal_basis_id "
        # The follow-ups held and the deadline rows of the batch's id range, each read in one
        # range scan and grouped, rather than looked up measure by measure.
        f"LEFT JOIN (SELECT f.measure_id, {held} AS held "
        f"FROM {FollowUp._meta.db_table} f WHERE f.measure_id BETWEEN %(first)s AND %(last)s "
        "GROUP BY f.measure_id) h ON h.measure_id = m.id "
        "LEFT JOIN (SELECT d.source_id, min(d.due_on) FILTER (WHERE d.is_open) AS first_due "
        f"FROM {Deadline._meta.db_table} d WHERE d.kind = ANY(%(kinds)s) "
        "AND d.source_id BETWEEN %(first)s AND %(last)s GROUP BY d.source_id) dl ON dl.source_id = m.id "
        "CROSS JOIN LATERAL (SELECT %(rules)s::jsonb ->> concat(k.municipality_id, ':', m.measure_type_id) "
        "AS digest) rd "
        "WHERE m.id = ANY(%(ids)s)"
    )


def held_for(measure_ids: Iterable[int]) -> defaultdict[int, list[engine.Held]]:
    """The follow-ups held on each of the measures, oldest first, as the engine's plain tuples
    (model instances would cost most of the time: the sweep reads a million)."""
    held = defaultdict(list)
    rows = list(_held_rows(measure_ids=measure_ids))
    # The team leaders who approved a later date, by name (few: read apart, not joined to every row).
    approver_ids = {row[-2] for row in rows if row[-3] == engine.LATER_APPROVED and row[-2]}
    approvers = (
        {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=approver_ids)} if approver_ids else {}
    )
    for measure_id, *values, later_state, decided_by_id, decided_at in rows:
        decided_by = approvers.get(decided_by_id, "") if later_state == engine.LATER_APPROVED else ""
        decided_on = timezone.localdate(decided_at) if decided_at else None
        held[measure_id].append(engine.Held(*values, later_state, decided_by, decided_on))
    return held


@kept(bound=("measure_ids",))
def _held_rows(*, measure_ids):
    # Compiled once per process (herning.core.statements): the follow-ups API reads it on every
    # request, and the sweep for every batch.
    return (
        FollowUp.objects.for_system()
        .filter(measure_id__in=measure_ids)
        .order_by("held_on", "pk")
        .values_list(
            "measure_id",
            "held_on",
            "next_agreed_on",
            "supervisory_visit",
            "child_conversation_held",
            "statutory_cadence_months",
            "form",
            "no_conversation_ground",
            "later_state",
            "later_decided_by_id",
            "later_decided_at",
        )
    )


def relaxations_for(measure_ids: Iterable[int]) -> dict[int, tuple[engine.Relaxation, ...]]:
    """The approved exceptions of the measures, as the engine's relaxations."""
    result = defaultdict(list)
    for exc in _approved_exceptions(measure_ids=measure_ids):
        spec = EXCEPTIONS[exc.kind]
        result[exc.measure_id].append(
            engine.Relaxation(
                label_da=str(exc.get_kind_display()),
                label_en=spec["label_en"],
                from_date=timezone.localdate(exc.decided_at),
                extra_forms=spec["extra_forms"],
                child_conversation_required=spec["child_conversation_required"],
                not_before_months=spec.get("not_before_months", 0),
            )
        )
    return {k: tuple(v) for k, v in result.items()}


@kept(bound=("measure_ids",))
def _approved_exceptions(*, measure_ids):
    return (
        FollowUpException.objects.for_system()
        .filter(measure_id__in=measure_ids, state=FollowUpException.State.APPROVED)
        .order_by("decided_at")
    )


def _investigation_ends(case_ids) -> dict[int, list[tuple]]:
    result = defaultdict(list)
    if case_ids:
        for case_id, decided, completed, deadline in _investigations(case_ids=case_ids):
            result[case_id].append((decided, completed, deadline))
    return result


@kept(bound=("case_ids",))
def _investigations(*, case_ids):
    return (
        Investigation.objects.for_system()
        .filter(case_id__in=case_ids)
        .values_list("case_id", "decided_on", "completed_on", "deadline")
    )


def _investigation_end(investigations, start: datetime.date) -> datetime.date | None:
    """BL § 95, stk. 2, nr. 1: the end of an investigation running alongside the measure when it
    started (its completion, or its deadline while it runs)."""
    ends = [completed or deadline for decided, completed, deadline in investigations if decided <= start]
    ends = [e for e in ends if e >= start]
    return min(ends, default=None)


def measure_context(measure: Measure) -> tuple[engine.LegalContext, tuple[engine.Relaxation, ...]]:
    """The legal context and approved relaxations of one measure (for its schedule page)."""
    investigations = _investigation_ends({measure.case_id}).get(measure.case_id, ())
    legal = legal_context_of(
        measure,
        # Barnets Lov § 95, stk. 2, nr. 1; the engine asks whether the law of the day takes it.
        investigation_end=_investigation_end(investigations, measure.start_date),
    )
    return legal, relaxations_for([measure.pk]).get(measure.pk, ())


def register() -> None:
    obligations.register_source("measure", MeasureSource())
