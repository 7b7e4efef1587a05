"""Statistics reads on a streaming replica, with the primary as the fallback.

Management's figures scan years of records; on a national installation they belong on a read
replica so that advisors' pages do not wait behind them. When ``STATISTICS_DATABASE_URL`` names a
PostgreSQL streaming replica (a hot standby), the reads of the evaluation pages, their exports and
the statistics figures go there:

* a view (or task) opts in with ``@reads_statistics`` or ``with statistics_reads():``; nothing else
  ever reads the replica, so a page an advisor saves and re-reads always sees its own write;
* writes never go there (``db_for_write`` is the primary, and ``select_for_update`` counts as a
  write); migrations never run there;
* before the first statistics read, and then at most every ``STATISTICS_CHECK_SECONDS``, the
  process asks the replica whether it is in recovery and how far behind it is. An unreachable
  replica, or one more than ``STATISTICS_MAX_LAG_SECONDS`` behind, sends the reads to the primary,
  and the health page says which and why (``state()``).
* A replica that stops in the middle of a request raises on its connection: ``@reads_statistics``
  marks it down and answers the (read-only) request again from the primary.

The lag is measured the way PostgreSQL's documentation suggests for a hot standby: zero when the
standby has replayed everything it has received, otherwise the time since the last transaction it
replayed (``pg_last_xact_replay_timestamp``).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

logger = logging.getLogger("herning.replica")

ALIAS = "statistics"

# Whether the code running now has asked for statistics reads (set per request or task).
_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar("herning_statistics_reads", default=False)


@dataclass(frozen=True)
class ReplicaState:
    """The last look at the replica: where statistics reads go, and why."""

    configured: bool
    usable: bool
    reason: str  # "ok", "not configured", "unreachable", "lagging", "not a replica"
    lag_seconds: float | None = None
    checked_at: float = 0.0

    def as_health(self) -> dict:
        """The health page's words for it."""
        answer = {
            "statistics_reads": "replica" if self.usable else "primary",
            "statistics_replica": self.reason,
        }
        if self.lag_seconds is not None:
            answer["statistics_replica_lag_seconds"] = round(self.lag_seconds, 1)
        return answer


_NOT_CONFIGURED = ReplicaState(configured=False, usable=False, reason="not configured")
_last: ReplicaState | None = None


def configured() -> bool:
    return ALIAS in settings.DATABASES


def _look() -> ReplicaState:
    """Ask the replica, now, whether it can take statistics reads."""
    now = time.monotonic()
    connection = connections[ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), "
                "CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 "
                "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            in_recovery, lag = cursor.fetchone()
    except Exception as exc:  # whatever stops the replica answering means "use the primary"
        logger.warning("Statistics replica unreachable, reading from the primary: %s", type(exc).__name__)
        with contextlib.suppress(Exception):
            connection.close()
        return ReplicaState(configured=True, usable=False, reason="unreachable", checked_at=now)
    if not in_recovery:
        # A promoted replica (or a wrong address) takes writes of its own: its figures may
        # diverge from the primary's, so the primary is the safe source.
        return ReplicaState(configured=True, usable=False, reason="not a replica", checked_at=now)
    lag = float(lag or 0)
    if lag > settings.STATISTICS_MAX_LAG_SECONDS:
        logger.warning("Statistics replica %.0f s behind, reading from the primary", lag)
        return ReplicaState(configured=True, usable=False, reason="lagging", lag_seconds=lag, checked_at=now)
    return ReplicaState(configured=True, usable=True, reason="ok", lag_seconds=lag, checked_at=now)


def state(*, fresh: bool = False) -> ReplicaState:
    """The replica's state as this process last saw it, looked at again when older than
    ``STATISTICS_CHECK_SECONDS`` (or when ``fresh``)."""
    global _last
    if not configured():
        return _NOT_CONFIGURED
    if (
        fresh
        or _last is None
        or not _last.configured
        or time.monotonic() - _last.checked_at >= settings.STATISTICS_CHECK_SECONDS
    ):
        _last = _look()
    return _last


def mark_down() -> None:
    """The replica failed under a query: read the primary until the next look."""
    global _last
    with contextlib.suppress(Exception):
        connections[ALIAS].close()
    _last = ReplicaState(configured=True, usable=False, reason="unreachable", checked_at=time.monotonic())


def forget() -> None:
    """Forget the last look (tests, and after settings change)."""
    global _last
    _last = None


@contextlib.contextmanager
def statistics_reads():
    """Reads inside go to the replica when it is usable (``StatisticsRouter``)."""
    token = _wanted.set(True)
    try:
        yield
    finally:
        _wanted.reset(token)


def reading_statistics() -> bool:
    """Whether reads go to the replica now."""
    return _wanted.get() and configured() and state().usable


def on_statistics(compute, *args, **kwargs):
    """``compute(*args, **kwargs)`` with its reads on the replica when it is usable; if the replica
    fails under it, marked down and computed again from the primary (``compute`` only reads)."""
    if not configured():
        return compute(*args, **kwargs)
    try:
        with statistics_reads():
            return compute(*args, **kwargs)
    except OperationalError:
        if not reading_statistics_failed():
            raise
        mark_down()
        return compute(*args, **kwargs)


def reads_statistics(view):
    """View decorator: the view's reads go to the replica when it is usable (``on_statistics``).

    The person and the session are read from the primary first: a session made a second ago may
    not have reached the replica yet. The views this decorates are reads (GET), safe to answer
    again from the primary when the replica fails under them."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        user = getattr(request, "user", None)
        if user is not None:
            getattr(user, "pk", None)  # evaluate the lazy user on the primary
        return on_statistics(view, request, *args, **kwargs)

    return wrapped


def reading_statistics_failed() -> bool:
    """Whether the replica's connection is the one that broke (not the primary's)."""
    connection = connections[ALIAS]
    if connection.connection is None:
        return True
    try:
        return not connection.is_usable()
    except Exception:  # a connection that cannot even say is broken
        return True


class StatisticsRouter:
    """Routes statistics reads to the replica; everything else, and every write, to the primary."""

    def db_for_read(self, model, **hints):
        if reading_statistics():
            return ALIAS
        return None  # Django's own choice: the primary, or the database a related object came from

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: objects read from either relate freely.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != ALIAS
