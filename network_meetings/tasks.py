"""Thin Celery tasks: they take ids, call a service, and are safe to run twice."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="network_meetings.tasks.deliver_dispatches", bind=True, max_retries=12)
def deliver_dispatches(self, dispatch_ids: list[int]) -> int:
    """Send the e-mails ordered in one transaction (invitations, cancellations, minutes). One that
    fails does not stop the others; the failed ones are retried with a growing pause."""
    from network_meetings.services import dispatch_deliver

    sent, failed = 0, []
    for dispatch_id in dispatch_ids:
        try:
            sent += dispatch_deliver(dispatch_id=dispatch_id)
        except Exception:  # one bad address or a mail-server hiccup must not stop the rest
            logger.exception("Network-meeting e-mail %s could not be sent; will retry", dispatch_id)
            failed.append(dispatch_id)
    if failed:
        raise self.retry(args=[failed], countdown=min(60 * 2**self.request.retries, 3600))
    return sent


@shared_task(name="network_meetings.tasks.deliver_pending_dispatches")
def deliver_pending_dispatches() -> int:
    """Sends what a lost task left behind: the database, not the broker, knows what is owed."""
    from network_meetings.services import pending_dispatch_ids

    ids = pending_dispatch_ids(older_than=datetime.timedelta(minutes=10))
    if ids:
        deliver_dispatches.delay(ids)
    return len(ids)


@shared_task(name="network_meetings.tasks.release_unbooked_slots")
def release_unbooked_slots() -> int:
    """Release the fixed meeting slots nobody booked within their week."""
    from network_meetings.services import release_unbooked_slots as release

    return release()
