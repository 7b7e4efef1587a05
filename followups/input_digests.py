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


def _rows_sql(d: str) -> str:
    # A record's deadline rows, as the digest of outputs reads them: the id range in one range scan.
    return (
        f"SELECT d.source_id, {sql_set_hash('d.kind', 'd.fingerprint', 'd.is_open')}::text AS rows "  # noqa: S608 - names from the models, values bound
        f"FROM {d} d WHERE d.kind = ANY(%(kinds)s) "
        "AND d.source_id BETWEEN %(first)s AND %(last)s GROUP BY d.source_id"
    )


def _outputs(source: str, kinds, ids) -> dict[int, str]:
    """``{id: digest of its deadline rows now}``: the rows of the whole id range read in one pass
    (a range scan of the index, grouped), not looked up record by record: a batch is a range."""
    ids = sorted(ids)
    if not ids:
        return {}
    sql = (
        f"SELECT r.id, coalesce(o.rows, '-') FROM unnest(%(ids)s::bigint[]) AS r(id) "  # noqa: S608 - names from the models, values bound
        f"LEFT JOIN ({_rows_sql(Deadline._meta.db_table)}) o ON o.source_id = r.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": ids, "kinds": list(kinds), "first": ids[0], "last": ids[-1]})
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
            f" LEFT JOIN ({_rows_sql(d)}) o ON o.source_id = r.id "  # noqa: S608 - names from the models, values bound
            f"LEFT JOIN (SELECT record_id, inputs, outputs FROM {s} WHERE source = %(source)s "
            "AND record_id BETWEEN %(first)s AND %(last)s) s ON s.record_id = r.id "
            "WHERE i.digest IS NULL OR s.inputs IS DISTINCT FROM i.digest "
            "OR s.outputs IS DISTINCT FROM coalesce(o.rows, '-')"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            query,
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
