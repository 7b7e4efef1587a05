"""The team leader's daily digest of escalations (docs/deadlines.md, "Reminders").

A missed deadline escalates to the team leaders of its team (``followups.sweep``). One mail per
escalation floods a leader whose team is behind, so by default an escalation waits
(``Reminder.EmailState.DIGEST``) and once a day each leader gets one mail per team: the escalations
not yet digested, grouped by advisor and child with the oldest overdue deadline first
(``followups.selectors.group_escalations``, which the in-app list uses too). A person who chose
immediate mails (``ReminderSettings``) gets them one by one from the outbox as before.

Safe to run twice: per (person, team) the ``EscalationDigest`` row, the reminders marked as sent in
it and the access-log entries are written in the transaction that sends the mail, and there is at
most one digest per (person, team, day). A second run the same day finds nothing left to send; an
escalation that arrives after the day's digest waits for tomorrow's. A worker killed between
sending and committing leaves everything as it was, and the mail goes out again (at least once, as
the reminders' outbox).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from followups import wording
from followups.models import EscalationDigest, Reminder
from followups.selectors import TeamEscalations, group_escalations, led_teams
from herning.audit.models import AccessLog
from herning.audit.services import log_children_read
from herning.organisation.models import User

logger = logging.getLogger("herning.followups")


class DigestsFailed(Exception):
    """Some digests could not be sent; the task is retried and sends only what is still waiting."""


def render(group: TeamEscalations, *, recipient, now: datetime.datetime) -> EmailMultiAlternatives:
    """The digest of one team's escalations to ``recipient``; days overdue counted at ``now``."""
    with translation.override(settings.LANGUAGE_CODE):
        advisors = [
            {
                "advisor": advisor.advisor,
                "count": advisor.count,
                "children": [
                    {
                        "child": child.child,
                        "lines": [
                            {
                                "deadline": line.deadline,
                                "kind_label": line.deadline.get_kind_display(),
                                "when": wording.when(line.deadline, now),
                                "measure_name": line.measure_name,
                                "url": settings.BASE_URL + line.path,
                            }
                            for line in child.lines
                        ],
                    }
                    for child in advisor.children
                ],
            }
            for advisor in group.advisors
        ]
        context = {
            "recipient": recipient,
            "team": group.team,
            "count": group.count,
            "advisors": advisors,
            "day": timezone.localdate(now),
            "reminders_url": settings.BASE_URL + reverse("followups:reminders"),
        }
        subject = " ".join(render_to_string("emails/followups/digest_subject.txt", context).split())
        text = render_to_string("emails/followups/digest.txt", context)
        html = render_to_string("emails/followups/digest.html", context)
    message = EmailMultiAlternatives(
        subject=settings.EMAIL_SUBJECT_PREFIX + subject,
        body=text,
        to=[recipient.email],
    )
    message.attach_alternative(html, "text/html")
    return message


def send_digests(*, now: datetime.datetime | None = None) -> int:
    """Send each team leader one mail per team with the escalations waiting for the digest;
    returns how many mails were sent. Raises ``DigestsFailed`` after trying everyone if a mail
    could not be sent (what was sent stays sent)."""
    now = now or timezone.now()
    recipients = sorted(
        set(
            Reminder.objects.for_system()
            .filter(email_state=Reminder.EmailState.DIGEST, recipient__is_active=True)
            .values_list("recipient_id", flat=True)
        )
    )
    connection = get_connection()
    sent = failed = 0
    for recipient_id in recipients:
        done, errors = _send_to(recipient_id, now=now, connection=connection)
        sent += done
        failed += errors
    if failed:
        raise DigestsFailed(f"{failed} digest(s) could not be sent")
    return sent


def _send_to(recipient_id: int, *, now: datetime.datetime, connection) -> tuple[int, int]:
    today = timezone.localdate(now)
    with transaction.atomic():
        waiting = list(
            Reminder.objects.for_system()
            .filter(recipient_id=recipient_id, email_state=Reminder.EmailState.DIGEST)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("deadline", "deadline__case", "deadline__case__child", "deadline__responsible")
        )
        if not waiting:
            return 0, 0
        stale = {r.pk for r in waiting if not r.deadline.is_open or r.deadline.due_on != r.due_on}
        if stale:
            # Met or moved before the digest went out: no noise (as the one-by-one mails).
            Reminder.objects.for_system().filter(pk__in=stale).update(
                email_state=Reminder.EmailState.OBSOLETE
            )
        live = [r for r in waiting if r.pk not in stale]
        if not live:
            return 0, 0
        recipient = User.objects.get(pk=recipient_id)
        if not recipient.email:
            Reminder.objects.for_system().filter(pk__in=[r.pk for r in live]).update(
                email_state=Reminder.EmailState.NO_ADDRESS
            )
            return 0, 0
        done_today = set(
            EscalationDigest.objects.filter(recipient_id=recipient_id, sent_on=today).values_list(
                "team_id", flat=True
            )
        )
        sent = failed = 0
        for group in group_escalations(live, led=led_teams([recipient_id]).get(recipient_id, [])):
            team_id = group.team.pk if group.team else None
            if team_id in done_today:
                continue  # this team's digest went out today; these wait for tomorrow's
            try:
                with transaction.atomic():
                    _send_one(group, recipient=recipient, now=now, today=today, connection=connection)
                sent += 1
            except IntegrityError:
                # Another run sent this team's digest a moment ago.
                continue
            except Exception as exc:
                failed += 1
                logger.warning(
                    "The escalation digest to person %s for team %s could not be sent: %s",
                    recipient_id,
                    team_id,
                    type(exc).__name__,
                )
        return sent, failed


def _send_one(group: TeamEscalations, *, recipient, now, today, connection) -> None:
    digest = EscalationDigest.objects.create(recipient=recipient, team=group.team, sent_on=today, sent_at=now)
    Reminder.objects.for_system().filter(pk__in=[r.pk for r in group.reminders]).update(
        digest=digest, email_state=Reminder.EmailState.SENT, email_sent_at=now
    )
    children = {c.pk: c for c in group.children}.values()
    log_children_read(
        user=recipient,
        children=children,
        channel=AccessLog.Channel.EMAIL,
        purpose=_("Daglig mail om overskredne frister"),
        what=str(group.team or ""),
    )
    message = render(group, recipient=recipient, now=now)
    message.connection = connection
    # Sent last: if it fails, the savepoint undoes the rows above and the escalations keep waiting.
    message.send()
