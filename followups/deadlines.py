"""The deadline table, kept in sync with the records deadlines come from.

One ``Deadline`` row per open obligation: the next follow-up of a measure by the municipality's
rule, by the law and (placements) the next supervisory visit; the 24-hour assessment and the
receipt of a notification; the end of an investigation; the child's plan. Each kind of source is a
``Source`` below: which records are open, how to load a batch of them and what their deadlines are.
A kind is a value in ``DeadlineKind`` and a ``Source`` registered in ``SOURCES``; the agreements
of network meetings and the handover meetings of cases moved between districts were added so.

Signals keep rows in sync as records change (``followups.signals``); ``rebuild`` recomputes every
row in batches and is what the nightly full sweep, the demo data and bulk imports call.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from cases.models import Case, CaseState, CaseTransfer, Investigation, Notification, Plan
from followups import engine, timing
from followups.models import Deadline, DeadlineKind, FollowUp, FollowUpException
from followups.presets import EXCEPTIONS, NO_LEGAL_FLOOR
from followups.rules import RuleBook
from herning.core import law
from measures.models import Measure
from network_meetings.selectors import open_staff_agreements

logger = logging.getLogger("herning.followups")

BATCH_SIZE = 2000


class Values(NamedTuple):
    """What a deadline row says, computed from its source (a tuple: cheap to compare)."""

    municipality_id: int
    case_id: int | None
    team_id: int | None
    district_id: int | None
    responsible_id: int | None
    due_on: datetime.date
    due_at: datetime.datetime
    statutory: bool
    rule: str
    explanation: str
    explanation_en: str


VALUE_FIELDS = list(Values._fields)


@dataclass
class Stats:
    checked: int = 0
    changed: int = 0
    errors: int = 0

    def add(self, other: Stats) -> None:
        self.checked += other.checked
        self.changed += other.changed
        self.errors += other.errors


def _time(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%H.%M")


class Source:
    """A kind of record that deadlines come from."""

    kinds: tuple[str, ...] = ()

    def open_ids(self, today: datetime.date):
        """A queryset of the primary keys of the records with an open obligation."""
        raise NotImplementedError

    def compute(
        self, ids: list[int], today: datetime.date, context: dict
    ) -> dict[tuple[str, int], Values | None]:
        """The deadlines of the records ``ids``: a value (or None: nothing open) for every kind of
        every id. A record that fails is logged and left out, so the rest go on."""
        raise NotImplementedError

    def prepare(self, today: datetime.date) -> dict:
        """Things loaded once for a whole rebuild (rules, say)."""
        return {}

    def after_write(self, results: dict, context: dict) -> None:
        """Work that follows from new deadlines (the measure's stored next due date)."""

    def close_stale(self, today: datetime.date, open_ids, now: datetime.datetime) -> int:
        """Close the rows whose record no longer has anything open (ended, completed, deleted)."""
        return (
            Deadline.objects.for_system()
            .filter(kind__in=self.kinds, is_open=True)
            .exclude(source_id__in=open_ids)
            .update(is_open=False, next_check_at=None, updated_at=now)
        )


# --- Measures: the three follow-up chains ------------------------------------------------------


def measure_is_open(today: datetime.date) -> Q:
    return (Q(actual_end__isnull=True) | Q(actual_end__gte=today)) & ~Q(case__state=CaseState.CLOSED)


class MeasureSource(Source):
    kinds = (DeadlineKind.FOLLOWUP, DeadlineKind.LEGAL_FOLLOWUP, DeadlineKind.SUPERVISION)

    def open_ids(self, today):
        return Measure.objects.for_system().filter(measure_is_open(today)).values_list("pk", flat=True)

    def prepare(self, today):
        return {"rules": RuleBook(today)}

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
        investigations = _investigation_ends(
            {r["case_id"] for r in rows if law.regime_on(r["start_date"]).first_followup_at_investigation_end}
        )
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
        legal = engine.LegalContext(
            applies=row["legal_basis__code"] not in NO_LEGAL_FLOOR,
            placement=bool(row["measure_type__placement_category"]),
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
                )
            )
        return result

    def close_stale(self, today, open_ids, now):
        Measure.objects.for_system().filter(next_followup_due__isnull=False).exclude(pk__in=open_ids).update(
            next_followup_due=None
        )
        return super().close_stale(today, open_ids, now)

    def after_write(self, results, context):
        changed = context.pop("next_due", {})
        if not changed:
            return
        if connection.vendor != "postgresql":
            Measure.objects.for_system().bulk_update(
                [Measure(pk=pk, next_followup_due=due) for pk, due in changed.items()], ["next_followup_due"]
            )
            return
        # One UPDATE ... FROM (VALUES ...) instead of bulk_update's CASE per row: a first rebuild
        # sets the date on every open measure.
        table = Measure._meta.db_table
        rows = ", ".join(["(%s, %s::date)"] * len(changed))
        params = [value for pair in changed.items() for value in pair]
        with connection.cursor() as cursor:
            cursor.execute(
                # The table name is the model's own; every value is a parameter.
                f"UPDATE {table} AS m SET next_followup_due = v.due FROM (VALUES {rows}) AS v(id, due) WHERE m.id = v.id",  # noqa: S608
                params,
            )


