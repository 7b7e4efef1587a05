"""Writes of the evaluation app: the daily snapshots and their back-fill, complaints and SDQ scores.

Snapshots (issue 8 point 1). Each open case gets one row per day with its state, team, district,
ladder step and the placement category of its highest active measure. The step follows from the
measures active that day, exactly as ``measures.services.step_on`` decides it. Where the day is
the one just ended (the nightly run), everything is read as it is now. A day further back (the
back-fill, or nights the task missed) is rebuilt as the records stood at the end of that day
(issue 21 point 2, ``evaluation.past``): the case's team and district from its history and its
transfers, its measures' dates from theirs, each measure type's step and placement category from
the catalog's; a record registered only later (an import, a measure recorded after the fact) is
read as it is now. The state follows from the measures' and investigations' dates and the case's
opened/closed dates (see ``_reconstructed_state``). A day once taken is never written again:
figures for the past keep what was known then, and a back-fill of a deleted day writes it again
as it was.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from cases.models import Case, CaseState, CaseTransfer, Investigation
from cases.permissions import Action, require
from evaluation import past
from evaluation.models import (
    CaseSnapshot,
    Complaint,
    FollowUpDue,
    FollowUpDueDay,
    SdqScore,
    SnapshotDay,
    SnapshotRun,
)
from evaluation.periods import days_between
from herning.organisation.models import Municipality
from measures.models import LadderStep, Measure, MeasureType

logger = logging.getLogger(__name__)

# How far back the nightly task fills nights it missed (the worker was down); older gaps are for
# the back-fill command, which says what it does.
CATCH_UP_DAYS = 31

_COLUMNS = (
    "date",
    "case_id",
    "child_id",
    "municipality_id",
    "district_id",
    "team_id",
    "state",
    "ladder_step_id",
    "measure_type_id",
    "placement_category",
)
_PRE_MEASURE_STATES = (CaseState.NOTIFICATION, CaseState.CLARIFICATION)


@dataclass(frozen=True)
class _Span:
    pk: int
    start: datetime.date
    end: datetime.date | None
    measure_type_id: int

    def active_on(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass
class _Measure:
    """A measure's dates now (``present``) and as recorded over time (``line``)."""

    present: _Span
    line: past.Timeline | None

    def on(self, day: datetime.date, *, live: bool) -> _Span:
        if live or self.line is None:
            return self.present
        start, end = past.as_of(
            self.line, day, before_first="present", present=(self.present.start, self.present.end)
        )
        return _Span(pk=self.present.pk, start=start, end=end, measure_type_id=self.present.measure_type_id)


@dataclass
class _Catalog:
    """The catalog's ladder step and placement category per measure type, over time."""

    present: dict[int, tuple[int, str]]
    lines: dict[int, past.Timeline]
    numbers: dict[int, int]

    def on(self, measure_type_id: int, day: datetime.date) -> tuple[int, str]:
        return past.as_of(
            self.lines.get(measure_type_id), day, before_first="first", present=self.present[measure_type_id]
        )


@dataclass
class _CasePast:
    """A case's (team, district) over time and the (date, team, district) its transfers moved it
    from."""

    line: past.Timeline | None
    transfers: list[tuple[datetime.date, int, int]]


def _reconstructed_state(
    case: dict, day: datetime.date, *, measures: list[_Span], investigations: list[tuple]
) -> str:
    """The case's state on a past day, from dates alone (a case's history is no guide: a case
    written in bulk, like the demo's, is recorded once with its present state):

    1. a measure active that day: ``measures``;
    2. an investigation running that day (decided, not yet completed): ``investigation``;
    3. after its measures ended, a case now in aftercare: ``aftercare``;
    4. otherwise the case's present state while it is notification or clarification, else
       ``clarification`` (under afklaring).
    """
    if any(m.active_on(day) for m in measures):
        return CaseState.MEASURES
    if any(start <= day and (end is None or day < end) for start, end in investigations):
        return CaseState.INVESTIGATION
    if case["state"] == CaseState.AFTERCARE and any(m.end is not None and m.end < day for m in measures):
        return CaseState.AFTERCARE
    return case["state"] if case["state"] in _PRE_MEASURE_STATES else CaseState.CLARIFICATION


