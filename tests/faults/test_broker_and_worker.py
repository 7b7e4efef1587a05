"""Issue 11 point 3: Redis stopped, and a worker killed in the middle of a sweep, on the real
services: a Redis server of the test's own, real ``celery worker`` processes, the real database.

The reminder sweep writes reminders as rows, unique per (deadline, due date, recipient, kind),
inside one transaction per batch, and e-mail goes out from those rows (``followups.sweep``,
``followups.delivery``). So a sweep that never ran is caught up by the next one, and a sweep cut
off half-way leaves nothing behind that a rerun would double.
"""

from __future__ import annotations

import datetime

import psycopg
import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from followups import sweep, timing
from followups.models import Deadline, Reminder, SweepRun
from tests.faults.services import RedisServer, Worker, producer, sent_reminder_ids, service_env, wait_for
from tests.fixtures import login_with_second_factor
from tests.followups.factories import deadline_rows, start_measure

pytestmark = pytest.mark.slow


def measures_due_tomorrow(org, n: int):
    """Measures whose first follow-up falls due tomorrow: the one-day reminder is due now."""
    today = timezone.localdate()
    return [start_measure(org, "institution", today - datetime.timedelta(days=13)) for _ in range(n)]


def reminders_now_due() -> set[tuple]:
    """(deadline, due date, recipient, kind) of every reminder a sweep now should write."""
    rows = list(Deadline.objects.filter(is_open=True).values(*sweep._FIELDS))
    planned, _checks = sweep._plan(rows, timezone.now(), timing.days_before(), sweep._People())
    return set(planned)


def written() -> list[tuple]:
    return sorted(Reminder.objects.values_list("deadline_id", "due_on", "recipient_id", "kind"))


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []

    def start(env) -> Worker:
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def cache_on(server: RedisServer):
    """The app's cache on ``server``, configured as in production."""
    from django.conf import settings

    cache = dict(settings.CACHES["default"], LOCATION=server.url)
    return override_settings(CACHES={"default": cache})


def test_with_redis_stopped_the_pages_work_and_reminders_are_caught_up_when_it_returns(
    shipped_data, org, client, redis_server, workers, tmp_path
):
    from django.core.cache import cache

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    measures = measures_due_tomorrow(org, 4)
    case = measures[0].case
    with cache_on(redis_server):
        cache.set("probe", "svar", 60)
        assert cache.get("probe") == "svar"  # the app really uses this Redis

        login_with_second_factor(client, org.advisor)
        redis_server.stop()
        # --- Redis is down. The pages answer, from the database; sessions do not live in Redis.
        for url in ("/min-dag/", f"/sager/{case.pk}/", "/opfoelgning/frister/", "/sager/", "/sundhed/"):
            response = client.get(url)
            assert response.status_code == 200, url
        # The API throttles through the cache; without it the request is let through, not failed.
        assert client.get("/api/v1/cases/", HTTP_ACCEPT="application/json").status_code == 200
        # A person logs in, password and second factor, while Redis is down.
        other = client_class_login(org.colleague)
        assert other.get("/min-dag/").status_code == 200
        assert cache.get("probe") is None  # reads miss instead of failing

        # The scheduler cannot hand the sweep to a worker: the reminders falling due now wait.
        beat = producer(redis_server.url)
        beat.conf.broker_connection_retry = False
        beat.conf.broker_connection_max_retries = 0
        beat.conf.task_publish_retry = False
        with pytest.raises(Exception):  # noqa: B017 - kombu raises the socket's error as it comes
            beat.send_task("followups.sweep")
        expected = reminders_now_due()
        assert expected and Reminder.objects.count() == 0

        # --- Redis returns, empty (whatever was queued is lost). The next sweep catches up.
        redis_server.start()
        workers(service_env(redis_url=redis_server.url, mail_dir=mail_dir))
        summary = producer(redis_server.url).send_task("followups.sweep").get(timeout=60)
        assert summary["reminders"] == len(expected)
        assert set(written()) == expected
        wait_for(
            lambda: not Reminder.objects.exclude(email_state=Reminder.EmailState.SENT).exists(),
            timeout=60,
            what="the reminders to be e-mailed",
        )
        assert sorted(sent_reminder_ids(mail_dir)) == sorted(Reminder.objects.values_list("pk", flat=True))
        cache.set("probe", "igen", 60)
        assert cache.get("probe") == "igen"  # and the cache is used again


