"""E-mail delivery of reminders, from the outbox the sweep writes.

At least once: a pending row is locked, its e-mail sent, then it is marked sent in the same
transaction. A worker killed between sending and committing leaves the row pending, and it is sent
again; a failure is retried later with a growing pause, and one bad address never holds up the
others. The e-mails name the kind of deadline, its date, the days left counted at sending, the
child by name (never the CPR number), the measure and the case number, and link to where the work
is done.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from followups import wording
from followups.models import Reminder
from followups.selectors import MEASURE_KINDS, deadline_url
from measures.models import Measure

logger = logging.getLogger("herning.followups")

MAX_ATTEMPTS = 8
BATCH = 50


def _retry_after(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=min(2**attempts, 24 * 60))


def _about(deadline) -> tuple[str, str]:
    """The child's name (never the CPR number) and, for a measure's deadline, the measure type: what
    the recipient needs to know which child the work is for without opening the product."""
    child = deadline.case.child.full_name if deadline.case_id else ""
    measure = ""
    if deadline.kind in MEASURE_KINDS:
        measure = (
            Measure.objects.for_system()
            .filter(pk=deadline.source_id)
            .values_list("measure_type__name", flat=True)
            .first()
            or ""
        )
    return child, measure


def render(reminder: Reminder, *, now: datetime.datetime | None = None) -> EmailMultiAlternatives:
    """The e-mail of ``reminder`` as it is sent ``now``: the days left are counted at sending, not
    at the stage that wrote the reminder (``followups.wording``)."""
    deadline = reminder.deadline
    child, measure = _about(deadline)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "reminder": reminder,
            "deadline": deadline,
            "kind_label": deadline.get_kind_display(),
            "headline": wording.headline(reminder, now),
            "lead": wording.lead(reminder, now),
            "child_name": child,
            "measure_name": measure,
            "recipient": reminder.recipient,
            "responsible": deadline.responsible,
            "url": settings.BASE_URL + deadline_url(deadline),
        }
        subject = " ".join(render_to_string("emails/followups/reminder_subject.txt", context).split())
        text = render_to_string("emails/followups/reminder.txt", context)
        html = render_to_string("emails/followups/reminder.html", context)
    message = EmailMultiAlternatives(
        subject=settings.EMAIL_SUBJECT_PREFIX + subject,
        body=text,
        to=[reminder.recipient.email],
        headers={"X-Herning-Reminder": str(reminder.pk)},
    )
    message.attach_alternative(html, "text/html")
    return message


def deliver_pending(*, now: datetime.datetime | None = None, limit: int | None = None) -> int:
    """Send the pending reminders whose time has come; returns how many were sent."""
    sent = handled = 0
    connection = get_connection()
    while limit is None or handled < limit:
        now = now or timezone.now()
        with transaction.atomic():
            batch = list(
                Reminder.objects.for_system()
                .filter(email_state=Reminder.EmailState.PENDING, next_attempt_at__lte=now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("deadline", "deadline__responsible", "deadline__case__child", "recipient")
                .order_by("next_attempt_at", "pk")[:BATCH]
            )
            if not batch:
                break
            for reminder in batch:
                handled += 1
                sent += _deliver_one(reminder, connection)
    return sent


def _deliver_one(reminder: Reminder, connection) -> int:
    now = timezone.now()
    deadline = reminder.deadline
    if not deadline.is_open or deadline.due_on != reminder.due_on:
        # Met or moved before the e-mail went out (a follow-up recorded meanwhile): no noise.
        reminder.email_state = Reminder.EmailState.OBSOLETE
        reminder.save(update_fields=["email_state"])
        return 0
    if not reminder.recipient.email:
        reminder.email_state = Reminder.EmailState.NO_ADDRESS
        reminder.save(update_fields=["email_state"])
        return 0
    reminder.email_attempts += 1
    try:
        message = render(reminder)
        message.connection = connection
        message.send()
    except Exception as exc:
        logger.warning(
            "Reminder %s could not be e-mailed (attempt %s): %s",
            reminder.pk,
            reminder.email_attempts,
            type(exc).__name__,
        )
        reminder.email_error = type(exc).__name__
        if reminder.email_attempts >= MAX_ATTEMPTS:
            reminder.email_state = Reminder.EmailState.FAILED
        reminder.next_attempt_at = now + _retry_after(reminder.email_attempts)
        reminder.save(update_fields=["email_attempts", "email_error", "email_state", "next_attempt_at"])
        return 0
    reminder.email_state = Reminder.EmailState.SENT
    reminder.email_sent_at = now
    reminder.save(update_fields=["email_attempts", "email_state", "email_sent_at"])
    return 1
