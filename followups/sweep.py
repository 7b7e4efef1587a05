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
import hashlib
import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Q, Sum
from django.dispatch import Signal
from django.utils import timezone

from cases import obligations
from followups import deadlines as deadline_sync
from followups import timing
from followups.models import Deadline, Reminder, ReminderKind, ReminderSettings, SweepBatch, SweepRun
from herning.core import arrays
from herning.organisation.models import Role, RoleAssignment, Team, User

logger = logging.getLogger("herning.followups")

BATCH_SIZE = deadline_sync.BATCH_SIZE
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

    def digest(self) -> str:
        """What the reminders of a deadline depend on besides the deadline itself."""
        state = (
            sorted(self.active),
            sorted((team, sorted(users)) for team, users in self.leaders.items()),
            sorted((district, sorted(teams)) for district, teams in self.teams_of_district.items()),
            sorted(self.escalations_immediately),
        )
        return hashlib.md5(repr(state).encode(), usedforsecurity=False).hexdigest()

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
    """Write the reminders not yet written and the rows' next checks, as column arrays (a first
    full sweep writes some 170,000 reminders and a next check on every deadline it reads)."""
    created = 0
    if reminders:
        ids = {r[0] for r in reminders}
        dues = {r[1] for r in reminders}
        existing = set(
            Reminder.objects.for_system()
            .filter(deadline_id__in=ids, due_on__in=dues)
            .values_list("deadline_id", "due_on", "recipient_id", "kind")
        )
        # A concurrent sweep may have written the same row meanwhile: the constraint keeps one,
        # and only the rows written here are counted.
        created = arrays.insert(
            Reminder,
            ("deadline", "due_on", "recipient", "kind", "created_at", "next_attempt_at", "email_state"),
            (
                (d, due, u, k, now, now, people.email_state(u, k))
                for d, due, u, k in dict.fromkeys(reminders)
                if (d, due, u, k) not in existing
            ),
            ignore_conflicts=True,
        )
    arrays.update(Deadline, "next_check_at", checks)
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
    distributed: bool = False,
    recompute_all: bool = False,
) -> SweepRun:
    """One sweep. ``dispatch``: ask a worker to deliver the pending e-mails afterwards.

    A full sweep is cut into batches (``start_full``). ``distributed``: queue one task per batch
    for whichever workers are running and return at once; the run is finished when the last batch
    is (``finished_at``). Otherwise this process runs every batch itself. ``recompute_all``:
    recompute every schedule even when its inputs have not changed."""
    now = now or timezone.now()
    if mode == SweepRun.Mode.FULL:
        sweep = start_full(
            now=now,
            batch_size=batch_size,
            distributed=distributed,
            recompute_all=recompute_all,
            deliver=dispatch,
        )
        if not distributed:
            while pending := list(
                sweep.batches.filter(done_at__isnull=True).order_by("pk").values_list("pk", flat=True)
            ):
                for batch_id in pending:
                    run_batch(batch_id, dispatch=dispatch)
            sweep.refresh_from_db()
        return sweep
    sweep = SweepRun.objects.create(mode=mode, started_at=now)
    offsets = timing.days_before()
    people = _People()
    candidates = Deadline.objects.for_system().filter(next_check_at__lte=now, is_open=True)
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


# --- The full sweep, in batches any worker may run -----------------------------------------------
#
# 1. ``start_full`` closes the rows of records with nothing open, then cuts each source's open
#    records into id ranges: one ``SweepBatch`` (phase ``rebuild``) each.
# 2. ``run_batch`` claims a batch with SKIP LOCKED, does it and marks it done in one transaction: a
#    batch whose worker dies is rolled back and done by the task's next delivery (acks_late); one
#    delivered twice is done once (the second finds it done or held).
# 3. After each batch, ``_advance`` looks at the run under a row lock: when every rebuild batch is
#    done it plans the reminder batches (phase ``remind``, over the deadlines as they now are);
#    when those are done too it sums the batches into the run and marks it finished.


