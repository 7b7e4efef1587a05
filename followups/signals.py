"""Keep the deadline table in sync with the records deadlines come from.

The receivers run inside the writer's transaction, in a savepoint of their own: a failure here is
logged and never undoes the writer's work (the nightly full sweep repairs the row).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cases.models import Case, CaseTransfer, Investigation, Notification, Plan
from followups import deadlines
from measures.models import Measure
from measures.signals import measure_changed
from network_meetings.models import Agreement
from network_meetings.signals import agreement_changed

logger = logging.getLogger("herning.followups")


def _safely(what: str, action, *args) -> None:
    try:
        with transaction.atomic():
            action(*args)
    except Exception:
        logger.exception("Could not update the deadlines of %s; the nightly full sweep repairs them.", what)


@receiver(measure_changed)
def measure_changed_sync(sender, measure, **kwargs):
    _safely(f"measure {measure.pk}", deadlines.sync, "measure", [measure.pk])


@receiver(post_save, sender=Notification)
def notification_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _safely(f"notification {instance.pk}", deadlines.sync, "notification", [instance.pk])


@receiver(post_save, sender=Investigation)
def investigation_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    _safely(f"investigation {instance.pk}", deadlines.sync, "investigation", [instance.pk])
    # Barnets Lov § 95, stk. 2: its end may bring forward the first follow-up of a measure.
    measures = list(
        Measure.objects.for_system()
        .filter(case_id=instance.case_id, actual_end__isnull=True)
        .values_list("pk", flat=True)
    )
    _safely(f"the measures of case {instance.case_id}", deadlines.sync, "measure", measures)


@receiver(post_save, sender=Plan)
def plan_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _safely(f"plan {instance.pk}", deadlines.sync, "plan", [instance.pk])


@receiver(post_save, sender=Case)
def case_saved(sender, instance, created=False, raw=False, **kwargs):
    if not (raw or created):
        _safely(f"case {instance.pk}", deadlines.sync_case, instance)


@receiver(agreement_changed)
def agreement_changed_sync(sender, agreement, **kwargs):
    _safely(f"agreement {agreement.pk}", deadlines.sync, "agreement", [agreement.pk])


@receiver(post_delete, sender=Agreement)
def agreement_deleted(sender, instance, **kwargs):
    # agreement_remove announces the change before it deletes the row: close the deadline after.
    _safely(f"agreement {instance.pk}", deadlines.sync, "agreement", [instance.pk])


@receiver(post_save, sender=CaseTransfer)
def transfer_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _safely(f"case transfer {instance.pk}", deadlines.sync, "handover", [instance.pk])
