"""The reminder settings come from the environment, and the sweep's schedule lives in code."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.schedules import crontab

from herning.celery import app, beat_schedule

ROOT = Path(__file__).resolve().parents[2]


def settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess:
    """Import the settings with exactly ``env`` (test mode) and print the reminder settings."""
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='herning.settings'; from django.conf import settings as s;"
        " print(s.HERNING['REMINDER_DAYS_BEFORE'], s.HERNING['SWEEP_MINUTES'], s.HERNING['FULL_SWEEP_HOUR'])"
    )
    clean = {"PATH": os.environ["PATH"], "HERNING_READ_DOTENV": "0", "HERNING_ENV": "test", **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_the_sweep_runs_every_15_minutes_and_in_full_each_night(settings):
    schedule = beat_schedule()
    incremental = schedule["followups-sweep"]
    assert incremental["task"] == "followups.sweep"
    assert incremental["kwargs"] == {"mode": "incremental"}
    assert incremental["schedule"] == datetime.timedelta(minutes=15)
    full = schedule["followups-full-sweep"]
    assert full["kwargs"] == {"mode": "full"}
    assert isinstance(full["schedule"], crontab) and full["schedule"].hour == {2}
    app.loader.import_default_modules()
    assert {"followups.sweep", "followups.deliver_reminders"} <= set(app.tasks)
    assert app.tasks["followups.sweep"].acks_late and app.tasks["followups.deliver_reminders"].acks_late


def test_the_sweep_interval_follows_the_setting(settings):
    settings.HERNING = {**settings.HERNING, "SWEEP_MINUTES": 5}
    assert beat_schedule()["followups-sweep"]["schedule"] == datetime.timedelta(minutes=5)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("7,x", "HERNING_REMINDER_DAYS_BEFORE must be whole numbers"),
        ("0", "HERNING_REMINDER_DAYS_BEFORE must list days between 1 and 90"),
        (",", "HERNING_REMINDER_DAYS_BEFORE must list days between 1 and 90"),
    ],
)
def test_bad_reminder_days_stop_the_start(value, message):
    result = settings_in_a_fresh_process(HERNING_REMINDER_DAYS_BEFORE=value)
    assert result.returncode != 0
    assert message in result.stderr


def test_reminder_days_from_the_environment():
    result = settings_in_a_fresh_process(HERNING_REMINDER_DAYS_BEFORE="14, 3,1", HERNING_SWEEP_MINUTES="10")
    assert result.stdout.strip() == "[14, 3, 1] 10 2", result.stderr


@pytest.mark.django_db
def test_the_sweep_can_be_run_by_hand(org):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("sweep_reminders", "--rebuild-only", stdout=out)
    call_command("sweep_reminders", "--full", stdout=out)
    call_command("sweep_reminders", stdout=out)
    assert out.getvalue().count("fejl: 0") == 3
