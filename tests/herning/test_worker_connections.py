"""A worker keeps its database connection from one task to the next, as a web process keeps its
connection from one request to the next, and closes it after any task that did not end cleanly
(herning/celery.py). Celery's own rule closed it after every task, and a full sweep's 200 batches
each paid for a new PostgreSQL backend."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.db import connection

from herning.celery import _database_after_task, _database_before_task, app
from herning.core.models import Heartbeat
from herning.core.tasks import heartbeat
from tests.faults.services import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

WORKER_TASK = SimpleNamespace(request=SimpleNamespace(is_eager=False))
EAGER_TASK = SimpleNamespace(request=SimpleNamespace(is_eager=True))


def _backend() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_celery_closes_only_every_thousand_tasks_and_the_project_decides_between():
    # The fix-up reads the name as it is; under the CELERY_ namespace it would be ignored.
    assert app.conf.get("CELERY_DB_REUSE_MAX") == 1000


def test_a_clean_task_leaves_its_connection_to_the_next():
    pid = _backend()
    _database_after_task(task=WORKER_TASK, state="SUCCESS")
    _database_before_task(task=WORKER_TASK)
    assert connection.connection is not None
    assert _backend() == pid


@pytest.mark.parametrize("state", ["FAILURE", "RETRY", "REVOKED"])
def test_a_task_that_did_not_succeed_closes_its_connection(state):
    pid = _backend()
    _database_after_task(task=WORKER_TASK, state=state)
    assert connection.connection is None
    assert _backend() != pid


def test_a_connection_left_in_a_transaction_is_closed_even_after_success():
    # What a query cut off by a time limit and swallowed by the task leaves: not idle.
    pid = _backend()
    connection.set_autocommit(False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    _database_after_task(task=WORKER_TASK, state="SUCCESS")
    assert connection.connection is None
    assert connection.get_autocommit() is True
    assert _backend() != pid


def test_a_connection_past_its_age_is_closed_after_the_task():
    pid = _backend()
    connection.close_at = time.monotonic() - 1
    _database_after_task(task=WORKER_TASK, state="SUCCESS")
    assert _backend() != pid


def test_a_connection_the_server_dropped_between_tasks_is_replaced_before_the_next():
    pid = _backend()
    _database_after_task(task=WORKER_TASK, state="SUCCESS")
    # Another session ends the worker's backend while it stands idle (a restart, a failover).
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    _database_before_task(task=WORKER_TASK)
    assert _backend() != pid


def test_an_eager_task_leaves_its_callers_connection_alone():
    pid = _backend()
    _database_after_task(task=EAGER_TASK, state="FAILURE")
    _database_before_task(task=EAGER_TASK)
    assert connection.connection is not None
    assert _backend() == pid


def _database_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def _worker_backends(since) -> dict[int, tuple[str, object]]:
    """The database's other sessions that ran a statement since ``since``: the worker's (the test's
    run on this thread), by backend, with their state and when their last statement started. A
    session an earlier test on this process left idle is not the worker's, and ran nothing since."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, query_start FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND query_start >= %s",
            [since],
        )
        return {pid: (state, started) for pid, state, started in cursor.fetchall()}


def test_a_real_worker_runs_two_tasks_on_one_connection_and_drops_it_after_a_failure(celery_worker_real):
    since = _database_now()
    heartbeat.delay("reuse-1").get(timeout=30)
    first = wait_for(lambda: _worker_backends(since), timeout=10, what="the worker's session")
    assert [state for state, _started in first.values()] == ["idle"]
    heartbeat.delay("reuse-2").get(timeout=30)
    second = _worker_backends(since)
    # The same session ran the second task's statements, after the first's.
    assert set(second) == set(first)
    (pid,) = second
    assert second[pid][1] > first[pid][1]
    assert Heartbeat.objects.filter(name__in=["reuse-1", "reuse-2"]).count() == 2

    # A name longer than the column: the database refuses the write and the task fails.
    with pytest.raises(Exception, match="value too long"):
        heartbeat.delay("x" * 101).get(timeout=30)
    wait_for(lambda: pid not in _worker_backends(since), timeout=10, what="the failed task's session to end")


def test_the_embedded_defaults_sqlite_connection_is_judged_by_its_drivers_transaction_flag():
    import sqlite3

    from herning.celery import _idle

    raw = sqlite3.connect(":memory:")
    wrapper = SimpleNamespace(
        connection=raw, vendor="sqlite", in_atomic_block=False, get_autocommit=lambda: True
    )
    assert _idle(wrapper) is True
    raw.execute("CREATE TABLE t (x)")
    raw.execute("INSERT INTO t VALUES (1)")  # the driver opens a transaction before an insert
    assert raw.in_transaction
    assert _idle(wrapper) is False
    raw.close()
