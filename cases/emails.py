"""Short notices to staff about a case: a new notification, an assessment made.

A notice names the case by its number and links to it; it never carries the child's name or CPR
number (an e-mail may be read anywhere). It is sent after the transaction commits, and a mail
server that fails is logged without stopping the work that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

logger = logging.getLogger(__name__)


def case_url(case) -> str:
    return settings.BASE_URL + reverse("cases:case_detail", args=[case.pk])


def notify_after_commit(*, recipients: Iterable, subject: str, body: str) -> None:
    """Send ``subject``/``body`` to each recipient with an e-mail address, after commit."""
    addresses = sorted({u.email for u in recipients if u is not None and u.email})
    if not addresses:
        return

    def send():
        try:
            send_mail(str(subject), str(body), None, addresses)
        except Exception:  # a mail server that is down must not undo or break the case work
            logger.exception("Could not send a case notice to %d recipient(s)", len(addresses))

    transaction.on_commit(send)
