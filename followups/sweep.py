"""The reminder sweep: find the deadlines whose reminder stage has come, and write the reminders.

Run by Celery beat every ``HERNING_SWEEP_MINUTES`` (incremental) and each night (full):

* **incremental** reads only the deadlines whose ``next_check_at`` has passed: those that changed
  since the last run (the sync sets it to now) and those that reached a reminder stage. With an
  index on it, a run when nothing happened is one cheap query.
* **full** first recomputes every deadline from its source (``deadlines.rebuild``: every open
  measure's schedule from its rule and its follow-ups), then checks every open deadline. It
  repairs whatever a failed recomputation or a write that did not announce itself left behind.

Reminders are rows (``Reminder``), unique per (deadline, due date, recipient, kind), written
before anything is sent: the sweep is safe to run twice or to stop half-way, and e-mail delivery
(``followups.delivery``) reads the rows it finds pending. An escalation to a team leader waits for
the leader's daily digest instead (``followups.digest``), unless the leader chose immediate mails.
The database is the source of truth.
Each batch is its own transaction; a record that fails is logged, its next check pushed forward,
and the sweep carries on.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from followups import deadlines as deadline_sync
from followups import timing
from followups.models import Deadline, Reminder, ReminderKind, ReminderSettings, SweepRun
from herning.organisation.models import Role, RoleAssignment, Team, User

logger = logging.getLogger("herning.followups")

BATCH_SIZE = 2000
# How long a deadline that failed waits before the sweep tries it again.
RETRY_BROKEN_AFTER = datetime.timedelta(hours=1)

# Sent after each batch of the sweep is committed, with ``run`` and ``processed`` (monitoring).
batch_committed = Signal()

_FIELDS = ("id", "kind", "due_on", "due_at", "responsible_id", "team_id", "district_id", "next_check_at")


class _People:
    """Who gets what: active staff and each team's team leaders, loaded once per run."""

    def __init__(self):
        self.active = set(User.objects.filter(is_active=True).values_list("pk", flat=True))
        self.leaders: dict[int, list[int]] = defaultdict(list)
        for team_id, user_id in RoleAssignment.objects.filter(
            role=Role.TEAM_LEADER, team__isnull=False, user__is_active=True
        ).values_list("team_id", "user_id"):
            self.leaders[team_id].append(user_id)
        self.teams_of_district: dict[int, list[int]] = defaultdict(list)
        for team_id, district_id in Team.objects.values_list("pk", "district_id"):
            self.teams_of_district[district_id].append(team_id)
        # Who has asked for a mail per escalation; the others read them in the daily digest.
        self.escalations_immediately = set(
            ReminderSettings.objects.filter(escalations_immediately=True).values_list("user_id", flat=True)
        )

    def email_state(self, recipient: int, kind: str) -> str:
        """An escalation waits for the team leader's daily digest (``followups.digest``) unless the
        person asked for immediate mails; every other reminder is mailed at once."""
        if kind == ReminderKind.ESCALATION and recipient not in self.escalations_immediately:
            return Reminder.EmailState.DIGEST
        return Reminder.EmailState.PENDING

    def leaders_for(self, row: dict) -> list[int]:
        teams = [row["team_id"]] if row["team_id"] else self.teams_of_district.get(row["district_id"], [])
        return sorted({u for t in teams for u in self.leaders.get(t, ())})

    def recipients(self, row: dict, kind: str) -> list[tuple[int, str]]:
        """The person responsible gets the stage's reminder; an overdue deadline also goes to the
        team leaders. With nobody (active) responsible, the team leaders get every stage."""
        responsible = row["responsible_id"] if row["responsible_id"] in self.active else None
        leaders = self.leaders_for(row)
        if responsible is None:
            return [(u, kind) for u in leaders]
        result = [(responsible, kind)]
        if kind == ReminderKind.OVERDUE:
            result += [(u, ReminderKind.ESCALATION) for u in leaders if u != responsible]
        return result


def _plan(rows: list[dict], now, offsets, people: _People):
    """The reminders due for ``rows`` and each row's next check."""
    reminders, checks = [], {}
    for row in rows:
        current, upcoming = timing.current_and_next(row["due_on"], row["due_at"], now, offsets)
        if current is not None:
            for recipient, kind in people.recipients(row, current[0]):
                reminders.append((row["id"], row["due_on"], recipient, kind))
        if upcoming != row["next_check_at"]:
            checks[row["id"]] = upcoming
    return reminders, checks


