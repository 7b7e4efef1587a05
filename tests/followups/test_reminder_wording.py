"""Reminders say the truth (issue 20, point 2): the days left are counted when the text is made,
not taken from the stage that wrote the reminder; the e-mail names the child (never the CPR number)
and the measure and links to where the work is done; the scheduler sweeps when it starts; links
use the address the product is served on."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from followups import sweep, wording
from followups.delivery import deliver_pending
from followups.models import Deadline, DeadlineKind, Reminder
from tests.followups.factories import start_measure

pytestmark = pytest.mark.django_db
D = datetime.date
ROOT = Path(__file__).resolve().parents[2]


def followup_deadline(measure) -> Deadline:
    return Deadline.objects.get(kind=DeadlineKind.FOLLOWUP, source_id=measure.pk)


def test_a_deadline_four_days_away_is_told_as_four_days_not_the_stage_of_seven(org):
    # A placement started 5 January: its first follow-up is due on 19 January. Swept first on
    # 15 January, the 7-day stage is the one reached, but 4 days are left.
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        measure = start_measure(org, "institution", D(2026, 1, 5))
    with time_machine.travel("2026-01-15 08:00 +01:00", tick=False):
        sweep.run(dispatch=False)
        deliver_pending()
    assert list(Reminder.objects.values_list("kind", flat=True)) == ["before_7"]
    message = mail.outbox[0]
    child = measure.case.child
    assert (
        message.subject
        == f"[Herning] Frist om 4 dage: Opfølgning – {child.full_name} (sag {measure.case_id})"
    )
    assert "Du har en frist om 4 dage: opfølgning." in message.body
    assert "7 dage" not in message.body
    # The child by name and the measure; never the CPR number.
    assert f"Barn: {child.full_name}" in message.body
    assert f"Indsats: {measure.measure_type.name}" in message.body
    for text in (message.subject, message.body, message.alternatives[0][0]):
        assert child.cpr not in text and child.cpr[6:] not in text
    assert f"/opfoelgning/indsats/{measure.pk}/" in message.body


def test_an_e_mail_sent_late_counts_at_sending(org):
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        measure = start_measure(org, "institution", D(2026, 1, 5))
    with time_machine.travel("2026-01-12 08:00 +01:00", tick=False):  # the 7-day stage, on time
        sweep.run(dispatch=False)
    with time_machine.travel("2026-01-14 08:00 +01:00", tick=False):  # the outbox is read 2 days late
        deliver_pending()
    assert "Frist om 5 dage" in mail.outbox[0].subject
    assert followup_deadline(measure).due_on == D(2026, 1, 19)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-01-12 08:00 +01:00", "Frist om 7 dage"),
        ("2026-01-18 08:00 +01:00", "Frist i morgen"),
        ("2026-01-19 23:59 +01:00", "Frist i dag"),
        ("2026-01-20 00:00 +01:00", "Frist overskredet for 1 dag siden"),
        ("2026-01-21 10:00 +01:00", "Frist overskredet for 2 dage siden"),
    ],
)
def test_the_headline_is_counted_at_the_moment_it_is_read(org, moment, expected):
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        measure = start_measure(org, "institution", D(2026, 1, 5))
    with time_machine.travel("2026-01-12 08:00 +01:00", tick=False):
        sweep.run(dispatch=False)
    reminder = Reminder.objects.get()
    with time_machine.travel(moment, tick=False):
        assert wording.headline(reminder) == expected
    assert followup_deadline(measure).due_on == D(2026, 1, 19)


def test_the_in_app_list_counts_when_it_is_opened(org, login):
    with time_machine.travel("2026-01-06 09:00 +01:00", tick=False):
        start_measure(org, "institution", D(2026, 1, 5))
    with time_machine.travel("2026-01-12 08:00 +01:00", tick=False):
        sweep.run(dispatch=False)
    with time_machine.travel("2026-01-16 08:00 +01:00", tick=False):
        html = login(org.advisor).get(reverse("followups:reminders")).content.decode()
    assert "Frist om 3 dage" in html and "Frist om 7 dage" not in html


def test_the_scheduler_sweeps_when_it_starts():
    from celery.signals import beat_init

    from herning.celery import _sweep_at_start

    assert any(receiver() is _sweep_at_start for _key, receiver in beat_init.receivers)


def test_links_in_e_mails_follow_the_port_the_product_is_served_on():
    env = {
        "PATH": os.environ["PATH"],
        "HERNING_READ_DOTENV": "0",
        "HERNING_ENV": "development",
        "HERNING_PORT": "8123",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django.conf as c, os; os.environ['DJANGO_SETTINGS_MODULE']='herning.settings';"
            " print(c.settings.BASE_URL)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "http://127.0.0.1:8123", result.stderr
