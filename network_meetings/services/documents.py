"""Invitations, minutes and agreements, and the e-mails that carry them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import obligations
from cases.permissions import Action, require
from herning.audit.models import AccessLog
from herning.audit.services import log_child_read
from network_meetings import anonymity
from network_meetings.models import (
    Agreement,
    Dispatch,
    Minutes,
    NetworkMeeting,
    Participant,
)
from network_meetings.services.common import refuse_if_closed, save_valid


def create_dispatches(*, meeting: NetworkMeeting, participants: Iterable[Participant], kind: str, by):
    sequence = meeting.sequence if kind != Dispatch.Kind.MINUTES else 0
    done = set(
        Dispatch.objects.for_system()
        .filter(meeting=meeting, kind=kind, sequence=sequence)
        .values_list("participant_id", flat=True)
    )
    dispatches = []
    for participant in participants:
        if participant.pk in done or not participant.email:
            continue
        dispatch = Dispatch(
            meeting=meeting,
            participant=participant,
            kind=kind,
            sequence=sequence,
            email=participant.email,
            created_by=by,
        )
        save_valid(dispatch)
        dispatches.append(dispatch)
    return dispatches


def deliver_after_commit(dispatches: list[Dispatch]) -> None:
    if not dispatches:
        return
    from network_meetings.tasks import deliver_dispatches

    transaction.on_commit(partial(deliver_dispatches.delay, [d.pk for d in dispatches]))


@transaction.atomic
def invitation_send(*, meeting: NetworkMeeting, by) -> list[Dispatch]:
    """E-mail the invitation with a calendar entry to every participant with an e-mail address who
    has not been sent this version of it. Those without one are invited by letter or phone, and
    their status is set by hand."""
    meeting = (
        NetworkMeeting.objects.for_system().select_for_update().select_related("child").get(pk=meeting.pk)
    )
    require(by, Action.EDIT_MEETING, meeting)
    refuse_if_closed(meeting)
    if meeting.ends_at <= timezone.now():
        raise ValidationError(_("Mødet er overstået; ret tidspunktet, før du inviterer."))
    participants = list(meeting.participants.all())
    dispatches = create_dispatches(
        meeting=meeting, participants=participants, kind=Dispatch.Kind.INVITATION, by=by
    )
    now = timezone.now()
    for dispatch in dispatches:
        participant = dispatch.participant
        if participant.invitation_status == Participant.InvitationStatus.NOT_INVITED:
            participant.invitation_status = Participant.InvitationStatus.INVITED
            participant.invitation_status_at = now
            participant.save(update_fields=["invitation_status", "invitation_status_at"])
    if dispatches:
        log_child_read(
            user=by,
            child=meeting.child,
            case=meeting.case,
            channel=AccessLog.Channel.EMAIL,
            purpose=_("Invitation til netværksmøde sendt"),
            what=f"network_meeting:{meeting.pk}",
        )
    deliver_after_commit(dispatches)
    return dispatches


def _minutes_for(meeting: NetworkMeeting, by) -> Minutes:
    minutes = Minutes.objects.for_system().select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        minutes = Minutes(meeting=meeting, written_by=by)
    if minutes.is_sent:
        raise ValidationError(_("Referatet er sendt og kan ikke ændres."))
    return minutes


@transaction.atomic
def minutes_save(
    *,
    meeting: NetworkMeeting,
    by,
    concerns: str,
    working: str,
    want_to_see: str,
    attended: Iterable[Participant] | None = None,
) -> Minutes:
    """Write the minutes with the template's sections: Bekymringer, Fungerer, Hvad vil vi se ske
    (the fourth, Aftaler og løsninger, is the agreements); ``attended`` is "På mødet deltog"."""
    meeting = (
        NetworkMeeting.objects.for_system().select_for_update().select_related("child").get(pk=meeting.pk)
    )
    require(by, Action.EDIT_MEETING, meeting)
    refuse_if_closed(meeting)
    minutes = _minutes_for(meeting, by)
    minutes.concerns, minutes.working, minutes.want_to_see = concerns, working, want_to_see
    anonymity.check_texts(
        meeting=meeting, texts={"concerns": concerns, "working": working, "want_to_see": want_to_see}
    )
    save_valid(minutes)
    if attended is not None:
        present = {p.pk for p in attended}
        for participant in meeting.participants.all():
            if participant.attended != (participant.pk in present):
                participant.attended = participant.pk in present
                participant.save(update_fields=["attended"])
    return minutes


@transaction.atomic
def agreement_add(
    *, meeting: NetworkMeeting, by, text: str, owner: Participant, due_on: datetime.date
) -> Agreement:
    """An agreement with its owner (a participant) and date. When the owner is staff, the agreement
    is theirs to remember (``owner_user``; the reminder engine reads it)."""
    meeting = (
        NetworkMeeting.objects.for_system().select_for_update().select_related("child").get(pk=meeting.pk)
    )
    require(by, Action.EDIT_MEETING, meeting)
    refuse_if_closed(meeting)
    _minutes_for(meeting, by)
    agreement = Agreement(meeting=meeting, text=text, owner=owner, owner_user_id=owner.user_id, due_on=due_on)
    anonymity.check_texts(meeting=meeting, texts={"text": text})
    save_valid(agreement)
    obligations.changed("agreement", [agreement.pk])
    return agreement


@transaction.atomic
def agreement_remove(*, agreement: Agreement, by) -> None:
    """Take back an agreement written by mistake, while the minutes are not sent."""
    meeting = agreement.meeting
    require(by, Action.EDIT_MEETING, meeting)
    refuse_if_closed(meeting)
    _minutes_for(meeting, by)
    agreement.done_at = timezone.now()  # the deletion's history row says when it was taken back
    agreement_pk = agreement.pk
    agreement.delete()
    obligations.changed("agreement", [agreement_pk])


@transaction.atomic
def agreement_mark_done(*, agreement: Agreement, by, note: str = "") -> Agreement:
    """Its owner, or whoever may change the meeting, marks the agreement done."""
    agreement = (
        Agreement.objects.for_system()
        .select_for_update()
        .select_related("meeting__child")
        .get(pk=agreement.pk)
    )
    require(by, Action.MARK_AGREEMENT_DONE, agreement)
    if agreement.is_done:
        raise ValidationError(_("Aftalen er allerede markeret som udført."))
    anonymity.check_texts(meeting=agreement.meeting, texts={"done_note": note})
    agreement.done_at = timezone.now()
    agreement.done_by = by
    agreement.done_note = note
    save_valid(agreement)
    obligations.changed("agreement", [agreement.pk])
    return agreement


@transaction.atomic
def minutes_send(*, meeting: NetworkMeeting, by) -> list[Dispatch]:
    """Send the decision minutes to everyone invited (Herningmodellen 1.0: "At udfærdige og sende et
    beslutningsreferat til alle inviterede efter mødet"); the meeting is then held and the minutes
    read-only."""
    meeting = (
        NetworkMeeting.objects.for_system().select_for_update().select_related("child").get(pk=meeting.pk)
    )
    require(by, Action.EDIT_MEETING, meeting)
    refuse_if_closed(meeting)
    minutes = Minutes.objects.for_system().select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        raise ValidationError(_("Skriv referatet, før det sendes."))
    if minutes.is_sent:
        raise ValidationError(_("Referatet er allerede sendt."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("Referatet kan først sendes, når mødet er begyndt."))
    minutes.sent_at = timezone.now()
    minutes.sent_by = by
    save_valid(minutes)
    meeting.status = NetworkMeeting.Status.HELD
    save_valid(meeting)
    recipients = [p for p in meeting.participants.all() if p.was_invited or p.attended]
    dispatches = create_dispatches(
        meeting=meeting, participants=recipients, kind=Dispatch.Kind.MINUTES, by=by
    )
    if dispatches:
        log_child_read(
            user=by,
            child=meeting.child,
            case=meeting.case,
            channel=AccessLog.Channel.EMAIL,
            purpose=_("Referat af netværksmøde sendt"),
            what=f"network_meeting:{meeting.pk}",
        )
    deliver_after_commit(dispatches)
    return dispatches


def dispatch_deliver(*, dispatch_id: int) -> bool:
    """Send one e-mail if it has not been sent; True if it was sent now. At least once: a crash
    between sending and recording sends it again rather than never."""
    from network_meetings.documents import email_for

    with transaction.atomic():
        dispatch = (
            Dispatch.objects.for_system()
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("meeting__child", "participant", "created_by")
            .filter(pk=dispatch_id, sent_at__isnull=True)
            .first()
        )
        if dispatch is None:
            return False
        email_for(dispatch).send()
        dispatch.sent_at = timezone.now()
        dispatch._history_user = dispatch.created_by  # a background task names who caused the change
        dispatch.save(update_fields=["sent_at"])
    return True


def pending_dispatch_ids(*, older_than: datetime.timedelta) -> list[int]:
    """E-mails ordered but not sent (a lost task, a broker outage): the sweep sends them."""
    cutoff = timezone.now() - older_than
    return list(
        Dispatch.objects.for_system()
        .filter(sent_at__isnull=True, created_at__lte=cutoff)
        .values_list("pk", flat=True)
    )


def minutes_recipients_without_email(meeting: NetworkMeeting) -> list[Participant]:
    """The invited who get the minutes by hand (no e-mail address)."""
    return [p for p in meeting.participants.all() if (p.was_invited or p.attended) and not p.email]
