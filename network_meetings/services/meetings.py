"""Network meetings: planning, a follow-up meeting, changes, roles and cancelling."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import obligations
from cases.models import Case, Child
from cases.permissions import Action, require
from network_meetings import anonymity
from network_meetings.models import (
    Dispatch,
    MeetingSlot,
    NetworkMeeting,
    Participant,
)
from network_meetings.services.common import (
    CALENDAR_FIELDS,
    DEFAULT_PROCEDURE,
    MEETING_FIELDS,
    MEETING_TIME_FIELDS,
    anonymous_safe_name,
    check_meeting_texts,
    check_participant_texts,
    function_of,
    meeting_team,
    refuse_if_closed,
    save_valid,
)
from network_meetings.services.documents import create_dispatches, deliver_after_commit
from network_meetings.services.slots import slot_book, slot_unbook


@transaction.atomic
def meeting_plan(
    *,
    child: Child,
    planned_by,
    kind: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    place: str,
    purpose: str,
    reason: str,
    initiator_name: str,
    initiator_function: str,
    contact_name: str,
    contact_phone: str,
    contact_email: str = "",
    agenda: str = "",
    agenda_made_with_parents: bool = False,
    procedure: str = "",
    initiator_user=None,
    concern_noted_on: datetime.date | None = None,
    slot: MeetingSlot | None = None,
    previous_meeting: NetworkMeeting | None = None,
) -> NetworkMeeting:
    """Plan a meeting about ``child``: on the child's open case if there is one, else on the child.

    The planner takes part and chairs until someone else is chosen. With ``slot`` the meeting
    takes the slot's time (and place, unless one is given) and books it. Refused unless
    ``planned_by`` may plan meetings (``Action.PLAN_MEETING``).
    """
    arguments = dict(locals())
    require(planned_by, Action.PLAN_MEETING)
    return _plan(**arguments)


def _plan(*, child: Child, planned_by, slot: MeetingSlot | None = None, **fields) -> NetworkMeeting:
    """``meeting_plan`` once the planner is known to be allowed (a follow-up meeting is planned by
    whoever may change the previous one)."""
    case = Case.objects.for_system().open().filter(child=child).select_related("team").first()
    if slot is not None:
        fields.update(starts_at=slot.starts_at, ends_at=slot.ends_at, place=fields["place"] or slot.place)
    fields["procedure"] = fields.get("procedure") or str(DEFAULT_PROCEDURE.get(fields["kind"], ""))
    meeting = NetworkMeeting(
        municipality_id=child.municipality_id,
        child=child,
        case=case,
        team=meeting_team(child=child, case=case, planner=planned_by),
        created_by=planned_by,
        **fields,
    )
    starts_at, concern_noted_on = meeting.starts_at, meeting.concern_noted_on
    if concern_noted_on and starts_at and concern_noted_on > timezone.localtime(starts_at).date():
        raise ValidationError({"concern_noted_on": _("Bekymringen kan ikke være opstået efter mødet.")})
    check_meeting_texts(meeting)
    save_valid(meeting)
    planner = Participant(
        meeting=meeting,
        function=function_of(planned_by),
        name=planned_by.get_full_name() or planned_by.username,
        organisation=planned_by.municipality.name if planned_by.municipality_id else "",
        user=planned_by,
        email=planned_by.email,
        phone=planned_by.phone,
    )
    save_valid(planner)
    # The planner chairs: one act of planning, so one history row. The chair is a participant,
    # which needs the meeting's id first; the chair is written without a second row, and the
    # meeting's opening row (this transaction's) is brought to it. The change feed needs no row of
    # its own either: the meeting's "created" row, written by this transaction, stands for it.
    meeting.chair = planner
    meeting.save_without_historical_record(update_fields=["chair", "updated_at"])
    meeting.history.filter(history_type="+").update(chair=planner, updated_at=meeting.updated_at)
    if slot is not None:
        slot_book(slot=slot, meeting=meeting, by=planned_by)
    return meeting


@transaction.atomic
def meeting_plan_follow_up(
    *, previous: NetworkMeeting, planned_by, starts_at, ends_at, place: str, slot: MeetingSlot | None = None
) -> NetworkMeeting:
    """Plan the next meeting: same child, kind, purpose and participants; its agenda lists the open
    agreements of ``previous`` (Herningmodellen 1.0: follow up on what was agreed). Planned by
    whoever may change ``previous`` (``Action.EDIT_MEETING``)."""
    require(planned_by, Action.EDIT_MEETING, previous)
    if previous.is_cancelled:
        raise ValidationError(_("Et aflyst møde kan ikke følges op."))
    meeting = _plan(
        child=previous.child,
        planned_by=planned_by,
        kind=previous.kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        purpose=previous.purpose,
        reason=_("Opfølgning på aftalerne fra mødet den %(date)s.")
        % {"date": timezone.localtime(previous.starts_at).strftime("%d.%m.%Y")},
        agenda=_("Opfølgning på aftalerne fra sidste møde."),
        procedure=previous.procedure,
        initiator_name=previous.initiator_name,
        initiator_function=previous.initiator_function,
        initiator_user=previous.initiator_user,
        contact_name=previous.contact_name,
        contact_phone=previous.contact_phone,
        contact_email=previous.contact_email,
        concern_noted_on=previous.concern_noted_on,
        previous_meeting=previous,
        slot=slot,
    )
    for old in previous.participants.all():
        if old.user_id == planned_by.pk:
            continue
        participant = Participant(
            meeting=meeting,
            function=old.function,
            name=anonymous_safe_name(meeting, old.name, old.function),
            organisation=old.organisation,
            user=old.user,
            email=old.email,
            phone=old.phone,
        )
        check_participant_texts(participant)
        save_valid(participant)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: NetworkMeeting, by, **fields) -> NetworkMeeting:
    """Change what was planned. A new time or place makes the sent invitations out of date: the
    calendar version goes up and participants are to be invited again."""
    meeting = NetworkMeeting.objects.for_system().select_for_update().get(pk=meeting.pk)
    require(by, Action.EDIT_MEETING, meeting)
    refuse_if_closed(meeting)
    allowed = {*MEETING_FIELDS, *MEETING_TIME_FIELDS, "initiator_user"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"meeting_update does not change {sorted(unknown)}")
    if "procedure" in fields and not fields["procedure"]:
        fields["procedure"] = str(DEFAULT_PROCEDURE.get(fields.get("kind", meeting.kind), ""))
    changed = {f for f, v in fields.items() if getattr(meeting, f) != v}
    for field, value in fields.items():
        setattr(meeting, field, value)
    check_meeting_texts(meeting)
    moved = changed & CALENDAR_FIELDS
    if moved:
        meeting.sequence += 1
        invited = list(
            meeting.participants.exclude(invitation_status=Participant.InvitationStatus.NOT_INVITED)
        )
        for participant in invited:
            participant.invitation_status = Participant.InvitationStatus.NOT_INVITED
            participant.invitation_status_at = timezone.now()
            participant.save(update_fields=["invitation_status", "invitation_status_at"])
        slot = MeetingSlot.objects.for_system().filter(meeting=meeting).first()
        if slot is not None and (slot.starts_at, slot.ends_at) != (meeting.starts_at, meeting.ends_at):
            slot_unbook(slot)
    save_valid(meeting)
    return meeting


@transaction.atomic
def meeting_set_roles(
    *, meeting: NetworkMeeting, by, chair: Participant | None, minute_taker: Participant | None
):
    """Choose the chair (mødeleder) and the minute-taker (referent) among the participants."""
    meeting = NetworkMeeting.objects.for_system().select_for_update().get(pk=meeting.pk)
    require(by, Action.EDIT_MEETING, meeting)
    refuse_if_closed(meeting)
    meeting.chair, meeting.minute_taker = chair, minute_taker
    save_valid(meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: NetworkMeeting, by, note: str = "") -> NetworkMeeting:
    """Cancel; everyone who was sent an invitation is sent a cancellation of the calendar entry."""
    meeting = NetworkMeeting.objects.for_system().select_for_update().get(pk=meeting.pk)
    require(by, Action.EDIT_MEETING, meeting)
    refuse_if_closed(meeting)
    anonymity.check_texts(meeting=meeting, texts={"cancellation_note": note})
    meeting.status = NetworkMeeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.cancellation_note = note
    meeting.sequence += 1
    save_valid(meeting)
    invited = {
        d.participant
        for d in meeting.dispatches.filter(kind=Dispatch.Kind.INVITATION).select_related("participant")
    }
    dispatches = create_dispatches(
        meeting=meeting,
        participants=[p for p in invited if p.email],
        kind=Dispatch.Kind.CANCELLATION,
        by=by,
    )
    slot = MeetingSlot.objects.for_system().filter(meeting=meeting).first()
    if slot is not None:
        slot_unbook(slot)
    obligations.changed("agreement", meeting.agreements.values_list("pk", flat=True))
    deliver_after_commit(dispatches)
    return meeting
