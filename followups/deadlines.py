"""The deadline table, kept in sync with the records deadlines come from.

One ``Deadline`` row per open obligation: the next follow-up of a measure by the municipality's
rule, by the law and (placements) the next supervisory visit; the 24-hour assessment and the
receipt of a notification; the end of an investigation; the child's plan; the agreements of
network meetings; the handover meeting of a case moved between districts. The apps that own those
obligations register their sources (``cases.obligations``); this module only writes the table:
it asks the sources for their rows and creates, updates or closes what differs.

``recompute`` is the writer the trigger calls after a transaction that changed deadline inputs
commits (``cases.obligations.changed``); ``rebuild`` recomputes every row in batches and is what
the nightly full sweep, the demo data and the benchmarks call. docs/deadlines.md tells the whole.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from cases import obligations
from cases.models import Case, CaseState
from cases.obligations import DeadlineValues, Source
from followups import input_digests, timing
from followups.models import Deadline, DeadlineKind
from herning.core import arrays

logger = logging.getLogger("herning.followups")

# Records per batch of a rebuild and of the full sweep (HERNING_SWEEP_BATCH_SIZE sets the sweep's):
# a batch's fixed cost (its open ids, its digests' scans, its transaction and task) is some 25 ms.
BATCH_SIZE = 4000

# The name the table's code and tests have always used for a row's values.
Values = DeadlineValues
VALUE_FIELDS = list(Values._fields)


@dataclass
class Stats:
    checked: int = 0
    changed: int = 0
    errors: int = 0
    # Records left alone: nothing their deadlines are computed from changed (``Source.input_digests_sql``).
    skipped: int = 0

    def add(self, other: Stats) -> None:
        self.checked += other.checked
        self.changed += other.changed
        self.errors += other.errors
        self.skipped += other.skipped


# Deadlines whose responsible person is the case's advisor (the others follow their record).
CASE_ADVISOR_KINDS = (
    DeadlineKind.FOLLOWUP,
    DeadlineKind.LEGAL_FOLLOWUP,
    DeadlineKind.SUPERVISION,
    DeadlineKind.INVESTIGATION,
    DeadlineKind.INTERIM_ASSESSMENT,
    DeadlineKind.PLAN,
    DeadlineKind.PLACEMENT_PLAN,
)


# --- Writing ------------------------------------------------------------------------------------


def fingerprint(values: Values) -> str:
    """A short digest of what a deadline says: comparing it spares reading every explanation back
    when nothing changed (the nightly sweep compares hundreds of thousands)."""
    parts = [
        v.astimezone(datetime.UTC).isoformat() if isinstance(v, datetime.datetime) else v for v in values
    ]
    if values.details is None:
        # A row with nothing more keeps the digest it had before ``details`` was a column.
        parts.pop()
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def _write(results: dict[tuple[str, int], Values | None], now: datetime.datetime) -> int:
    """Create, update or close the rows so they say ``results``; returns how many changed."""
    if not results:
        return 0
    kinds = {k for k, _ in results}
    source_ids = {s for _, s in results}
    # The range besides the list lets the index on (kind, source_id) find the batch's rows by
    # both columns: with the list alone the planner may read every row of the kinds (a first
    # sweep, whose statistics still say the table is empty: 100 ms a batch of 4,000 at national
    # scale). No ordering: the rows go into a dict.
    existing = {
        (kind, source_id): rest
        for kind, source_id, *rest in Deadline.objects.for_system()
        .filter(kind__in=kinds, source_id__in=source_ids, source_id__range=(min(source_ids), max(source_ids)))
        .order_by()
        .values_list(
            "kind", "source_id", "pk", "is_open", "fingerprint", "due_on", "due_at", "responsible_id"
        )
    }
    creates, closes = [], []
    moved: dict[int, tuple] = {}
    reworded: dict[int, tuple] = {}
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
        # A new due date or person starts the reminder stages again; a new wording does not.
        if not is_open or (due_on, due_at, responsible_id) != (
            values.due_on,
            values.due_at,
            values.responsible_id,
        ):
            moved[pk] = (*values, digest, True, now, timing.first_check(values.due_on, values.due_at, now))
        else:
            reworded[pk] = (*values, digest, True, now)
    fields = [*VALUE_FIELDS, "fingerprint", "is_open", "updated_at"]
    if creates:
        _insert(creates)
    # As column arrays: a changed rule moves the rows of every measure it governs in one night.
    arrays.update_rows(Deadline, [*fields, "next_check_at"], moved)
    arrays.update_rows(Deadline, fields, reworded)
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
        Deadline.objects.for_system().bulk_create(
            Deadline(**dict(zip(_INSERT_COLUMNS, row, strict=True))) for row in rows
        )
        return
    columns = ", ".join(_INSERT_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Deadline._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        details = _INSERT_COLUMNS.index("details")
        for row in rows:
            # COPY reads a JSON column from its text.
            if row[details] is not None:
                row = (*row[:details], json.dumps(row[details]), *row[details + 1 :])
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
    source = obligations.sources()[source_name]
    today = today or timezone.localdate()
    with transaction.atomic():
        return _sync(source, ids, today, {}, timezone.now())


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


def id_ranges(queryset, size: int) -> Iterator[tuple[int, int]]:
    """The ids of ``queryset`` (a flat list of primary keys) cut into ranges of ``size`` ids:
    ``(first, last)`` each, both inclusive. One query; the batches are planned before any runs."""
    ids = list(queryset.order_by("pk"))
    for at in range(0, len(ids), size):
        chunk = ids[at : at + size]
        yield chunk[0], chunk[-1]


# The largest key a range can end at (a 64-bit key): the last range of a rebuild ends there.
LAST_ID = 2**63 - 1


def covering_ranges(queryset, size: int) -> list[tuple[int, int]]:
    """The ids of ``queryset`` cut as ``id_ranges`` does, but the ranges laid end to end from the
    first key to the last possible one: every key, open or not, falls in exactly one range. A
    rebuild's batch closes the rows of the records of its range that are no longer open, so the
    ranges must leave no gap; with nothing open, one range covers everything."""
    ranges, start = [], 1
    for _first, last in id_ranges(queryset, size):
        ranges.append((start, last))
        start = last + 1
    if ranges:
        ranges[-1] = (ranges[-1][0], LAST_ID)
    return ranges or [(1, LAST_ID)]


def rebuild_range(
    source_name: str,
    first: int,
    last: int,
    *,
    today: datetime.date,
    now: datetime.datetime,
    context: dict,
    skip_unchanged: bool = False,
) -> Stats:
    """Recompute the deadlines of the open records of one source with ids from ``first`` to
    ``last``, in the caller's transaction. ``skip_unchanged``: leave the records whose inputs have
    not changed since their rows were written (``Source.input_digests_sql``; the nightly sweep)."""
    source = obligations.sources()[source_name]
    ids = list(source.open_ids(today).filter(pk__gte=first, pk__lte=last).order_by("pk"))
    # The range's records no longer open (ended, completed, deleted) first: their rows close.
    closed = _close_range(source, first, last, ids, now)
    if not ids:
        return Stats(changed=closed)
    digests, skipped = input_digests.to_compute(
        source_name,
        source.kinds,
        ids,
        source.input_digests_sql(today, context),
        skip_unchanged=skip_unchanged,
    )
    todo = list(digests)
    if not todo:
        return Stats(changed=closed, skipped=skipped)
    results = source.compute(todo, today, context)
    changed = _write(results, now)
    source.after_write(results, context)
    # The records computed (one that failed is left out of the results, and stays unremembered).
    computed = {source_id for _kind, source_id in results}
    input_digests.remember(
        source_name, source.kinds, {i: digests.get(i) for i in todo if i in computed}, today
    )
    return Stats(
        checked=sum(v is not None for v in results.values()),
        changed=changed + closed,
        errors=context.pop("errors", 0),
        skipped=skipped,
    )


def _close_range(source: Source, first: int, last: int, open_ids: list[int], now: datetime.datetime) -> int:
    """Close the open rows of the records from ``first`` to ``last`` that are not in ``open_ids``
    (their record ended, was completed or deleted), and let the source clear what follows from
    them. Bounded by the range, so the batches share this work as they share the computing: a
    pass over the whole table before the batches was the larger part of the nightly sweep's
    serial planning. The range's open rows are read and compared here rather than in a ``NOT IN``
    of the batch's keys, whose plan the database chose badly (a parallel scan for a few rows)."""
    keep = set(open_ids)
    source.after_close(first, last, keep)
    stale = {
        source_id
        for source_id in Deadline.objects.for_system()
        .filter(kind__in=source.kinds, is_open=True, source_id__gte=first, source_id__lte=last)
        .order_by()
        .values_list("source_id", flat=True)
        if source_id not in keep
    }
    if not stale:
        return 0
    return (
        Deadline.objects.for_system()
        .filter(kind__in=source.kinds, is_open=True, source_id__in=stale)
        .update(is_open=False, next_check_at=None, updated_at=now)
    )