def _write(reminders: list[tuple], checks: dict[int, datetime.datetime | None], now, people: _People) -> int:
    created = 0
    if reminders:
        ids = {r[0] for r in reminders}
        dues = {r[1] for r in reminders}
        existing = set(
            Reminder.objects.for_system()
            .filter(deadline_id__in=ids, due_on__in=dues)
            .values_list("deadline_id", "due_on", "recipient_id", "kind")
        )
        new = [
            Reminder(
                deadline_id=d,
                due_on=due,
                recipient_id=u,
                kind=k,
                created_at=now,
                next_attempt_at=now,
                email_state=people.email_state(u, k),
            )
            for d, due, u, k in dict.fromkeys(reminders)
            if (d, due, u, k) not in existing
        ]
        # A concurrent sweep may have written the same row meanwhile: the constraint keeps one.
        Reminder.objects.bulk_create(new, ignore_conflicts=True)
        created = len(new)
    if checks:
        Deadline.objects.for_system().bulk_update(
            [Deadline(pk=pk, next_check_at=moment) for pk, moment in checks.items()], ["next_check_at"]
        )
    return created


def _process(rows: list[dict], now, offsets, people) -> tuple[int, int]:
    """Write the batch in one transaction; if that fails, row by row, skipping the broken ones."""
    try:
        with transaction.atomic():
            return _write(*_plan(rows, now, offsets, people), now, people), 0
    except Exception:
        logger.warning(
            "A batch of the reminder sweep failed; retrying its %s deadlines one by one.", len(rows)
        )
    created = errors = 0
    for row in rows:
        try:
            with transaction.atomic():
                created += _write(*_plan([row], now, offsets, people), now, people)
        except Exception:
            errors += 1
            logger.exception("Deadline %s could not be processed by the reminder sweep; skipped.", row["id"])
            Deadline.objects.for_system().filter(pk=row["id"]).update(next_check_at=now + RETRY_BROKEN_AFTER)
    return created, errors


def run(
    *,
    mode: str = SweepRun.Mode.INCREMENTAL,
    now: datetime.datetime | None = None,
    batch_size: int = BATCH_SIZE,
    dispatch: bool = True,
) -> SweepRun:
    """One sweep. ``dispatch``: ask a worker to deliver the pending e-mails afterwards."""
    now = now or timezone.now()
    sweep = SweepRun.objects.create(mode=mode, started_at=now)
    if mode == SweepRun.Mode.FULL:
        rebuilt = deadline_sync.rebuild(today=timezone.localdate(now), now=now)
        sweep.deadlines_checked, sweep.deadlines_changed, sweep.errors = (
            rebuilt.checked,
            rebuilt.changed,
            rebuilt.errors,
        )
    offsets = timing.days_before()
    people = _People()
    due_checks = Q(next_check_at__lte=now)
    if mode == SweepRun.Mode.FULL:
        # Also every deadline inside a reminder window, whatever its stored next check says: a
        # reminder lost or a reconfigured number of days is put right (existing ones are kept).
        window = timezone.localdate(now) + datetime.timedelta(days=max(offsets, default=0))
        due_checks |= Q(due_on__lte=window)
    candidates = Deadline.objects.for_system().filter(due_checks, is_open=True)
    last = 0
    while True:
        with transaction.atomic():
            # Rows another sweep (or a sync) holds are left for the next run.
            rows = list(
                candidates.filter(pk__gt=last)
                .order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))
                .values(*_FIELDS)[:batch_size]
            )
            if not rows:
                break
            last = rows[-1]["id"]
            created, errors = _process(rows, now, offsets, people)
        sweep.deadlines_checked += len(rows)
        sweep.reminders_created += created
        sweep.errors += errors
        batch_committed.send(sender=SweepRun, run=sweep, processed=len(rows))
    sweep.finished_at = timezone.now()
    sweep.save()
    if dispatch:
        dispatch_delivery()
    return sweep


def dispatch_delivery() -> None:
    """Ask a worker to send the pending e-mails, if there are any. If the broker is down, the next
    sweep asks again: the pending rows are in the database."""
    if not Reminder.objects.for_system().filter(email_state=Reminder.EmailState.PENDING).exists():
        return
    from followups.tasks import deliver_reminders

    try:
        deliver_reminders.delay()
    except Exception:
        logger.exception("Could not queue the delivery of reminders; the next sweep tries again.")