def start_full(
    *,
    now: datetime.datetime,
    batch_size: int = BATCH_SIZE,
    distributed: bool = False,
    recompute_all: bool = False,
    deliver: bool = True,
) -> SweepRun:
    """Create a full sweep and its rebuild batches; with ``distributed``, queue them. ``deliver``:
    queue the e-mail delivery when the run is finished."""
    today = timezone.localdate(now)
    with transaction.atomic():
        sweep = SweepRun.objects.create(
            mode=SweepRun.Mode.FULL,
            started_at=now,
            batch_size=batch_size,
            distributed=distributed,
            recompute_all=recompute_all,
            deliver=deliver,
        )
        batches = []
        # One read of each source's open keys; the ranges cover every key, so the batches also
        # close the rows of the records no longer open (``deadlines.covering_ranges``).
        batches = [
            SweepBatch(run=sweep, phase=SweepBatch.Phase.REBUILD, source=name, first_id=first, last_id=last)
            for name, source in obligations.sources().items()
            for first, last in deadline_sync.covering_ranges(source.open_ids(today), batch_size)
        ]
        SweepBatch.objects.bulk_create(batches)
        sweep.batches_total = len(batches)
        sweep.save()
        if distributed:
            _queue(SweepBatch.objects.filter(run=sweep).values_list("pk", flat=True))
    return sweep


def _queue(batch_ids) -> None:
    from followups.tasks import sweep_batch

    ids = list(batch_ids)
    # After the commit, so the worker that takes a task finds its batch.
    transaction.on_commit(lambda: [sweep_batch.delay(pk) for pk in ids])


def run_batch(batch_id: int, *, dispatch: bool = True) -> bool:
    """Do one batch of a full sweep, if nobody has or is doing it. Returns whether this call did it."""
    with transaction.atomic():
        batch = (
            SweepBatch.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("run")
            .filter(pk=batch_id, done_at__isnull=True)
            .first()
        )
        if batch is not None:
            if batch.phase == SweepBatch.Phase.REBUILD:
                _rebuild(batch)
            else:
                _remind(batch)
            batch.done_at = timezone.now()
            batch.save()
    if batch is not None:
        batch_committed.send(sender=SweepRun, run=batch.run, processed=batch.checked)
    # Also when the batch was found done: its worker may have died between the two.
    _advance(
        SweepBatch.objects.filter(pk=batch_id).values_list("run_id", flat=True).first(), dispatch=dispatch
    )
    return batch is not None


# Loaded once per process and run: the rule book, the people and their settings.
_per_run: dict[tuple, object] = {}


def _once(run: SweepRun, key: str, load):
    if (run.pk, key) not in _per_run:
        for stale in [k for k in _per_run if k[0] != run.pk]:
            del _per_run[stale]
        _per_run[(run.pk, key)] = load()
    return _per_run[(run.pk, key)]


def _rebuild(batch: SweepBatch) -> None:
    if batch.first_id > batch.last_id:
        return
    run = batch.run
    today = timezone.localdate(run.started_at)
    prepared = _once(
        run, f"source:{batch.source}", lambda: obligations.sources()[batch.source].prepare(today)
    )
    stats = deadline_sync.rebuild_range(
        batch.source,
        batch.first_id,
        batch.last_id,
        today=today,
        now=run.started_at,
        context=dict(prepared),  # the batch's own results and errors go into its copy
        skip_unchanged=not run.recompute_all,
    )
    batch.checked, batch.changed, batch.errors, batch.skipped = (
        stats.checked,
        stats.changed,
        stats.errors,
        stats.skipped,
    )


