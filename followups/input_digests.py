"""Nothing changed, nothing recomputed: the nightly sweep skips the records whose deadlines'
inputs and rows are as it last left them.

A source that can say what a record's deadlines are computed from gives a digest of it per record
(``cases.obligations.Source.input_digests``: the measure source the measure and its case, the
follow-ups held, the approved exceptions, the investigations of the case, the rule in force today
and the law; the placement-plan source the placement, its case and the plan versions). The table
writer keeps, per source and record, that digest and a digest of the deadline rows it wrote from
it (``DeadlineInput``). A record is skipped when both match: its inputs have not changed, and
nobody changed or deleted its rows behind the sweep's back (that would count as a change and be
repaired). "Today" enters a record's rows through what its digest names (the rule set in force,
the law) and through whether the record is still open, which the sweep judges for every record
anyway (``close_stale``); the reminder stages that move with the day are the reminder pass's
(``next_check_at``).

Both digests are computed by PostgreSQL, one query per batch, so a skipped record costs no row
transfer and no Python. Elsewhere (the SQLite of the quick start) nothing is skipped.
"""

from __future__ import annotations

import datetime

from django.db import connection

from followups.models import Deadline, DeadlineInput


def supported() -> bool:
    return connection.vendor == "postgresql"


def _outputs(source: str, kinds, ids) -> dict[int, tuple[str, str | None, str | None]]:
    """``{id: (outputs now, inputs stored, outputs stored)}``: a digest of each record's rows.

    The rows and the stored digests of the whole id range are read in one pass each (a range scan
    of each index, grouped), not looked up record by record: a batch is a range of ids."""
    ids = sorted(ids)
    if not ids:
        return {}
    d, s = Deadline._meta.db_table, DeadlineInput._meta.db_table
    sql = (
        "SELECT r.id, md5(coalesce(o.rows, '')), s.inputs, s.outputs FROM unnest(%(ids)s::bigint[]) AS r(id) "  # noqa: S608 - names from the models, values bound
        "LEFT JOIN (SELECT d.source_id, string_agg(concat(d.kind, '|', d.fingerprint, '|', d.is_open), ';' "
        f"ORDER BY d.kind) AS rows FROM {d} d WHERE d.kind = ANY(%(kinds)s) "
        "AND d.source_id BETWEEN %(first)s AND %(last)s GROUP BY d.source_id) o ON o.source_id = r.id "
        f"LEFT JOIN (SELECT record_id, inputs, outputs FROM {s} WHERE source = %(source)s "
        "AND record_id BETWEEN %(first)s AND %(last)s) s ON s.record_id = r.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, {"ids": ids, "kinds": list(kinds), "source": source, "first": ids[0], "last": ids[-1]}
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def unchanged(source: str, kinds, digests: dict[int, str | None]) -> set[int]:
    """The records of ``digests`` (``{id: inputs digest}``; None: never skip) whose inputs and
    deadline rows are what the sweep last stored for them."""
    if not digests or not supported():
        return set()
    found = _outputs(source, kinds, digests)
    return {
        i
        for i, (now_out, was_in, was_out) in found.items()
        if digests[i] is not None and (digests[i], now_out) == (was_in, was_out)
    }


def remember(source: str, kinds, digests: dict[int, str | None], today: datetime.date) -> None:
    """After the rows of ``digests``' records were written (in the same transaction): store the
    inputs as read before their computation, and the rows as they are now. An input that changed
    in between makes a mismatch next night, so the record is recomputed again, never skipped wrongly."""
    digests = {i: d for i, d in digests.items() if d is not None}
    if not digests or not supported():
        return
    outputs = _outputs(source, kinds, digests)
    ids = list(digests)
    with connection.cursor() as cursor:
        # One statement of column arrays: a first sweep remembers 300,000 records.
        cursor.execute(
            f"INSERT INTO {DeadlineInput._meta.db_table} (source, record_id, inputs, outputs, computed_on) "  # noqa: S608 - the model's table, values bound
            "SELECT %s::text, r, i, o, %s::date FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS t(r, i, o) "
            "ON CONFLICT (source, record_id) DO UPDATE SET inputs = EXCLUDED.inputs, "
            "outputs = EXCLUDED.outputs, computed_on = EXCLUDED.computed_on",
            [source, today, ids, [digests[i] for i in ids], [outputs[i][0] for i in ids]],
        )