def client_class_login(user):
    """A second browser (test client) logging in through the real pages: password, then code."""
    from django.test import Client

    from tests.herning.otp import app_device, current_code

    other = Client()
    user.set_password("en-lang-adgangskode-til-test")
    user.save(update_fields=["password"])
    device = app_device(user)
    response = other.post(
        "/log-ind/", {"username": user.username, "password": "en-lang-adgangskode-til-test"}
    )
    assert response.status_code == 302, response.content[:500]
    response = other.post("/to-faktor/", {"code": current_code(device)})
    assert response.status_code == 302, response.content[:2000]
    return other


def _blocking_connection():
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    )


def _hold_reminder_row(conn, key: tuple) -> None:
    """Insert, without committing, the row the sweep is about to write for ``key``: the sweep's
    own insert of it waits for this transaction, in the middle of the sweep's batch."""
    deadline_id, due_on, recipient_id, kind = key
    reminder = Reminder(deadline_id=deadline_id, due_on=due_on, recipient_id=recipient_id, kind=kind)
    fields = [f for f in Reminder._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(getattr(reminder, f.attname), connection) for f in fields]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    conn.execute(f'INSERT INTO "{Reminder._meta.db_table}" ({columns}) VALUES ({marks})', values)  # noqa: S608


def _sweep_waiting_backend(conn) -> int | None:
    row = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND wait_event_type = 'Lock' AND query ILIKE %s",
        # The sweep writes its reminders in one statement of column arrays (herning.core.arrays).
        (f"%INSERT INTO%{Reminder._meta.db_table}%",),
    ).fetchone()
    return row[0] if row else None


def _backend_gone(conn, pid: int) -> bool:
    return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[0] == 0


def test_a_worker_killed_in_the_middle_of_a_sweep_loses_no_reminder_and_doubles_none(
    shipped_data, org, redis_server, workers, tmp_path
):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    measures_due_tomorrow(org, 5)
    expected = reminders_now_due()
    assert len(expected) >= 5
    # The broker hands a task whose worker died back after 2 s instead of an hour.
    env = service_env(redis_url=redis_server.url, mail_dir=mail_dir, HERNING_BROKER_VISIBILITY_TIMEOUT="2")

    blocker = _blocking_connection()
    observer = _blocking_connection()
    observer.autocommit = True
    try:
        _hold_reminder_row(blocker, sorted(expected)[-1])
        worker = workers(env)
        producer(redis_server.url).send_task("followups.sweep")
        # The worker is inside the sweep's transaction, its batch of reminders half-written.
        pid = wait_for(lambda: _sweep_waiting_backend(observer), timeout=60, what="the sweep to be mid-batch")
        worker.kill()
        blocker.rollback()
        # PostgreSQL notices the dead client at its next read and undoes its transaction.
        wait_for(lambda: _backend_gone(observer, pid), timeout=30, what="the killed worker's session to end")
    finally:
        blocker.close()
        observer.close()

    assert Reminder.objects.count() == 0  # nothing half-written
    assert SweepRun.objects.filter(finished_at__isnull=True).count() == 1  # it was cut off

    # A new worker: the broker gives it the unacknowledged sweep again (acks_late), and it runs,
    # soon after the visibility timeout even when the worker started before the timeout was up.
    workers(env)
    wait_for(
        lambda: SweepRun.objects.filter(finished_at__isnull=False).exists(),
        timeout=30,
        what="the killed sweep to be run again",
    )
    assert set(written()) == expected
    # The next scheduled sweep finds nothing more to write.
    summary = producer(redis_server.url).send_task("followups.sweep").get(timeout=60)
    assert summary["reminders"] == 0
    assert len(written()) == len(expected)  # none doubled
    wait_for(
        lambda: not Reminder.objects.exclude(email_state=Reminder.EmailState.SENT).exists(),
        timeout=60,
        what="the reminders to be e-mailed",
    )
    sent = sent_reminder_ids(mail_dir)
    assert sorted(sent) == sorted(Reminder.objects.values_list("pk", flat=True))  # each e-mailed once