def held_for(measure_ids: Iterable[int]) -> defaultdict[int, list[engine.Held]]:
    """The follow-ups held on each of the measures, oldest first, as the engine's plain tuples
    (model instances would cost most of the time: the sweep reads a million)."""
    held = defaultdict(list)
    for measure_id, *values in (
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
        )
    ):
        held[measure_id].append(engine.Held(*values))
    return held


def relaxations_for(measure_ids: Iterable[int]) -> dict[int, tuple[engine.Relaxation, ...]]:
    """The approved exceptions of the measures, as the engine's relaxations."""
    result = defaultdict(list)
    for exc in (
        FollowUpException.objects.for_system()
        .filter(measure_id__in=measure_ids, state=FollowUpException.State.APPROVED)
        .order_by("decided_at")
    ):
        spec = EXCEPTIONS[exc.kind]
        result[exc.measure_id].append(
            engine.Relaxation(
                label_da=str(exc.get_kind_display()),
                label_en=spec["label_en"],
                from_date=timezone.localdate(exc.decided_at),
                extra_forms=spec["extra_forms"],
                child_conversation_required=spec["child_conversation_required"],
            )
        )
    return {k: tuple(v) for k, v in result.items()}


def _investigation_ends(case_ids) -> dict[int, list[tuple]]:
    result = defaultdict(list)
    if case_ids:
        for case_id, decided, completed, deadline in (
            Investigation.objects.for_system()
            .filter(case_id__in=case_ids)
            .values_list("case_id", "decided_on", "completed_on", "deadline")
        ):
            result[case_id].append((decided, completed, deadline))
    return result


def _investigation_end(investigations, start: datetime.date) -> datetime.date | None:
    """BL § 95, stk. 2, nr. 1: the end of an investigation running alongside the measure when it
    started (its completion, or its deadline while it runs)."""
    ends = [completed or deadline for decided, completed, deadline in investigations if decided <= start]
    ends = [e for e in ends if e >= start]
    return min(ends, default=None)


def measure_context(measure: Measure) -> tuple[engine.LegalContext, tuple[engine.Relaxation, ...]]:
    """The legal context and approved relaxations of one measure (for its schedule page)."""
    investigations = _investigation_ends({measure.case_id}).get(measure.case_id, ())
    legal = engine.LegalContext(
        applies=measure.legal_basis.code not in NO_LEGAL_FLOOR,
        placement=measure.measure_type.is_placement,
        investigation_end=(
            _investigation_end(investigations, measure.start_date)
            if law.regime_on(measure.start_date).first_followup_at_investigation_end
            else None
        ),
    )
    return legal, relaxations_for([measure.pk]).get(measure.pk, ())


# --- Notifications, investigations, plans -------------------------------------------------------


class NotificationSource(Source):
    kinds = (DeadlineKind.ASSESSMENT, DeadlineKind.RECEIPT)

    def open_ids(self, today):
        receipt_open = Q(
            notifier_kind=Notification.NotifierKind.PROFESSIONAL,
            receipt_due_on__isnull=False,
            receipt_sent_on__isnull=True,
        )
        return (
            Notification.objects.for_system()
            .filter(Q(assessed_at__isnull=True) | receipt_open)
            .values_list("pk", flat=True)
        )

    def compute(self, ids, today, context):
        results = {}
        for n in Notification.objects.for_system().filter(pk__in=ids).select_related("case"):
            case = n.case
            regime = law.regime_on(timezone.localdate(n.received_at))
            received_da = (
                f"{engine.format_date(timezone.localdate(n.received_at), 'da')} kl. {_time(n.received_at)}"
            )
            received_en = f"{engine.format_date(timezone.localdate(n.received_at), 'en')} at {_time(n.received_at).replace('.', ':')}"
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
                    due_at=timing.end_of(n.receipt_due_on),
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
            results[(DeadlineKind.ASSESSMENT, n.pk)] = assessment
            results[(DeadlineKind.RECEIPT, n.pk)] = receipt
        return results


