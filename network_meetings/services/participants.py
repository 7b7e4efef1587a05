"""The participants of a meeting, from the form or from the child's network map."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.permissions import Action, require
from network_meetings.models import (
    NetworkMapPerson,
    NetworkMeeting,
    Participant,
)
from network_meetings.services.common import (
    FAMILY_FUNCTIONS,
    anonymous_safe_name,
    check_participant_texts,
    refuse_if_closed,
    save_valid,
)


@transaction.atomic
def participant_add(
    *,
    meeting: NetworkMeeting,
    by,
    function: str,
    name: str = "",
    organisation: str = "",
    user=None,
    email: str = "",
    phone: str = "",
) -> Participant:
    require(by, Action.EDIT_MEETING, meeting)
    refuse_if_closed(meeting)
    if user is not None:
        if user.municipality_id != meeting.municipality_id:
            raise ValidationError({"user": _("Medarbejderen hører til en anden kommune.")})
        name = name or user.get_full_name() or user.username
        email = email or user.email
        phone = phone or user.phone
        organisation = organisation or (user.municipality.name if user.municipality_id else "")
    participant = Participant(
        meeting=meeting,
        function=function,
        name=name,
        organisation=organisation,
        user=user,
        email=email,
        phone=phone,
    )
    check_participant_texts(participant)
    save_valid(participant)
    return participant


@transaction.atomic
def participant_update(*, participant: Participant, by, **fields) -> Participant:
    require(by, Action.EDIT_MEETING, participant.meeting)
    refuse_if_closed(participant.meeting)
    allowed = {"function", "name", "organisation", "email", "phone"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"participant_update does not change {sorted(unknown)}")
    for field, value in fields.items():
        setattr(participant, field, value)
    check_participant_texts(participant)
    save_valid(participant)
    return participant


@transaction.atomic
def participant_set_status(*, participant: Participant, by, status: str, attended: bool | None = None):
    """Record an answer (kommer / afbud), or that someone was invited by letter or phone."""
    require(by, Action.EDIT_MEETING, participant.meeting)
    refuse_if_closed(participant.meeting)
    if status not in Participant.InvitationStatus.values:
        raise ValidationError({"invitation_status": _("Vælg en gyldig status.")})
    participant.invitation_status = status
    participant.invitation_status_at = timezone.now()
    save_valid(participant)
    return participant


@transaction.atomic
def participant_remove(*, participant: Participant, by) -> None:
    """Remove someone added by mistake; an invited participant stays (record their "afbud")."""
    require(by, Action.EDIT_MEETING, participant.meeting)
    refuse_if_closed(participant.meeting)
    if participant.dispatches.exists() or participant.was_invited:
        raise ValidationError(
            _(
                "Deltageren er inviteret og kan ikke fjernes. Registrér i stedet, at vedkommende har meldt afbud."
            )
        )
    if participant.agreements.exists():
        raise ValidationError(_("Deltageren er ansvarlig for en aftale og kan ikke fjernes."))
    participant.delete()


@transaction.atomic
def participants_from_network_map(
    *, meeting: NetworkMeeting, by, people: Iterable[NetworkMapPerson]
) -> tuple[list[Participant], int]:
    """Invite people from the child's network map. Returns the new participants and how many
    names were left out because they would name the child on an anonymous meeting."""
    require(by, Action.EDIT_MEETING, meeting)
    refuse_if_closed(meeting)
    added, omitted = [], 0
    taken_users = set(meeting.participants.exclude(user=None).values_list("user_id", flat=True))
    for person in people:
        if person.network_map.child_id != meeting.child_id:
            raise ValidationError(_("Personen står på et andet barns netværkskort."))
        if person.user_id and person.user_id in taken_users:
            continue
        function = PARTICIPANT_FUNCTION_OF_MAP_KIND[person.kind]
        name = anonymous_safe_name(meeting, person.name, function)
        omitted += name != person.name
        participant = Participant(
            meeting=meeting,
            function=function,
            name=name,
            organisation=person.relation if function not in FAMILY_FUNCTIONS else "",
            user=person.user,
            email=person.email,
            phone=person.phone,
        )
        check_participant_texts(participant)
        save_valid(participant)
        added.append(participant)
        if person.user_id:
            taken_users.add(person.user_id)
    return added, omitted


PARTICIPANT_FUNCTION_OF_MAP_KIND = {
    NetworkMapPerson.Kind.PARENT: Participant.Function.PARENT,
    NetworkMapPerson.Kind.SIBLING: Participant.Function.OWN_NETWORK,
    NetworkMapPerson.Kind.FAMILY: Participant.Function.OWN_NETWORK,
    NetworkMapPerson.Kind.FRIEND: Participant.Function.OWN_NETWORK,
    NetworkMapPerson.Kind.SCHOOL: Participant.Function.TEACHER,
    NetworkMapPerson.Kind.PSYCHOLOGIST: Participant.Function.PSYCHOLOGIST,
    NetworkMapPerson.Kind.HEALTH_VISITOR: Participant.Function.HEALTH_VISITOR,
    NetworkMapPerson.Kind.ADVISOR: Participant.Function.ADVISOR,
    NetworkMapPerson.Kind.PROFESSIONAL: Participant.Function.OTHER,
}