# --- Issue 22, point 1: the full sweep shared by the workers, one killed mid-batch ---------------


def deadline_values() -> set[tuple]:
    """The deadline table, without the moments a run stamps (when written, when next checked)."""
    return deadline_rows({"id", "updated_at", "next_check_at"})


def _hold_deadline_row(conn, deadline: Deadline) -> None:
    """Insert, without committing, the deadline row the sweep is about to create: its COPY waits
    for this transaction, in the middle of the batch that holds the record."""
    fields = [f for f in Deadline._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(getattr(deadline, f.attname), connection) for f in fields]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    conn.execute(f'INSERT INTO "{Deadline._meta.db_table}" ({columns}) VALUES ({marks})', values)  # noqa: S608


def _copy_waiting_backend(conn) -> int | None:
    row = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND wait_event_type = 'Lock' AND query ILIKE %s",
        ("%COPY followups_deadline%",),
    ).fetchone()
    return row[0] if row else None


def test_a_worker_killed_in_the_middle_of_a_shared_full_sweep_loses_nothing_and_doubles_nothing(
    shipped_data, org, redis_server, workers, tmp_path
):
    from followups.models import SweepBatch

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    measures = measures_due_tomorrow(org, 6)
    # What one process computes (the write-time trigger), before the first full sweep builds it all.
    expected = deadline_values()
    held = Deadline.objects.get(kind="followup", source_id=measures[-1].pk)
    held_key = (held.kind, held.source_id)
    Deadline.objects.all().delete()
    # Batches of 2 measures; the broker hands a task whose worker died back after 2 s.
    env = service_env(
        redis_url=redis_server.url,
        mail_dir=mail_dir,
        HERNING_BROKER_VISIBILITY_TIMEOUT="2",
        HERNING_SWEEP_BATCH_SIZE="2",
    )

    blocker = _blocking_connection()
    observer = _blocking_connection()
    observer.autocommit = True
    try:
        _hold_deadline_row(blocker, held)
        worker = workers(env)
        producer(redis_server.url).send_task("followups.sweep", kwargs={"mode": "full"})
        # The worker is inside the last measures' batch, its rows half-written.
        pid = wait_for(lambda: _copy_waiting_backend(observer), timeout=60, what="the sweep to be mid-batch")
        worker.kill()
        blocker.rollback()
        wait_for(lambda: _backend_gone(observer, pid), timeout=30, what="the killed worker's session to end")
    finally:
        blocker.close()
        observer.close()

    run = SweepRun.objects.get(mode=SweepRun.Mode.FULL)
    assert run.finished_at is None and run.distributed  # cut off
    batches = SweepBatch.objects.filter(run=run, source="measure")
    assert batches.count() == 3 and batches.filter(done_at__isnull=True).exists()
    assert not Deadline.objects.filter(kind=held_key[0], source_id=held_key[1]).exists()  # rolled back

    # Another worker: the broker gives it the unacknowledged batch again (acks_late) and the rest.
    workers(env)
    wait_for(
        lambda: SweepRun.objects.filter(pk=run.pk, finished_at__isnull=False).exists(),
        timeout=120,
        what="the shared sweep to be finished by the new worker",
    )
    assert deadline_values() == expected  # nothing lost
    written = sorted(Reminder.objects.values_list("deadline_id", "due_on", "recipient_id", "kind"))
    assert set(written) == reminders_now_due() and len(written) == len(set(written))
    # A single-process recomputation of everything finds the table as it should be, and nothing to remind.
    again = sweep.run(mode=SweepRun.Mode.FULL, dispatch=False, recompute_all=True)
    assert (again.deadlines_changed, again.reminders_created, again.errors) == (0, 0, 0)
    assert deadline_values() == expected
    assert sorted(Reminder.objects.values_list("deadline_id", "due_on", "recipient_id", "kind")) == written
