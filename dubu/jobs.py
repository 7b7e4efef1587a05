"""Imports in the background: a file too large to import within a web request (from
``HERNING["DUBU_BACKGROUND_FROM_KB"]``) is kept for a Celery worker, which imports it while the
page and the API follow its ``ImportRun`` (the job: its state, its progress, then its report).

The import is the same as in the request (``dubu.importer.run_import``): all or nothing, every
bad row reported. The file is kept in the database (``ImportUpload``), written in the
transaction that creates the run, and deleted when the job ends, whatever its outcome; it holds
CPR numbers, so neither it nor an exception's text (which may quote a row) is ever logged.

A job is safe to run twice (a task delivered again after a worker was lost): a job holds a lock
on its run while it imports, and a finished run is not imported again. A job whose task was lost
with the broker is sent again by the periodic ``requeue_stale`` (the database is what knows
what is owed).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from contextlib import contextmanager
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cases.permissions import Action, require
from dubu.importer import Report, RowError, run_import
from dubu.models import ImportRun, ImportUpload, MappingProfile
from herning.core.logging import mask_cpr

logger = logging.getLogger("herning.dubu")

FAILED = gettext_lazy(
    "Importen mislykkedes af en uventet fejl, og intet fra filen er gemt. Kør importen igen."
)
# A queued job whose task has not started within this time was lost with the broker.
STALE_AFTER = datetime.timedelta(minutes=10)


def runs_in_background(size: int) -> bool:
    """Whether a file of ``size`` bytes, sent through the page or the API, is imported by a job."""
    return size >= settings.HERNING["DUBU_BACKGROUND_FROM_KB"] * 1024


def import_in_background(
    *,
    content: bytes,
    file_name: str,
    user,
    profile: MappingProfile | None = None,
    dry_run: bool = False,
    skip_bad_rows: bool = False,
) -> ImportRun:
    """Keep the file and queue its import as ``user``; the run, queued. The task is sent once the
    run is committed (a request that fails queues nothing)."""
    from dubu.tasks import import_job

    require(user, Action.DUBU_IMPORT)
    profile = profile or MappingProfile.default()
    with transaction.atomic():
        run = ImportRun.objects.create(
            user=user,
            municipality=user.municipality,
            profile=profile,
            file_name=mask_cpr(file_name[:255]),
            dry_run=dry_run,
            skip_bad_rows=skip_bad_rows,
            state=ImportRun.State.QUEUED,
            progress=0,
        )
        run.teams.set(user.led_team_ids())
        ImportUpload.objects.create(run=run, content=content)
        transaction.on_commit(partial(import_job.delay, run.pk))
    return run


def run_import_job(run_id: int) -> str:
    """Import the file of run ``run_id`` (the worker's task); the run's state afterwards."""
    with _claimed(run_id) as claimed:
        if not claimed:
            return "busy"  # another delivery of the same job is importing it
        run = ImportRun.objects.select_related("user__municipality", "profile").filter(pk=run_id).first()
        if run is None or run.finished:
            return run.state if run else "gone"
        upload = ImportUpload.objects.filter(run_id=run_id).first()
        ImportRun.objects.filter(pk=run_id).update(
            state=ImportRun.State.RUNNING, progress=0, updated_at=timezone.now()
        )
        progress = _ProgressWriter(run_id)
        try:
            if upload is None:
                raise LookupError("the file of the job is gone")
            # Asked again: the person may have lost the role since the file was sent.
            require(run.user, Action.DUBU_IMPORT)
            report = run_import(
                content=bytes(upload.content),
                file_name=run.file_name,
                user=run.user,
                profile=run.profile,
                dry_run=run.dry_run,
                skip_bad_rows=run.skip_bad_rows,
                progress=progress,
            )
            state = ImportRun.State.DONE
        except PermissionDenied as refusal:
            report = _failed(run, str(refusal))
            state = ImportRun.State.FAILED
        except Exception as error:
            # The type only: an error's text may quote a row of the file, CPR number and all.
            logger.error("DUBU import job %s failed: %s", run_id, type(error).__name__)
            if not connection.in_atomic_block:  # a lost connection: the next query opens another
                connection.close_if_unusable_or_obsolete()
            report = _failed(run, str(FAILED))
            state = ImportRun.State.FAILED
        finally:
            progress.close()
        with transaction.atomic():
            ImportRun.objects.filter(pk=run_id).update(
                state=state,
                progress=100,
                seconds=report.seconds,
                committed=report.committed,
                report=report.as_dict(),
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            ImportUpload.objects.filter(run_id=run_id).delete()
        return state


def requeue_stale(*, now: datetime.datetime | None = None) -> int:
    """Send again the jobs queued longer than ``STALE_AFTER`` (their task was lost); how many."""
    from dubu.tasks import import_job

    cutoff = (now or timezone.now()) - STALE_AFTER
    ids = list(
        ImportRun.objects.filter(state=ImportRun.State.QUEUED, started_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for run_id in ids:
        import_job.delay(run_id)
    return len(ids)


def _failed(run: ImportRun, message: str) -> Report:
    report = Report(
        file_name=run.file_name,
        profile=run.profile.name,
        dry_run=run.dry_run,
        skip_bad_rows=run.skip_bad_rows,
    )
    report.errors.append(RowError(0, "", message))
    return report


@contextmanager
def _claimed(run_id: int):
    """Hold the run's lock (a PostgreSQL session lock, released also when a worker dies) while it
    imports; yields False when another holds it."""
    if connection.vendor != "postgresql":
        yield True  # the embedded development set-up runs one worker
        return
    digest = hashlib.sha256(f"dubu-import-job:{run_id}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        claimed = cursor.fetchone()[0]
    try:
        yield claimed
    finally:
        if claimed and connection.is_usable():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


class _ProgressWriter:
    """Writes a job's progress on a database connection of its own: the import writes in one
    transaction, and what it wrote on its own connection would be seen only once it is done."""

    def __init__(self, run_id: int):
        self.run_id = run_id
        self.last = 0
        self.connection = None

    def __call__(self, percent: int) -> None:
        if percent <= self.last:
            return
        self.last = percent
        self.write(percent)

    def write(self, percent: int) -> None:
        if self.connection is None:
            self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
        table = self.connection.ops.quote_name(ImportRun._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress = %s, updated_at = %s WHERE id = %s AND progress < %s",  # noqa: S608
                [percent, timezone.now(), self.run_id, percent],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