def _team_on(case: dict, case_past: _CasePast, day: datetime.date) -> tuple[int, int]:
    """The case's (team, district) at the end of ``day``: from its history when it had been
    recorded by then; before that, the team its first later transfer moved it from, else the team
    it was first recorded in."""
    line = case_past.line
    values = line.on(day) if line is not None else None
    if values is not None:
        return values
    moved_from = past.team_before_transfer(case_past.transfers, day)
    if moved_from is not None:
        return moved_from
    return line.first if line is not None else (case["team_id"], case["district_id"])


def _rows(
    *, municipality: Municipality, days: list[datetime.date], live_day: datetime.date | None
) -> Iterator[tuple]:
    """The snapshot rows of ``municipality``'s open cases for ``days`` (sorted), in a fixed number
    of queries: the cases, measures, investigations and transfers, and the history of the cases,
    the measures and the catalog (``evaluation.past``).

    The queries run at once, the rows are generated lazily: COPY streams them while the connection
    can run nothing else.
    """
    start, end = days[0], days[-1]
    open_cases = (
        Case.objects.for_system()
        .filter(municipality=municipality, opened_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=start))
    )
    cases = list(
        open_cases.values(
            "pk", "child_id", "district_id", "team_id", "state", "opened_on", "closed_on"
        ).order_by("pk")
    )
    # Subqueries rather than lists of ids: a national municipality has tens of thousands of cases.
    ids = open_cases.values("pk")
    # A measure's dates may have been different on the day (ended later, or corrected since), so
    # every measure of the cases that had begun by the end counts, and its history decides.
    measures: dict[int, list[_Measure]] = defaultdict(list)
    begun = Measure.objects.for_system().filter(case_id__in=ids, start_date__lte=end)
    present = list(begun.values_list("pk", "case_id", "start_date", "actual_end", "measure_type_id"))
    lines = past.timelines(
        Measure.history.filter(id__in=begun.values("pk"), history_date__lt=_end_of(end)),
        ("start_date", "actual_end"),
    )
    for pk, case_id, start_date, actual_end, type_id in present:
        span = _Span(pk=pk, start=start_date, end=actual_end, measure_type_id=type_id)
        line = lines.get(pk)
        if line is not None and set(line.values) == {(start_date, actual_end)}:
            line = None  # never dated otherwise: read as it is, without a look-up per day
        measures[case_id].append(_Measure(present=span, line=line))
    investigations: dict[int, list[tuple]] = defaultdict(list)
    for case_id, decided, completed in (
        Investigation.objects.for_system()
        .filter(case_id__in=ids, decided_on__lte=end)
        .values_list("case_id", "decided_on", "completed_on")
    ):
        investigations[case_id].append((decided, completed))
    transfers: dict[int, list] = defaultdict(list)
    for case_id, *moved in (
        CaseTransfer.objects.for_system()
        .filter(case_id__in=ids, transferred_on__gt=start)
        .order_by("transferred_on", "pk")
        .values_list("case_id", "transferred_on", "from_team_id", "from_team__district_id")
    ):
        transfers[case_id].append(tuple(moved))
    case_lines = past.timelines(Case.history.filter(id__in=ids), ("team_id", "district_id"))
    case_past = {
        c["pk"]: _CasePast(line=case_lines.get(c["pk"]), transfers=transfers.get(c["pk"], [])) for c in cases
    }
    types = {
        pk: (step_id, category)
        for pk, step_id, category in MeasureType.objects.values_list(
            "pk", "ladder_step_id", "placement_category"
        )
    }
    type_lines = past.timelines(MeasureType.history.all(), ("ladder_step_id", "placement_category"))
    catalog = _Catalog(
        present=types,
        # A type never changed is read as it is, without a look-up per day.
        lines={pk: line for pk, line in type_lines.items() if set(line.values) != {types.get(pk)}},
        numbers=dict(LadderStep.objects.values_list("pk", "number")),
    )
    return _generate(
        cases,
        measures,
        investigations,
        case_past,
        catalog,
        days=days,
        live_day=live_day,
        municipality=municipality,
    )


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day``, local time."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def _generate(cases, measures, investigations, case_past, catalog, *, days, live_day, municipality):
    start, end = days[0], days[-1]
    wanted = set(days)
    for case in cases:
        first = max(start, case["opened_on"])
        last = end if case["closed_on"] is None else min(end, case["closed_on"] - datetime.timedelta(days=1))
        versions = measures.get(case["pk"], [])
        for day in days_between(first, last) if first <= last else ():
            if day not in wanted:
                continue
            live = day == live_day
            spans = [m.on(day, live=live) for m in versions]
            top = None
            for span in spans:
                if not span.active_on(day):
                    continue
                step_id, category = (
                    catalog.present[span.measure_type_id] if live else catalog.on(span.measure_type_id, day)
                )
                # The highest step decides; between measures on the same step the latest started.
                key = (catalog.numbers[step_id], span.start, span.pk)
                if top is None or key > top[0]:
                    top = (key, step_id, span.measure_type_id, category)
            if live and case["state"] != CaseState.CLOSED:
                team_id, district_id, state = case["team_id"], case["district_id"], case["state"]
            else:
                team_id, district_id = _team_on(case, case_past[case["pk"]], day)
                state = _reconstructed_state(
                    case, day, measures=spans, investigations=investigations.get(case["pk"], [])
                )
            yield (
                day,
                case["pk"],
                case["child_id"],
                municipality.pk,
                district_id,
                team_id,
                state,
                top[1] if top else None,
                top[2] if top else None,
                top[3] if top else "",
            )