class InvestigationSource(Source):
    kinds = (DeadlineKind.INVESTIGATION,)

    def open_ids(self, today):
        return (
            Investigation.objects.for_system()
            .filter(completed_on__isnull=True)
            .exclude(case__state=CaseState.CLOSED)
            .values_list("pk", flat=True)
        )

    def compute(self, ids, today, context):
        results = {}
        for inv in Investigation.objects.for_system().filter(pk__in=ids).select_related("case"):
            case = inv.case
            values = None
            if inv.completed_on is None and case.state != CaseState.CLOSED:
                rule = law.regime_on(inv.decided_on).investigation.citation
                values = Values(
                    municipality_id=case.municipality_id,
                    case_id=case.pk,
                    team_id=case.team_id,
                    district_id=case.district_id,
                    responsible_id=case.advisor_id,
                    due_on=inv.deadline,
                    due_at=timing.end_of(inv.deadline),
                    statutory=True,
                    rule=rule,
                    explanation=(
                        f"Børnefaglig undersøgelse besluttet {engine.format_date(inv.decided_on, 'da')}; "
                        f"skal være afsluttet senest {engine.format_date(inv.deadline, 'da')}, 4 måneder efter ({rule})."
                    ),
                    explanation_en=(
                        f"Child-welfare investigation decided {engine.format_date(inv.decided_on, 'en')}; "
                        f"to be completed by {engine.format_date(inv.deadline, 'en')}, 4 months after ({rule})."
                    ),
                )
            results[(DeadlineKind.INVESTIGATION, inv.pk)] = values
        return results


class PlanSource(Source):
    kinds = (DeadlineKind.PLAN,)

    def open_ids(self, today):
        return (
            Plan.objects.for_system()
            .filter(due_on__isnull=False, made_on__isnull=True)
            .exclude(case__state=CaseState.CLOSED)
            .values_list("pk", flat=True)
        )

    def compute(self, ids, today, context):
        results = {}
        for plan in Plan.objects.for_system().filter(pk__in=ids).select_related("case"):
            case = plan.case
            values = None
            if plan.due_on and plan.made_on is None and case.state != CaseState.CLOSED:
                rule = law.plan_provision(plan.kind).citation
                values = Values(
                    municipality_id=case.municipality_id,
                    case_id=case.pk,
                    team_id=case.team_id,
                    district_id=case.district_id,
                    responsible_id=case.advisor_id,
                    due_on=plan.due_on,
                    due_at=timing.end_of(plan.due_on),
                    statutory=True,
                    rule=rule,
                    explanation=(
                        f"{plan.get_kind_display()} (version {plan.version}) skal foreligge senest "
                        f"{engine.format_date(plan.due_on, 'da')}, 3 måneder efter afgørelsen ({rule})."
                    ),
                    explanation_en=(
                        f"The plan (version {plan.version}) is due by {engine.format_date(plan.due_on, 'en')}, "
                        f"3 months after the decision ({rule})."
                    ),
                )
            results[(DeadlineKind.PLAN, plan.pk)] = values
        return results


# The explanation is stored in both languages, whatever the language of the request or task.
_MEETING_KIND_DA = {"network": "netværksmødet", "involving": "det inddragende netværksmøde"}


class AgreementSource(Source):
    """The agreements of network meetings that a member of staff owns, with a date (Herningmodellen 1.0,
    "Netværksmøder og inddragende netværksmøder": "Aftaler og løsninger")."""

    kinds = (DeadlineKind.AGREEMENT,)
    rule = "Herningmodellen 1.0: netværksmøder, aftaler"

    def open_ids(self, today):
        return open_staff_agreements().order_by().values_list("pk", flat=True)

    def compute(self, ids, today, context):
        # An agreement that is done, cancelled or deleted has nothing open.
        results = {(DeadlineKind.AGREEMENT, pk): None for pk in ids}
        for a in open_staff_agreements().filter(pk__in=ids).select_related("meeting__team"):
            meeting = a.meeting
            held_on = timezone.localdate(meeting.starts_at)
            # The agreement's own words stay out: they may name the child, and the explanation goes
            # into reminder e-mails, which never do.
            results[(DeadlineKind.AGREEMENT, a.pk)] = Values(
                municipality_id=meeting.municipality_id,
                case_id=meeting.case_id,
                team_id=meeting.team_id,
                district_id=meeting.team.district_id,
                responsible_id=a.owner_user_id,
                due_on=a.due_on,
                due_at=timing.end_of(a.due_on),
                statutory=False,
                rule=self.rule,
                explanation=(
                    f"Aftale fra {_MEETING_KIND_DA.get(meeting.kind, 'netværksmødet')} "
                    f"{engine.format_date(held_on, 'da')} (møde nr. {meeting.pk}), "
                    f"senest {engine.format_date(a.due_on, 'da')}."
                ),
                explanation_en=(
                    f"Agreement from the network meeting of {engine.format_date(held_on, 'en')} "
                    f"(meeting no. {meeting.pk}), by {engine.format_date(a.due_on, 'en')}."
                ),
            )
        return results


