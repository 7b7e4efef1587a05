"""Nothing changed, nothing recomputed: the nightly sweep skips the records whose deadlines'
inputs and rows are as it last left them.

A source that can say what a record's deadlines are computed from gives a digest of it per record
(``cases.obligations.Source.input_digests_sql``: the measure source the measure and its case, the
follow-ups held, the approved exceptions, the investigations of the case, the rule in force today
and the law; the placement-plan source the placement, its case and the plan versions). The table
writer keeps, per source and record, that digest and a digest of the deadline rows it wrote from
it (``DeadlineInput``). A record is skipped when both match: its inputs have not changed, and
nobody changed or deleted its rows behind the sweep's back (that would count as a change and be
repaired). "Today" enters a record's rows through what its digest names (the rule set in force,
the law) and through whether the record is still open, which the sweep judges for every record
anyway (each batch closes the rows of its range's records no longer open); the reminder stages that move with the day are the reminder pass's
(``next_check_at``).

Both digests are computed and compared by PostgreSQL, in one statement per batch that returns
only the records to compute, so a skipped record costs no row transfer and no Python. Elsewhere (the SQLite of the quick start) nothing is skipped.
"""

from __future__ import annotations

import datetime

from django.db import connection

from cases.obligations import sql_set_hash
from followups.models import Deadline, DeadlineInput
from herning.core import arrays


def supported() -> bool:
    return connection.vendor == "postgresql"


def _range(ids: list[int]) -> str:
    """The batch's id range written into the statement, not bound: ``BETWEEN first AND last``.

    A batch's statements then differ in their text from one batch to the next, so psycopg never
    prepares them (it prepares a statement after five runs on one connection, and a worker keeps
    its connection from task to task: ``herning/celery.py``). Prepared, PostgreSQL soon keeps one
    generic plan for them, made without knowing the width of the range or the length of the id
    array, and that plan scanned whole tables: 480-830 ms a batch of measures against some 130 ms
    planned for the batch, and the nightly run took 7, 11 and 14 s in three runs on the same
    workers, against 4.3-4.9 s (benchmarks/RESULTS.md, 6 December 2026). The bounds are the batch's
    own ids, integers."""
    return f"BETWEEN {int(ids[0])} AND {int(ids[-1])}"


def _rows_sql(d: str, ids: list[int]) -> str:
    # A record's deadline rows, as the digest of outputs reads them: the id range in one range scan.
    return (
        f"SELECT d.source_id, {sql_set_hash('d.kind', 'd.fingerprint', 'd.is_open')}::text AS rows "  # noqa: S608 - names from the models, values bound
        f"FROM {d} d WHERE d.kind = ANY(%(kinds)s) "
        f"AND d.source_id {_range(ids)} GROUP BY d.source_id"
    )


def _outputs(source: str, kinds, ids) -> dict[int, str]:
    """``{id: digest of its deadline rows now}``: the rows of the whole id range read in one pass
    (a range scan of the index, grouped), not looked up record by record: a batch is a range."""
    ids = sorted(ids)
    if not ids:
        return {}
    sql = (
        f"SELECT r.id, coalesce(o.rows, '-') FROM unnest(%(ids)s::bigint[]) AS r(id) "  # noqa: S608 - names from the models, values bound
        f"LEFT JOIN ({_rows_sql(Deadline._meta.db_table, ids)}) o ON o.source_id = r.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": ids, "kinds": list(kinds)})
        return dict(cursor.fetchall())


def to_compute(
    source: str, kinds, ids: list[int], inputs: tuple[str, dict] | None, *, skip_unchanged: bool
) -> tuple[dict[int, str | None], int]:
    """The records of ``ids`` to compute, ``{id: inputs digest}`` (None: not to remember), and how
    many were skipped. ``inputs``: the source's query of digests (``Source.input_digests_sql``).
    With ``skip_unchanged``, a record is left out when its inputs digest and the digest of its
    deadline rows are those stored: one statement compares them in the database and returns only
    the others, so a night with nothing changed moves no digest to Python."""
    ids = sorted(ids)
    if not ids or inputs is None or not supported():
        return dict.fromkeys(ids), 0
    sql, params = inputs
    d, s = Deadline._meta.db_table, DeadlineInput._meta.db_table
    # A record the inputs query does not return (deleted meanwhile) has no digest: computed.
    query = (
        f"SELECT r.id, i.digest FROM unnest(%(ids)s::bigint[]) AS r(id) LEFT JOIN ({sql}) i ON i.id = r.id"  # noqa: S608 - names from the models, values bound
    )
    if skip_unchanged:
        query += (
            f" LEFT JOIN ({_rows_sql(d, ids)}) o ON o.source_id = r.id "  # noqa: S608 - names from the models, values bound
            f"LEFT JOIN (SELECT record_id, inputs, outputs FROM {s} WHERE source = %(source)s "
            f"AND record_id {_range(ids)}) s ON s.record_id = r.id "
            "WHERE i.digest IS NULL OR s.inputs IS DISTINCT FROM i.digest "
            "OR s.outputs IS DISTINCT FROM coalesce(o.rows, '-')"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            query,
            # The source's own query may bound its reads by the range (``first``, ``last``) too.
            {**params, "ids": ids, "first": ids[0], "last": ids[-1], "kinds": list(kinds), "source": source},
        )
        todo = dict(cursor.fetchall())
    return todo, len(ids) - len(todo)


def remember(source: str, kinds, digests: dict[int, str | None], today: datetime.date) -> None:
    """After the rows of ``digests``' records were written (in the same transaction): store the
    inputs as read before their computation, and the rows as they are now. An input that changed
    in between makes a mismatch next night, so the record is recomputed again, never skipped wrongly."""
    digests = {i: d for i, d in digests.items() if d is not None}
    if not digests or not supported():
        return
    outputs = _outputs(source, kinds, digests)
    # One statement of column arrays: a first sweep remembers 300,000 records.
    arrays.insert(
        DeadlineInput,
        ("source", "record_id", "inputs", "outputs", "computed_on"),
        ((source, i, digest, outputs[i], today) for i, digest in digests.items()),
        update_conflicts=("source", "record_id"),
    )
