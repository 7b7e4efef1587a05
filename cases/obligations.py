"""Obligations with a deadline: who computes them, and when they are recomputed.

**Sources.** Each app that owns an obligation registers a ``Source`` from its
``AppConfig.ready()`` (as ``cases.extensions`` does for the child page's panels): the cases app
the notification's 24-hour assessment and receipt, the investigation and the child's plan and the
handover of a moved case (``cases.obligation_sources``); the follow-ups app the three follow-up
chains of a measure (``followups.obligation_sources``); the network meetings app the agreements
staff own (``network_meetings.obligation_sources``). A source says which records have an open
obligation, computes their deadlines as ``DeadlineValues`` and names the *keys* it reacts to: a
key is a name for a kind of record ("measure", "investigation", ...) with a function from changed
ids of that kind to the ids of the source's own records.

**The table.** The follow-ups app keeps the materialised ``Deadline`` table and registers its
writer (``followups.deadlines``), which computes the sources' rows and writes only what changed.

**One trigger.** A service that changes what a deadline is computed from calls
``changed(key, ids)`` after its writes, in its transaction. The keys of one transaction are
collected and recomputed once, after the transaction commits (``transaction.on_commit``); a
rollback discards them with the writes. A bulk write calls ``changed`` once with all its ids;
work outside a transaction that makes many changes (a management command, demo data) wraps them
in ``batch()``, which recomputes once when the batch ends. Nothing else triggers a recomputation:
no model signals, so a queryset ``update()`` or ``bulk_create()`` must be followed by
``changed``. The nightly full sweep (``followups.deadlines.rebuild``) recomputes every row
whatever happened, and repairs a recomputation that failed (a failure is logged, never raised:
the write it follows has committed).

docs/deadlines.md tells how to add an obligation.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger("herning.obligations")

# The key of a change of a case's advisor, team or state: the rows of the case follow it.
CASE = "case"


class DeadlineValues(NamedTuple):
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
    # What else the obligation says where it differs from its kind's default, as JSON-ready values
    # (a follow-up's purpose and allowed forms); None: nothing more.
    details: dict | None = None


def sql_concat(*parts: str) -> str:
    """SQL joining ``parts`` with '|' for an input digest: concat() reads NULL as '' and keeps every
    separator, so a NULL never shifts the fields after it."""
    return "concat(" + ", '|', ".join(parts) + ")"


def sql_row_hash(*parts: str) -> str:
    """SQL of a 64-bit hash of ``parts`` as typed values, for an input digest (PostgreSQL 14 and
    later: ``hash_record_extended``, the hash a hash join of rows uses). Each value is hashed by
    its type, so nothing is formatted as text, which cost most of a nightly batch; the position of
    each part counts, and a NULL hashes as itself at its place."""
    return "hash_record_extended(ROW(" + ", ".join(parts) + "), 0)"


def sql_set_hash(*parts: str) -> str:
    """SQL of an aggregate: one hash of a group's rows, whatever their order (the exclusive or of
    each row's ``sql_row_hash``: no sort). Each row must differ from the others (carry its key),
    as two equal rows would cancel out."""
    return f"bit_xor({sql_row_hash(*parts)})"


def code_digest(*paths: Path) -> str:
    """A digest of the code that turns inputs into deadlines: a release that changes it changes
    every input digest, so everything is recomputed once."""
    digest = hashlib.blake2b(digest_size=8)
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def same(ids: set[int]) -> Iterable[int]:
    """The trigger of a source by its own records: the changed ids are its ids."""
    return ids


class Source:
    """A kind of record that deadlines come from."""

    # The deadline kinds (``followups.models.DeadlineKind`` values) the source computes.
    kinds: tuple[str, ...] = ()
    # key -> the ids of this source's records affected by a change of those records.
    triggers: dict[str, Callable[[set[int]], Iterable[int]]] = {}

    def open_ids(self, today: datetime.date):
        """A queryset of the primary keys of the records with an open obligation."""
        raise NotImplementedError

    def compute(
        self, ids: list[int], today: datetime.date, context: dict
    ) -> dict[tuple[str, int], DeadlineValues | None]:
        """The deadlines of the records ``ids``: a value (or None: nothing open) for every kind of
        every id. A record that fails is logged, counted in ``context["errors"]`` and left out, so
        the rest go on."""
        raise NotImplementedError

    def prepare(self, today: datetime.date) -> dict:
        """Things loaded once for a whole rebuild (rules, say)."""
        return {}

    def input_digests_sql(self, today: datetime.date, context: dict) -> tuple[str, dict] | None:
        """A query (PostgreSQL's) of ``(id, digest)``: a digest of everything the deadlines of
        each record are computed from on ``today`` (NULL for a record never to skip), for the
        records ``= ANY(%(ids)s)``, whose keys run from ``%(first)s`` to ``%(last)s``; with its own
        parameters. The nightly sweep skips a record whose digest and rows are what it stored when
        it last wrote them, comparing them in the same statement (``followups.input_digests``).
        None by default: every record is recomputed every night."""
        return None

    def after_write(self, results: dict, context: dict) -> None:
        """Work that follows from new deadlines (the measure's stored next due date)."""

    def after_close(self, first: int, last: int, open_ids: list[int]) -> None:
        """Work that follows when a rebuild closes the rows of records with nothing open: those
        from ``first`` to ``last`` (inclusive) that are not in ``open_ids``."""


_sources: dict[str, Source] = {}
Writer = Callable[[dict[str, set[int]], datetime.date | None], None]
_writer: list[Writer] = []


def register_source(name: str, source: Source) -> None:
    """Register (or replace, by ``name``) a source of deadlines."""
    _sources[name] = source


def sources() -> dict[str, Source]:
    """The registered sources, by name, in the order they were registered."""
    return dict(_sources)


def register_writer(writer: Writer) -> None:
    """The deadline table's writer: ``writer(changes, today)`` recomputes the rows of the changed
    keys and ids (``today`` None: the local date)."""
    _writer[:] = [writer]


def affected(changes: dict[str, set[int]]) -> dict[str, set[int]]:
    """The records of each source that the changes touch, by source name."""
    result: dict[str, set[int]] = defaultdict(set)
    for name, source in _sources.items():
        for key, translate in source.triggers.items():
            if changes.get(key):
                result[name].update(i for i in translate(changes[key]) if i is not None)
    return {name: ids for name, ids in result.items() if ids}


# --- The trigger ---------------------------------------------------------------------------------

# In the test suite every test runs inside a transaction that is never committed, so work left for
# on_commit would never run; the suite sets EAGER so each ``changed`` recomputes at once, inside
# the writer's transaction. The tests of the trigger itself turn it off and commit for real.
EAGER = False


class _Pending:
    """The changes of the current transaction (or batch), by the day they are judged on."""

    def __init__(self):
        self.changes: dict[datetime.date | None, dict[str, set[int]]] = {}
        self.scheduled = None  # the on_commit callback that will recompute them
        self.batch_depth = 0

    def add(self, key: str, ids: set[int], today: datetime.date | None) -> None:
        self.changes.setdefault(today, defaultdict(set))[key].update(ids)

    def take(self) -> dict:
        changes, self.changes, self.scheduled = self.changes, {}, None
        return changes


def _pending() -> _Pending:
    # Kept on the connection, which is the thread's own, as its transaction is.
    pending = getattr(connection, "_obligations_pending", None)
    if pending is None:
        pending = _Pending()
        connection._obligations_pending = pending
    return pending


def changed(key: str, ids: Iterable[int | None], *, today: datetime.date | None = None) -> None:
    """Records ``ids`` of kind ``key`` changed: recompute their deadlines after the commit.

    ``today`` is the day the deadlines are judged on (the local date when None); an import of
    another day passes its own."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return
    if today == timezone.localdate():
        today = None  # one group with the changes judged on the local date
    pending = _pending()
    if EAGER and not pending.batch_depth:
        _recompute({today: {key: ids}}, savepoint=True)
        return
    if pending.scheduled is not None and not _still_scheduled(pending.scheduled):
        # The transaction (or the savepoint) that scheduled the recomputation rolled back: its
        # changes went with it.
        pending.take()
    pending.add(key, ids, today)
    if pending.batch_depth or pending.scheduled is not None:
        return
    if not connection.in_atomic_block:
        _flush()
        return

    def after_commit():
        _flush()

    pending.scheduled = after_commit
    transaction.on_commit(after_commit)


def _still_scheduled(callback) -> bool:
    # Django keeps the callbacks of the open transaction here and drops those of a savepoint or a
    # transaction that rolls back.
    return any(func is callback for _sids, func, _robust in connection.run_on_commit)


@contextmanager
def batch() -> Iterator[None]:
    """Collect the changes made inside, and recompute them once at the end (after the commit, when
    a transaction is open then). For many writes outside a transaction: a management command,
    demo data."""
    pending = _pending()
    pending.batch_depth += 1
    try:
        yield
    finally:
        pending.batch_depth -= 1
    if pending.batch_depth or not pending.changes:
        return
    if EAGER or not connection.in_atomic_block:
        _recompute(pending.take(), savepoint=EAGER)
        return
    if pending.scheduled is None or not _still_scheduled(pending.scheduled):

        def after_commit():
            _flush()

        pending.scheduled = after_commit
        transaction.on_commit(after_commit)


def _flush() -> None:
    _recompute(_pending().take(), savepoint=False)


def _recompute(changes_by_day: dict, *, savepoint: bool) -> None:
    if not _writer:
        return
    for today, changes in changes_by_day.items():
        try:
            if savepoint:
                # Inside the writer's transaction: a failure must not undo the writer's work.
                with transaction.atomic():
                    _writer[0](dict(changes), today)
            else:
                _writer[0](dict(changes), today)
        except Exception:
            logger.exception(
                "Could not recompute the deadlines of %s; the nightly full sweep repairs them.",
                {key: sorted(ids)[:20] for key, ids in changes.items()},
            )