class HandoverSource(Source):
    """The handover meeting the advisor who gave a case away to another district calls with the new
    advisor (Herningmodellen 1.0, "Praksis ved flytning af socialrådgivernes sager mellem distrikter").
    The row follows the case's team (the receiving one), whose leader waits for the handover."""

    kinds = (DeadlineKind.HANDOVER,)
    rule = "Herningmodellen 1.0: flytning af sager mellem distrikter"

    def open_ids(self, today):
        return (
            CaseTransfer.objects.for_system()
            .filter(handover_due_on__isnull=False, handover_held_on__isnull=True)
            .exclude(case__state=CaseState.CLOSED)
            .values_list("pk", flat=True)
        )

    def compute(self, ids, today, context):
        results = {(DeadlineKind.HANDOVER, pk): None for pk in ids}
        for t in (
            CaseTransfer.objects.for_system()
            .filter(pk__in=ids)
            .select_related("case", "from_team", "to_team")
        ):
            case = t.case
            if not t.handover_open or case.state == CaseState.CLOSED:
                continue
            moved = engine.format_date(t.transferred_on, "da")
            results[(DeadlineKind.HANDOVER, t.pk)] = Values(
                municipality_id=case.municipality_id,
                case_id=case.pk,
                team_id=case.team_id,
                district_id=case.district_id,
                responsible_id=t.from_advisor_id,
                due_on=t.handover_due_on,
                due_at=timing.end_of(t.handover_due_on),
                statutory=False,
                rule=self.rule,
                explanation=(
                    f"Sagen blev flyttet fra {t.from_team} til {t.to_team} {moved}; den afgivende rådgiver "
                    f"indkalder den nye rådgiver til et overleveringsmøde senest "
                    f"{engine.format_date(t.handover_due_on, 'da')}."
                ),
                explanation_en=(
                    f"The case moved from {t.from_team} to {t.to_team} on {engine.format_date(t.transferred_on, 'en')}; "
                    f"the advisor who gave it away calls the new advisor to a handover meeting by "
                    f"{engine.format_date(t.handover_due_on, 'en')}."
                ),
            )
        return results


SOURCES: dict[str, Source] = {
    "measure": MeasureSource(),
    "notification": NotificationSource(),
    "investigation": InvestigationSource(),
    "plan": PlanSource(),
    "agreement": AgreementSource(),
    "handover": HandoverSource(),
}

# Deadlines whose responsible person is the case's advisor (the others follow their record).
CASE_ADVISOR_KINDS = (
    DeadlineKind.FOLLOWUP,
    DeadlineKind.LEGAL_FOLLOWUP,
    DeadlineKind.SUPERVISION,
    DeadlineKind.INVESTIGATION,
    DeadlineKind.PLAN,
)


# --- Writing ------------------------------------------------------------------------------------