def _reminder_candidates(run: SweepRun, offsets):
    due = Q(next_check_at__lte=run.started_at)
    if run.whole_window:
        # Also every deadline inside a reminder window whatever its stored next check says: a
        # reconfigured number of days, a new team leader or a reminder lost is put right
        # (existing ones are kept).
        window = timezone.localdate(run.started_at) + datetime.timedelta(days=max(offsets, default=0))
        due |= Q(due_on__lte=window)
    return Deadline.objects.for_system().filter(due, is_open=True)


def _reminder_inputs(run: SweepRun, offsets) -> tuple[str, bool]:
    """The digest of the reminders' other inputs, and whether the whole window is to be read: when
    it differs from the last full sweep's, or when everything is recomputed. Otherwise a deadline
    whose check is not due has every reminder it is owed: written when its stage came (each change
    of a deadline sets its check to now), by the incremental sweeps or the last full one."""
    digest = hashlib.md5(
        f"{sorted(offsets)}|{_once(run, 'people', _People).digest()}".encode(), usedforsecurity=False
    ).hexdigest()
    previous = (
        SweepRun.objects.filter(mode=SweepRun.Mode.FULL, finished_at__isnull=False)
        .exclude(pk=run.pk)
        .order_by("-started_at")
        .values_list("reminder_inputs", flat=True)
        .first()
    )
    return digest, run.recompute_all or previous != digest


def _remind(batch: SweepBatch) -> None:
    if batch.first_id > batch.last_id:
        return
    run = batch.run
    offsets = _once(run, "offsets", timing.days_before)
    people = _once(run, "people", _People)
    rows = list(
        _reminder_candidates(run, offsets)
        .filter(pk__gte=batch.first_id, pk__lte=batch.last_id)
        .order_by("pk")
        .select_for_update(skip_locked=True, of=("self",))
        .values(*_FIELDS)
    )
    batch.reminders, batch.errors = _process(rows, run.started_at, offsets, people)
    batch.checked = len(rows)


def _advance(run_id: int | None, *, dispatch: bool) -> None:
    """Move the run on when its batches are done: plan the reminders, or finish it."""
    if run_id is None:
        return
    with transaction.atomic():
        # One worker at a time decides; the others wait a moment and find it decided.
        run = SweepRun.objects.select_for_update().get(pk=run_id)
        if run.finished_at is not None or run.batches.filter(done_at__isnull=True).exists():
            return
        if not run.batches.filter(phase=SweepBatch.Phase.REMIND).exists():
            offsets = timing.days_before()
            run.reminder_inputs, run.whole_window = _reminder_inputs(run, offsets)
            SweepRun.objects.filter(pk=run.pk).update(
                reminder_inputs=run.reminder_inputs, whole_window=run.whole_window
            )
            ids = deadline_sync.id_ranges(
                _reminder_candidates(run, offsets).values_list("pk", flat=True), run.batch_size
            )
            batches = [
                SweepBatch(run=run, phase=SweepBatch.Phase.REMIND, first_id=first, last_id=last)
                for first, last in ids
            ] or [SweepBatch(run=run, phase=SweepBatch.Phase.REMIND, first_id=1, last_id=0)]
            SweepBatch.objects.bulk_create(batches)
            SweepRun.objects.filter(pk=run.pk).update(batches_total=run.batches_total + len(batches))
            if run.distributed:
                _queue(b.pk for b in batches)
            return
        totals = run.batches.aggregate(
            checked=Sum("checked"),
            changed=Sum("changed"),
            skipped=Sum("skipped"),
            reminders=Sum("reminders"),
            errors=Sum("errors"),
        )
        # "Checked" counts, as before, the deadlines computed plus those checked for reminders.
        run.deadlines_checked = totals["checked"] or 0
        run.deadlines_changed += totals["changed"] or 0
        run.records_skipped = totals["skipped"] or 0
        run.reminders_created = totals["reminders"] or 0
        run.errors = totals["errors"] or 0
        run.finished_at = timezone.now()
        run.save()
        if dispatch and run.deliver:
            transaction.on_commit(dispatch_delivery)


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