def rebuild(
    *,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
    batch_size: int = BATCH_SIZE,
    sources=None,
) -> Stats:
    """Recompute every deadline from its source, in batches, in this process, and close those with
    nothing open. (The nightly sweep does the same in batches any worker may run:
    ``followups.sweep``.)

    Each batch is its own transaction, so a long rebuild holds no lock for long and what it has
    done stays done if it is stopped. ``checked`` counts the open deadlines it computed.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    total = Stats()
    registered = obligations.sources()
    for name in sources or registered:
        context = registered[name].prepare(today)
        for first, last in covering_ranges(registered[name].open_ids(today), batch_size):
            with transaction.atomic():
                total.add(rebuild_range(name, first, last, today=today, now=now, context=context))
    return total


def recompute(changes: dict[str, set[int]], today: datetime.date | None = None) -> Stats:
    """The writer of ``cases.obligations``: the rows of the records the changes touch, now.

    A case's new advisor, team or state moves its open rows first (``sync_case``); then each
    source touched recomputes its records, once, with all their ids."""
    today = today or timezone.localdate()
    now = timezone.now()
    total = Stats()
    registered = obligations.sources()
    with transaction.atomic():
        for case in Case.objects.for_system().filter(pk__in=changes.get(obligations.CASE, ())).order_by("pk"):
            sync_case(case)
        for name, ids in obligations.affected(changes).items():
            total.add(_sync(registered[name], sorted(ids), today, {}, now))
    return total