def _write(rows: Iterable[tuple]) -> int:
    """Insert snapshot rows in bulk, skipping any (date, case) already there; returns how many were
    inserted. PostgreSQL gets COPY into a temporary table (hundreds of thousands of rows in seconds);
    other databases batched INSERTs."""
    table = CaseSnapshot._meta.db_table
    columns = ", ".join(_COLUMNS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE evaluation_snapshot_load ON COMMIT DROP AS "  # noqa: S608 - names from the model
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            with cursor.copy(f"COPY evaluation_snapshot_load ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM evaluation_snapshot_load "  # noqa: S608
                f"ON CONFLICT (case_id, date) DO NOTHING"
            )
            inserted = cursor.rowcount
            cursor.execute("DROP TABLE evaluation_snapshot_load")
        return inserted
    before = CaseSnapshot.objects.for_system().count()
    batch: list[CaseSnapshot] = []
    for row in rows:
        batch.append(CaseSnapshot(**dict(zip(_COLUMNS, row, strict=True))))
        if len(batch) >= 2000:
            CaseSnapshot.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    CaseSnapshot.objects.bulk_create(batch, ignore_conflicts=True)
    return CaseSnapshot.objects.for_system().count() - before


@transaction.atomic
def snapshots_take(
    *,
    municipality: Municipality,
    days: Iterable[datetime.date],
    method: str,
    live_day: datetime.date | None = None,
) -> int:
    """Take the snapshots of ``days`` not taken before; returns how many rows were written.

    ``live_day`` is the day whose state, team and district are read from the cases as they are now
    (the day that has just ended); every other day is reconstructed.
    """
    # Lock the municipality's row: two runs at once must not both decide a day is missing.
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
    taken = set(
        SnapshotDay.objects.filter(municipality=municipality, date__in=list(days)).values_list(
            "date", flat=True
        )
    )
    todo = sorted(set(days) - taken)
    if not todo:
        return 0
    per_day: dict[datetime.date, int] = defaultdict(int)

    def counted(rows):
        for row in rows:
            per_day[row[0]] += 1
            yield row

    written = _write(counted(_rows(municipality=municipality, days=todo, live_day=live_day)))
    SnapshotDay.objects.bulk_create(
        SnapshotDay(municipality=municipality, date=day, method=method, cases=per_day[day]) for day in todo
    )
    snapshot_runs_update(municipality_id=municipality.pk, days=todo)
    return written


# --- The snapshots run-length encoded (issue 21 point 8) ----------------------------------------


def snapshot_runs_update(*, municipality_id: int, days: list[datetime.date]) -> None:
    """Bring the municipality's runs (``SnapshotRun``) up to date after the snapshots of ``days``
    were written. Days after every run so far (the nightly run) extend the runs that end the day
    before and start new ones; a day among or before them (a back-fill) rebuilds the
    municipality's runs from its snapshots, as a back-fill may join or split runs anywhere."""
    if not days:
        return
    first = min(days)
    if (
        SnapshotRun.objects.for_system()
        .filter(municipality_id=municipality_id, last_date__gte=first)
        .exists()
    ):
        snapshot_runs_rebuild(municipality_id=municipality_id)
        return
    ending = SnapshotRun.objects.for_system().filter(
        municipality_id=municipality_id, last_date=first - datetime.timedelta(days=1)
    )
    rows = CaseSnapshot.objects.for_system().filter(municipality_id=municipality_id, date__in=days)
    _encode(rows, open_runs={run.case_id: run for run in ending})


def snapshot_runs_rebuild(*, municipality_id: int) -> None:
    """Encode the municipality's snapshots into runs anew."""
    SnapshotRun.objects.for_system().filter(municipality_id=municipality_id).delete()
    rows = CaseSnapshot.objects.for_system().filter(municipality_id=municipality_id)
    _encode(rows, open_runs={})


# What a run holds the same from day to day: the snapshot's columns but its case and date.
_RUN_KEY = tuple(column for column in _COLUMNS if column not in ("date", "case_id"))


def _encode(rows, *, open_runs: dict) -> None:
    """Run-length encode the snapshot rows: a row continues its case's open run when it is the
    next day and says the same (``_RUN_KEY``), and starts a new run otherwise. Runs read
    from the database that grow are saved with their new last day; new ones are inserted."""
    key = _RUN_KEY
    grown: dict[int, object] = {}
    new: list = []
    one_day = datetime.timedelta(days=1)
    for case_id, date, *values in (
        rows.order_by("case_id", "date").values_list("case_id", "date", *key).iterator(chunk_size=10000)
    ):
        run = open_runs.get(case_id)
        if (
            run is not None
            and run.last_date + one_day == date
            and all(getattr(run, k) == v for k, v in zip(key, values, strict=True))
        ):
            run.last_date = date
            if run.pk is not None:
                grown[run.pk] = run
            continue
        run = SnapshotRun(
            case_id=case_id, first_date=date, last_date=date, **dict(zip(key, values, strict=True))
        )
        open_runs[case_id] = run
        new.append(run)
        if len(new) >= 5000:
            SnapshotRun.objects.for_system().bulk_create(new[:-1])
            new = new[-1:]
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for pk, run in grown.items():
        by_day[run.last_date].append(pk)
    for day, pks in by_day.items():  # the nightly run: one day, one statement
        SnapshotRun.objects.for_system().filter(pk__in=pks).update(last_date=day)
    SnapshotRun.objects.for_system().bulk_create(new, batch_size=2000)


def snapshot_backfill(*, municipality: Municipality, start: datetime.date, end: datetime.date) -> int:
    """Reconstruct the snapshots of every day from ``start`` to ``end`` that has none yet."""
    if end < start:
        return 0
    return snapshots_take(
        municipality=municipality, days=list(days_between(start, end)), method=SnapshotDay.Method.BACKFILL
    )


def snapshot_catch_up(*, today: datetime.date | None = None) -> int:
    """The nightly run: take yesterday's snapshots of every municipality, and reconstruct nights
    missed within the last ``CATCH_UP_DAYS`` days. Safe to run any number of times."""
    today = today or timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    written = 0
    last_taken = dict(
        SnapshotDay.objects.values("municipality")
        .annotate(last=Max("date"))
        .values_list("municipality", "last")
    )
    for municipality in Municipality.objects.order_by("pk"):
        last = last_taken.get(municipality.pk)
        first = yesterday
        if last is not None:
            first = max(last + datetime.timedelta(days=1), yesterday - datetime.timedelta(days=CATCH_UP_DAYS))
        try:
            written += snapshots_take(
                municipality=municipality,
                days=list(days_between(first, yesterday)),
                method=SnapshotDay.Method.NIGHTLY,
                live_day=yesterday,
            )
        except Exception:
            # One municipality's failure must not stop the others; the next night retries.
            logger.exception("Snapshots for municipality %s failed", municipality.pk)
            continue
        try:
            followups_due_compute(municipality=municipality, as_of=yesterday)
        except Exception:
            # The follow-up figures compute them on the page meanwhile (slower, never wrong).
            logger.exception("Follow-ups due for municipality %s failed", municipality.pk)
    analyze_aggregates()
    return written


def analyze_aggregates() -> None:
    """Refresh PostgreSQL's statistics of the tables the nightly run and a back-fill rewrite in
    bulk. Autovacuum analyzes them only once enough rows changed, and until then the planner works
    from the old statistics: at national scale the follow-up figures' statement took 35 s after
    the first nightly computation instead of 0.3 s (benchmarks/RESULTS_EVALUATION.md). ANALYZE
    samples the table, reads nothing else and takes no lock that blocks reads or writes."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (CaseSnapshot, SnapshotRun, SnapshotDay, FollowUpDue):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@transaction.atomic
def followups_due_compute(*, municipality: Municipality, as_of: datetime.date) -> int:
    """Compute anew the follow-ups due up to ``as_of`` for every measure of the municipality
    started by then (``FollowUpDue``), as the follow-up figures would compute them on a page whose
    data end on ``as_of``; returns how many. Run nightly after the snapshots (issue 21 point 8)."""
    from evaluation.selectors import due_items

    measures = list(
        Measure.objects.for_system()
        .filter(case__municipality=municipality, start_date__lte=as_of)
        .select_related("measure_type", "legal_basis")
        .order_by()
    )
    FollowUpDue.objects.for_system().filter(municipality=municipality).delete()
    rows = [
        FollowUpDue(
            municipality=municipality,
            case_id=measure.case_id,
            measure=measure,
            due_date=due_date,
            kind=kind,
            on_time=on_time,
            case_type=case_type,
        )
        for measure, due_date, kind, on_time, case_type in due_items(
            municipality.pk, measures, last=as_of, today=as_of
        )
    ]
    FollowUpDue.objects.bulk_create(rows, batch_size=5000)
    FollowUpDueDay.objects.update_or_create(
        municipality=municipality, defaults={"as_of": as_of, "computed_at": timezone.now()}
    )
    return len(rows)


# --- Complaints -------------------------------------------------------------------------------


@transaction.atomic
def complaint_register(
    *,
    case: Case,
    received_on: datetime.date,
    subject: str,
    recorded_by,
    description: str = "",
    as_system: bool = False,
) -> Complaint:
    """Record a complaint over the handling of ``case``; it counts for the case's present team.
    Refused unless ``recorded_by`` may write the open case (``Action.RECORD_COMPLAINT``);
    ``as_system``: the demo writing a made-up past (the case may be closed by now), never a person."""
    if not as_system:
        require(recorded_by, Action.RECORD_COMPLAINT, case)
    complaint = Complaint(
        case=case,
        team_id=case.team_id,
        received_on=received_on,
        subject=subject,
        description=description,
        recorded_by=recorded_by,
    )
    complaint._history_user = recorded_by
    complaint.full_clean()
    complaint.save()
    return complaint


@transaction.atomic
def complaint_decide(
    *,
    complaint: Complaint,
    outcome: str,
    decided_on: datetime.date | None,
    decided_by,
    as_system: bool = False,
) -> Complaint:
    """Record how a complaint ended (or put it back under treatment with ``Outcome.PENDING``);
    the same rule as registering it, asked of the complaint's case."""
    complaint = Complaint.objects.for_system().select_for_update().select_related("case").get(pk=complaint.pk)
    if not as_system:
        require(decided_by, Action.RECORD_COMPLAINT, complaint.case)
    complaint.outcome = outcome
    complaint.decided_on = None if outcome == Complaint.Outcome.PENDING else decided_on
    complaint._history_user = decided_by
    complaint.full_clean()
    complaint.save()
    return complaint


# --- SDQ --------------------------------------------------------------------------------------


@transaction.atomic
def sdq_record(
    *,
    case: Case,
    informant: str,
    assessed_on: datetime.date,
    total: int,
    recorded_by,
    emotional: int | None = None,
    conduct: int | None = None,
    hyperactivity: int | None = None,
    peer: int | None = None,
    prosocial: int | None = None,
    as_system: bool = False,
) -> SdqScore:
    """Record a child's SDQ scores from one informant (scores only, never the items). Refused
    unless ``recorded_by`` may record scores on the open case (``Action.RECORD_SCORES``: those who
    write it and the professionals added to it); ``as_system`` as for ``complaint_register``."""
    if not as_system:
        require(recorded_by, Action.RECORD_SCORES, case)
    score = SdqScore(
        child_id=case.child_id,
        case=case,
        informant=informant,
        assessed_on=assessed_on,
        total=total,
        emotional=emotional,
        conduct=conduct,
        hyperactivity=hyperactivity,
        peer=peer,
        prosocial=prosocial,
        recorded_by=recorded_by,
    )
    score._history_user = recorded_by
    score.full_clean()
    score.save()
    return score