def fingerprint(values: Values) -> str:
    """A short digest of what a deadline says: comparing it spares reading every explanation back
    when nothing changed (the nightly sweep compares hundreds of thousands)."""
    parts = [
        v.astimezone(datetime.UTC).isoformat() if isinstance(v, datetime.datetime) else v for v in values
    ]
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def _write(results: dict[tuple[str, int], Values | None], now: datetime.datetime) -> int:
    """Create, update or close the rows so they say ``results``; returns how many changed."""
    if not results:
        return 0
    kinds = {k for k, _ in results}
    source_ids = {s for _, s in results}
    existing = {
        (kind, source_id): rest
        for kind, source_id, *rest in Deadline.objects.for_system()
        .filter(kind__in=kinds, source_id__in=source_ids)
        .values_list(
            "kind", "source_id", "pk", "is_open", "fingerprint", "due_on", "due_at", "responsible_id"
        )
    }
    creates, moved, reworded, closes = [], [], [], []
    for key, values in results.items():
        row = existing.get(key)
        if values is None:
            if row is not None and row[1]:
                closes.append(row[0])
            continue
        digest = fingerprint(values)
        if row is None:
            creates.append(
                (*key, *values, digest, True, timing.first_check(values.due_on, values.due_at, now), now)
            )
            continue
        pk, is_open, old_digest, due_on, due_at, responsible_id = row
        if is_open and old_digest == digest:
            continue
        deadline = Deadline(pk=pk, **values._asdict(), fingerprint=digest, is_open=True, updated_at=now)
        # A new due date or person starts the reminder stages again; a new wording does not.
        if not is_open or (due_on, due_at, responsible_id) != (
            values.due_on,
            values.due_at,
            values.responsible_id,
        ):
            deadline.next_check_at = timing.first_check(values.due_on, values.due_at, now)
            moved.append(deadline)
        else:
            reworded.append(deadline)
    fields = [*VALUE_FIELDS, "fingerprint", "is_open", "updated_at"]
    if creates:
        _insert(creates)
    if moved:
        Deadline.objects.for_system().bulk_update(moved, [*fields, "next_check_at"])
    if reworded:
        Deadline.objects.for_system().bulk_update(reworded, fields)
    if closes:
        Deadline.objects.for_system().filter(pk__in=closes).update(
            is_open=False, next_check_at=None, updated_at=now
        )
    return len(creates) + len(moved) + len(reworded) + len(closes)


_INSERT_COLUMNS = [
    "kind",
    "source_id",
    *VALUE_FIELDS,
    "fingerprint",
    "is_open",
    "next_check_at",
    "updated_at",
]


def _insert(rows: list[tuple]) -> None:
    """Insert new deadline rows; with PostgreSQL by COPY (a first rebuild writes hundreds of
    thousands), elsewhere (the SQLite of the embedded default) through the ORM."""
    if connection.vendor != "postgresql":
        Deadline.objects.bulk_create(Deadline(**dict(zip(_INSERT_COLUMNS, row, strict=True))) for row in rows)
        return
    columns = ", ".join(_INSERT_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Deadline._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _sync(
    source: Source, ids: list[int], today: datetime.date, context: dict, now: datetime.datetime
) -> Stats:
    results = source.compute(ids, today, context)
    changed = _write(results, now)
    source.after_write(results, context)
    return Stats(
        checked=sum(v is not None for v in results.values()), changed=changed, errors=context.pop("errors", 0)
    )


def sync(source_name: str, ids: Iterable[int], *, today: datetime.date | None = None) -> Stats:
    """Recompute the deadlines of the records ``ids`` of one source, now."""
    ids = [i for i in ids if i is not None]
    if not ids:
        return Stats()
    source = SOURCES[source_name]
    today = today or timezone.localdate()
    with transaction.atomic():
        return _sync(source, ids, today, {}, timezone.now())


def sync_measures(ids: Iterable[int], *, today: datetime.date | None = None) -> Stats:
    return sync("measure", ids, today=today)


def sync_case(case: Case) -> None:
    """The case's advisor, team or state changed: the deadlines it owns follow, in a few statements."""
    now = timezone.now()
    open_rows = Deadline.objects.for_system().filter(case=case, is_open=True)
    if case.state == CaseState.CLOSED:
        open_rows.update(is_open=False, next_check_at=None, updated_at=now)
        return
    advisor_rows = open_rows.filter(kind__in=CASE_ADVISOR_KINDS)
    moved = (
        advisor_rows.exclude(responsible__isnull=True)
        if case.advisor_id is None
        else advisor_rows.exclude(responsible_id=case.advisor_id)
    )
    # A new person responsible gets the reminder of the stage already reached.
    moved.update(responsible_id=case.advisor_id, next_check_at=now, updated_at=now)
    open_rows.exclude(team_id=case.team_id).update(
        team_id=case.team_id, district_id=case.district_id, updated_at=now
    )


def _chunks(queryset, size: int) -> Iterator[list[int]]:
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


def rebuild(
    *,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
    batch_size: int = BATCH_SIZE,
    sources=None,
) -> Stats:
    """Recompute every deadline from its source, in batches; close those with nothing open.

    Each batch is its own transaction, so a long rebuild holds no lock for long and what it has
    done stays done if it is stopped. ``checked`` counts the open deadlines it computed.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    total = Stats()
    for name in sources or SOURCES:
        source = SOURCES[name]
        context = source.prepare(today)
        open_ids = source.open_ids(today)
        for chunk in _chunks(open_ids, batch_size):
            with transaction.atomic():
                total.add(_sync(source, chunk, today, context, now))
        total.changed += source.close_stale(today, open_ids, now)
    return total
