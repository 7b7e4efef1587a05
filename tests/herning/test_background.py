"""Celery: tasks go through the real Redis broker to a real worker, and the embedded default
really runs the periodic schedule."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from herning.celery import app, beat_schedule
from herning.core.models import Heartbeat
from herning.core.tasks import echo, heartbeat

ROOT = Path(__file__).resolve().parents[2]


def test_the_broker_is_the_real_redis():
    assert app.conf.broker_url.startswith("redis://")
    assert app.conf.task_acks_late is True
    assert app.conf.task_always_eager is False


def test_task_round_trip_through_redis_and_a_real_worker(celery_worker_real):
    result = echo.delay({"svar": 42, "tekst": "æøå"})
    assert result.get(timeout=30) == {"svar": 42, "tekst": "æøå"}


def test_a_worker_task_writes_to_the_database(celery_worker_real):
    heartbeat.delay("test-heartbeat").get(timeout=30)
    heartbeat.delay("test-heartbeat").get(timeout=30)
    assert Heartbeat.objects.get(name="test-heartbeat").runs == 2


def test_the_periodic_schedule_is_defined_in_code():
    schedule = beat_schedule()
    assert schedule["heartbeat"]["task"] == "herning.core.tasks.heartbeat"
    assert schedule["heartbeat"]["schedule"].total_seconds() == settings.HEARTBEAT_SECONDS
    # Every scheduled task exists.
    app.loader.import_default_modules()
    for entry in schedule.values():
        assert entry["task"] in app.tasks, entry["task"]


@pytest.mark.slow
def test_embedded_default_runs_worker_and_scheduler_for_real(tmp_path):
    """The quick start's embedded default (SQLite + file-system broker) fires periodic tasks:
    beat sends the heartbeat through the broker, a worker runs it, the row appears in SQLite."""
    env = {
        "PATH": os.environ["PATH"],
        "HERNING_ENV": "development",
        "HERNING_VAR_DIR": str(tmp_path),
        "HERNING_READ_DOTENV": "0",
        "HERNING_HEARTBEAT_SECONDS": "1",
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    celery = shutil.which("celery", path=str(Path(python).parent)) or "celery"
    processes = [
        subprocess.Popen(
            [celery, "-A", "herning", "worker", "--pool=solo", "--loglevel=WARNING"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        ),
        subprocess.Popen(
            [celery, "-A", "herning", "beat", "--loglevel=WARNING", "--schedule", str(tmp_path / "beat")],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        ),
    ]
    runs = 0
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and runs < 2:
            with sqlite3.connect(tmp_path / "herning.sqlite3", timeout=30) as conn:
                row = conn.execute("SELECT runs FROM core_heartbeat WHERE name = 'scheduler'").fetchone()
            runs = row[0] if row else 0
            for p in processes:
                assert p.poll() is None, p.stderr.read().decode()
            time.sleep(0.5)  # polling a real process, not waiting for time to pass in the product
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            p.wait(timeout=30)
    assert runs >= 2, "the scheduler did not fire the heartbeat twice within 90 seconds"
    # The worker's handlers around each task (herning/celery.py: its connection kept or closed)
    # work on SQLite too; Celery would only log a handler's error and go on.
    worker_log = processes[0].stderr.read().decode()
    assert "Signal handler" not in worker_log, worker_log
