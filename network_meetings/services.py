"""Writes for network meetings, network maps and meeting slots.

Keyword-only, ``full_clean()`` before save, one transaction each; e-mail goes out after commit in
a Celery task (``tasks.deliver_dispatches``). Who may call a service is checked by the views
(``selectors.can_edit_meeting`` and friends); what the data must satisfy is checked here, the
consent gate included (``anonymity.check_texts``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from cases.models import Case, Child, Investigation, Relation
from herning.audit.models import AccessLog
from herning.audit.services import log_child_read
from herning.organisation.models import Role, Team
from network_meetings import anonymity
from network_meetings.models import (
    Agreement,
    Consent,
    Dispatch,
    MeetingSlot,
    Minutes,
    NetworkMap,
    NetworkMapPerson,
    NetworkMeeting,
    Participant,
)
from network_meetings.signals import agreement_changed

# 001 compendium, "Netværksmøder og inddragende netværksmøder": "Hvis man inden for én uge ikke er
# indkaldt, kan man for nuværende selv disponere over tiden". Each slot stores its own
# ``release_at``, so an administrator can hold a single slot longer in the admin.
SLOT_RELEASE_AFTER = datetime.timedelta(days=7)

# The fields of a meeting a planner fills in, and which of them the consent gate checks for the
# child's name (the others hold a professional's own name and are checked for CPR numbers only).
MEETING_TEXT_FIELDS = ("place", "purpose", "reason", "agenda", "procedure")
MEETING_PROFESSIONAL_FIELDS = ("initiator_name", "initiator_function", "contact_name")
# Participants from the family's side are named in relation to the child; a professional's name is
# their own (see anonymity.check_texts).
FAMILY_FUNCTIONS = frozenset(
    {Participant.Function.CHILD, Participant.Function.PARENT, Participant.Function.OWN_NETWORK}
)
CALENDAR_FIELDS = frozenset({"starts_at", "ends_at", "place"})

# How a meeting runs, from the 001 compendium ("At afholde et netværksmøde indebærer som minimum"
# and the involving meeting's minutes template); the planner may write their own.
DEFAULT_PURPOSE = gettext_lazy(
    "Formålet med mødet er at samle de voksne, der kender barnet, og sammen aftale det videre forløb."
)
DEFAULT_PROCEDURE = {
    NetworkMeeting.Kind.NETWORK: gettext_lazy(
        "Mødelederen byder velkommen og fortæller om mødets formål og tidsramme. Vi tager en "
        "præsentationsrunde, hvor alle siger navn og funktion. Forældrene og barnet er med i hele "
        "samtalen. Vi slutter i god tid med en opsummering af aftalerne, og alle kan kommentere dem."
    ),
    NetworkMeeting.Kind.INVOLVING: gettext_lazy(
        "Mødelederen byder velkommen og fortæller om mødets formål og tidsramme. Vi tager en "
        "præsentationsrunde, hvor alle siger navn og funktion. Vi taler om, hvad vi er bekymrede for, "
        "hvad der fungerer, og hvad vi gerne vil se ske. Vi slutter med aftaler og løsninger: hvem gør "
        "hvad, og hvornår."
    ),
}


def _save(instance) -> None:
    instance.full_clean()
    instance.save()


def _refuse_if_closed(meeting: NetworkMeeting) -> None:
    """A cancelled meeting, and a held one whose minutes are sent, are kept as they were."""
    if meeting.is_cancelled:
        raise ValidationError(_("Mødet er aflyst og kan ikke ændres."))
    if meeting.status == NetworkMeeting.Status.HELD:
        raise ValidationError(_("Mødet er afholdt, og referatet er sendt; det kan ikke ændres."))


def _check_meeting_texts(meeting: NetworkMeeting) -> None:
    fields = MEETING_TEXT_FIELDS + MEETING_PROFESSIONAL_FIELDS
    anonymity.check_texts(
        meeting=meeting,
        texts={f: getattr(meeting, f) for f in fields},
        cpr_only=MEETING_PROFESSIONAL_FIELDS,
    )


def _check_participant_texts(participant: Participant) -> None:
    family = participant.function in FAMILY_FUNCTIONS and participant.user_id is None
    anonymity.check_texts(
        meeting=participant.meeting,
        texts={"name": participant.name, "organisation": participant.organisation},
        cpr_only=() if family else ("name", "organisation"),
    )


def _anonymous_safe_name(meeting: NetworkMeeting, name: str, function: str) -> str:
    """A family-side name that would name the child on an anonymous meeting is left out."""
    if anonymity.contains_cpr(name):
        return ""
    if (
        function in FAMILY_FUNCTIONS
        and meeting.is_anonymous
        and anonymity.contains_child_name(name, meeting.child)
    ):
        return ""
    return name


def _function_of(user) -> str:
    if user.has_role(Role.PSYCHOLOGIST):
        return Participant.Function.PSYCHOLOGIST
    if user.has_role(Role.HEALTH_VISITOR):
        return Participant.Function.HEALTH_VISITOR
    if user.has_role(Role.ADVISOR, Role.DUTY_ADVISOR):
        return Participant.Function.ADVISOR
    return Participant.Function.OTHER


def _meeting_team(*, child: Child, case: Case | None, planner) -> Team:
    if case is not None:
        return case.team
    from network_meetings.selectors import MEETING_ROLES

    own = planner.teams_for(*MEETING_ROLES)
    for team in own:
        if team.district_id == child.district_id:
            return team
    team = Team.objects.filter(district_id=child.district_id).order_by("pk").first()
    if team is None:
        raise ValidationError(_("Barnets distrikt har intet team, som mødet kan høre til."))
    return team


# --- Meetings ---------------------------------------------------------------------------------


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
    takes the slot's time (and place, unless one is given) and books it.
    """
    case = Case.objects.open().filter(child=child).select_related("team").first()
    if slot is not None:
        starts_at, ends_at = slot.starts_at, slot.ends_at
        place = place or slot.place
    meeting = NetworkMeeting(
        municipality_id=child.municipality_id,
        child=child,
        case=case,
        team=_meeting_team(child=child, case=case, planner=planned_by),
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        purpose=purpose,
        reason=reason,
        agenda=agenda,
        agenda_made_with_parents=agenda_made_with_parents,
        procedure=procedure or str(DEFAULT_PROCEDURE.get(kind, "")),
        initiator_name=initiator_name,
        initiator_function=initiator_function,
        initiator_user=initiator_user,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        concern_noted_on=concern_noted_on,
        previous_meeting=previous_meeting,
        created_by=planned_by,
    )
    if concern_noted_on and starts_at and concern_noted_on > timezone.localtime(starts_at).date():
        raise ValidationError({"concern_noted_on": _("Bekymringen kan ikke være opstået efter mødet.")})
    _check_meeting_texts(meeting)
    _save(meeting)
    planner = Participant(
        meeting=meeting,
        function=_function_of(planned_by),
        name=planned_by.get_full_name() or planned_by.username,
        organisation=planned_by.municipality.name if planned_by.municipality_id else "",
        user=planned_by,
        email=planned_by.email,
        phone=planned_by.phone,
    )
    _save(planner)
    meeting.chair = planner
    meeting.save(update_fields=["chair", "updated_at"])
    if slot is not None:
        slot_book(slot=slot, meeting=meeting, by=planned_by)
    return meeting


@transaction.atomic
def meeting_plan_follow_up(
    *, previous: NetworkMeeting, planned_by, starts_at, ends_at, place: str, slot: MeetingSlot | None = None
) -> NetworkMeeting:
    """Plan the next meeting: same child, kind, purpose and participants; its agenda lists the open
    agreements of ``previous`` (001 compendium: follow up on what was agreed)."""
    if previous.is_cancelled:
        raise ValidationError(_("Et aflyst møde kan ikke følges op."))
    meeting = meeting_plan(
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
            name=_anonymous_safe_name(meeting, old.name, old.function),
            organisation=old.organisation,
            user=old.user,
            email=old.email,
            phone=old.phone,
        )
        _check_participant_texts(participant)
        _save(participant)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: NetworkMeeting, by, **fields) -> NetworkMeeting:
    """Change what was planned. A new time or place makes the sent invitations out of date: the
    calendar version goes up and participants are to be invited again."""
    meeting = NetworkMeeting.objects.select_for_update().get(pk=meeting.pk)
    _refuse_if_closed(meeting)
    allowed = set(MEETING_TEXT_FIELDS + MEETING_PROFESSIONAL_FIELDS) | {
        "kind",
        "starts_at",
        "ends_at",
        "agenda_made_with_parents",
        "contact_phone",
        "contact_email",
        "concern_noted_on",
        "initiator_user",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"meeting_update does not change {sorted(unknown)}")
    if "procedure" in fields and not fields["procedure"]:
        fields["procedure"] = str(DEFAULT_PROCEDURE.get(fields.get("kind", meeting.kind), ""))
    changed = {f for f, v in fields.items() if getattr(meeting, f) != v}
    for field, value in fields.items():
        setattr(meeting, field, value)
    _check_meeting_texts(meeting)
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
        slot = MeetingSlot.objects.filter(meeting=meeting).first()
        if slot is not None and (slot.starts_at, slot.ends_at) != (meeting.starts_at, meeting.ends_at):
            _slot_unbook(slot)
    _save(meeting)
    return meeting


@transaction.atomic
def meeting_set_roles(
    *, meeting: NetworkMeeting, by, chair: Participant | None, minute_taker: Participant | None
):
    """Choose the chair (mødeleder) and the minute-taker (referent) among the participants."""
    meeting = NetworkMeeting.objects.select_for_update().get(pk=meeting.pk)
    _refuse_if_closed(meeting)
    meeting.chair, meeting.minute_taker = chair, minute_taker
    _save(meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: NetworkMeeting, by, note: str = "") -> NetworkMeeting:
    """Cancel; everyone who was sent an invitation is sent a cancellation of the calendar entry."""
    meeting = NetworkMeeting.objects.select_for_update().get(pk=meeting.pk)
    _refuse_if_closed(meeting)
    anonymity.check_texts(meeting=meeting, texts={"cancellation_note": note})
    meeting.status = NetworkMeeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.cancellation_note = note
    meeting.sequence += 1
    _save(meeting)
    invited = {
        d.participant
        for d in meeting.dispatches.filter(kind=Dispatch.Kind.INVITATION).select_related("participant")
    }
    dispatches = _create_dispatches(
        meeting=meeting,
        participants=[p for p in invited if p.email],
        kind=Dispatch.Kind.CANCELLATION,
        by=by,
    )
    slot = MeetingSlot.objects.filter(meeting=meeting).first()
    if slot is not None:
        _slot_unbook(slot)
    for agreement in meeting.agreements.all():
        agreement_changed.send(sender=Agreement, agreement=agreement)
    _deliver_after_commit(dispatches)
    return meeting


# --- Participants -----------------------------------------------------------------------------


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
    _refuse_if_closed(meeting)
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
    _check_participant_texts(participant)
    _save(participant)
    return participant


@transaction.atomic
def participant_update(*, participant: Participant, by, **fields) -> Participant:
    _refuse_if_closed(participant.meeting)
    allowed = {"function", "name", "organisation", "email", "phone"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"participant_update does not change {sorted(unknown)}")
    for field, value in fields.items():
        setattr(participant, field, value)
    _check_participant_texts(participant)
    _save(participant)
    return participant


@transaction.atomic
def participant_set_status(*, participant: Participant, by, status: str, attended: bool | None = None):
    """Record an answer (kommer / afbud), or that someone was invited by letter or phone."""
    _refuse_if_closed(participant.meeting)
    if status not in Participant.InvitationStatus.values:
        raise ValidationError({"invitation_status": _("Vælg en gyldig status.")})
    participant.invitation_status = status
    participant.invitation_status_at = timezone.now()
    _save(participant)
    return participant


@transaction.atomic
def participant_remove(*, participant: Participant, by) -> None:
    """Remove someone added by mistake; an invited participant stays (record their "afbud")."""
    _refuse_if_closed(participant.meeting)
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
    _refuse_if_closed(meeting)
    added, omitted = [], 0
    taken_users = set(meeting.participants.exclude(user=None).values_list("user_id", flat=True))
    for person in people:
        if person.network_map.child_id != meeting.child_id:
            raise ValidationError(_("Personen står på et andet barns netværkskort."))
        if person.user_id and person.user_id in taken_users:
            continue
        function = PARTICIPANT_FUNCTION_OF_MAP_KIND[person.kind]
        name = _anonymous_safe_name(meeting, person.name, function)
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
        _check_participant_texts(participant)
        _save(participant)
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


# --- Consent ----------------------------------------------------------------------------------


def custody_holders(child: Child) -> list[Relation]:
    return list(child.relations.filter(has_custody=True, is_active=True).order_by("name"))


def missing_consents(meeting: NetworkMeeting) -> list[Relation]:
    """The child's custody holders who have not consented to this meeting yet."""
    given = set(meeting.consents.exclude(custody_holder=None).values_list("custody_holder_id", flat=True))
    return [r for r in custody_holders(meeting.child) if r.pk not in given]


@transaction.atomic
def consent_record(
    *,
    meeting: NetworkMeeting,
    by,
    given_by_name: str,
    given_on: datetime.date,
    method: str,
    custody_holder: Relation | None = None,
    note: str = "",
) -> Consent:
    """Record one custody holder's consent. Once every custody holder registered on the child has
    consented (or, with none registered, once one has), the meeting is no longer anonymous."""
    meeting = NetworkMeeting.objects.select_for_update().select_related("child").get(pk=meeting.pk)
    _refuse_if_closed(meeting)
    if custody_holder is not None and (
        custody_holder.child_id != meeting.child_id or not custody_holder.has_custody
    ):
        raise ValidationError({"custody_holder": _("Vælg en af barnets forældremyndighedsindehavere.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("Samtykket kan ikke være givet i fremtiden.")})
    consent = Consent(
        meeting=meeting,
        custody_holder=custody_holder,
        given_by_name=given_by_name or (custody_holder.name if custody_holder else ""),
        given_on=given_on,
        method=method,
        note=note,
        recorded_by=by,
    )
    _refuse_cpr(note=note, given_by_name=consent.given_by_name)
    _save(consent)
    if meeting.consent_given_at is None and not missing_consents(meeting):
        meeting.consent_given_at = timezone.now()
        meeting.save(update_fields=["consent_given_at", "updated_at"])
    return consent


# --- Invitations, minutes and agreements ------------------------------------------------------


def _create_dispatches(*, meeting: NetworkMeeting, participants: Iterable[Participant], kind: str, by):
    sequence = meeting.sequence if kind != Dispatch.Kind.MINUTES else 0
    done = set(
        Dispatch.objects.filter(meeting=meeting, kind=kind, sequence=sequence).values_list(
            "participant_id", flat=True
        )
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
        _save(dispatch)
        dispatches.append(dispatch)
    return dispatches


def _deliver_after_commit(dispatches: list[Dispatch]) -> None:
    if not dispatches:
        return
    from network_meetings.tasks import deliver_dispatches

    transaction.on_commit(partial(deliver_dispatches.delay, [d.pk for d in dispatches]))


@transaction.atomic
def invitation_send(*, meeting: NetworkMeeting, by) -> list[Dispatch]:
    """E-mail the invitation with a calendar entry to every participant with an e-mail address who
    has not been sent this version of it. Those without one are invited by letter or phone, and
    their status is set by hand."""
    meeting = NetworkMeeting.objects.select_for_update().select_related("child").get(pk=meeting.pk)
    _refuse_if_closed(meeting)
    if meeting.ends_at <= timezone.now():
        raise ValidationError(_("Mødet er overstået; ret tidspunktet, før du inviterer."))
    participants = list(meeting.participants.all())
    dispatches = _create_dispatches(
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
    _deliver_after_commit(dispatches)
    return dispatches


def _minutes_for(meeting: NetworkMeeting, by) -> Minutes:
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
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
    meeting = NetworkMeeting.objects.select_for_update().select_related("child").get(pk=meeting.pk)
    _refuse_if_closed(meeting)
    minutes = _minutes_for(meeting, by)
    minutes.concerns, minutes.working, minutes.want_to_see = concerns, working, want_to_see
    anonymity.check_texts(
        meeting=meeting, texts={"concerns": concerns, "working": working, "want_to_see": want_to_see}
    )
    _save(minutes)
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
    meeting = NetworkMeeting.objects.select_for_update().select_related("child").get(pk=meeting.pk)
    _refuse_if_closed(meeting)
    _minutes_for(meeting, by)
    agreement = Agreement(meeting=meeting, text=text, owner=owner, owner_user_id=owner.user_id, due_on=due_on)
    anonymity.check_texts(meeting=meeting, texts={"text": text})
    _save(agreement)
    agreement_changed.send(sender=Agreement, agreement=agreement)
    return agreement


@transaction.atomic
def agreement_remove(*, agreement: Agreement, by) -> None:
    """Take back an agreement written by mistake, while the minutes are not sent."""
    meeting = agreement.meeting
    _refuse_if_closed(meeting)
    _minutes_for(meeting, by)
    agreement.done_at = timezone.now()  # tells listeners the reminder is no longer wanted
    agreement_changed.send(sender=Agreement, agreement=agreement)
    agreement.delete()


@transaction.atomic
def agreement_mark_done(*, agreement: Agreement, by, note: str = "") -> Agreement:
    agreement = Agreement.objects.select_for_update().select_related("meeting__child").get(pk=agreement.pk)
    if agreement.is_done:
        raise ValidationError(_("Aftalen er allerede markeret som udført."))
    anonymity.check_texts(meeting=agreement.meeting, texts={"done_note": note})
    agreement.done_at = timezone.now()
    agreement.done_by = by
    agreement.done_note = note
    _save(agreement)
    agreement_changed.send(sender=Agreement, agreement=agreement)
    return agreement


@transaction.atomic
def minutes_send(*, meeting: NetworkMeeting, by) -> list[Dispatch]:
    """Send the decision minutes to everyone invited (001 compendium: "At udfærdige og sende et
    beslutningsreferat til alle inviterede efter mødet"); the meeting is then held and the minutes
    read-only."""
    meeting = NetworkMeeting.objects.select_for_update().select_related("child").get(pk=meeting.pk)
    _refuse_if_closed(meeting)
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        raise ValidationError(_("Skriv referatet, før det sendes."))
    if minutes.is_sent:
        raise ValidationError(_("Referatet er allerede sendt."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("Referatet kan først sendes, når mødet er begyndt."))
    minutes.sent_at = timezone.now()
    minutes.sent_by = by
    _save(minutes)
    meeting.status = NetworkMeeting.Status.HELD
    _save(meeting)
    recipients = [p for p in meeting.participants.all() if p.was_invited or p.attended]
    dispatches = _create_dispatches(
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
    _deliver_after_commit(dispatches)
    return dispatches


def dispatch_deliver(*, dispatch_id: int) -> bool:
    """Send one e-mail if it has not been sent; True if it was sent now. At least once: a crash
    between sending and recording sends it again rather than never."""
    from network_meetings.documents import email_for

    with transaction.atomic():
        dispatch = (
            Dispatch.objects.select_for_update(skip_locked=True, of=("self",))
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
        Dispatch.objects.filter(sent_at__isnull=True, created_at__lte=cutoff).values_list("pk", flat=True)
    )


def minutes_recipients_without_email(meeting: NetworkMeeting) -> list[Participant]:
    """The invited who get the minutes by hand (no e-mail address)."""
    return [p for p in meeting.participants.all() if (p.was_invited or p.attended) and not p.email]


# --- Network maps -----------------------------------------------------------------------------

_MAP_KIND_OF_RELATION = {
    Relation.Kind.MOTHER: NetworkMapPerson.Kind.PARENT,
    Relation.Kind.FATHER: NetworkMapPerson.Kind.PARENT,
    Relation.Kind.PARENT: NetworkMapPerson.Kind.PARENT,
    Relation.Kind.STEP_PARENT: NetworkMapPerson.Kind.PARENT,
    Relation.Kind.FOSTER_PARENT: NetworkMapPerson.Kind.PARENT,
    Relation.Kind.SIBLING: NetworkMapPerson.Kind.SIBLING,
    Relation.Kind.GRANDPARENT: NetworkMapPerson.Kind.FAMILY,
    Relation.Kind.RELATIVE: NetworkMapPerson.Kind.FAMILY,
    Relation.Kind.NETWORK: NetworkMapPerson.Kind.FRIEND,
    Relation.Kind.OTHER: NetworkMapPerson.Kind.FRIEND,
}


def _refuse_cpr(**texts: str) -> None:
    errors = {
        field: _("Skriv ikke CPR-numre i teksten.")
        for field, text in texts.items()
        if anonymity.contains_cpr(text)
    }
    if errors:
        raise ValidationError(errors)


def _refuse_unless_latest(network_map: NetworkMap) -> None:
    latest = NetworkMap.objects.filter(child_id=network_map.child_id).aggregate(v=Max("version"))["v"]
    if network_map.version != latest:
        raise ValidationError(_("Det er en tidligere version af netværkskortet; den kan kun læses."))


def _check_investigation(child: Child, investigation: Investigation | None) -> None:
    if investigation is not None and investigation.case.child_id != child.pk:
        raise ValidationError({"investigation": _("Undersøgelsen hører til et andet barn.")})


@transaction.atomic
def network_map_new_version(
    *,
    child: Child,
    by,
    made_on: datetime.date | None = None,
    made_with_parents: bool = False,
    made_with_child: bool = False,
    investigation: Investigation | None = None,
    note: str = "",
) -> NetworkMap:
    """Start a new version of the child's network map as a copy of the latest one; the first
    version starts from the child's registered relations. Earlier versions stay as they were."""
    Child.objects.select_for_update().get(pk=child.pk)  # one new version at a time per child
    previous = NetworkMap.objects.filter(child=child).order_by("-version").first()
    _check_investigation(child, investigation)
    network_map = NetworkMap(
        child=child,
        version=(previous.version + 1) if previous else 1,
        investigation=investigation or (previous.investigation if previous else None),
        made_on=made_on or timezone.localdate(),
        made_with_parents=made_with_parents,
        made_with_child=made_with_child,
        note=note,
        created_by=by,
    )
    _save(network_map)
    if previous is not None:
        people = [
            NetworkMapPerson(
                network_map=network_map,
                name=p.name,
                kind=p.kind,
                relation=p.relation,
                significance=p.significance,
                closeness=p.closeness,
                user_id=p.user_id,
                phone=p.phone,
                email=p.email,
                note=p.note,
            )
            for p in previous.people.all()
        ]
    else:
        people = [
            NetworkMapPerson(
                network_map=network_map,
                name=r.name,
                kind=_MAP_KIND_OF_RELATION[r.kind],
                relation=r.get_kind_display(),
                significance=NetworkMapPerson.Significance.RESOURCE,
                phone=r.phone,
                email=r.email,
            )
            for r in child.relations.filter(is_active=True)
        ]
    for person in people:
        _save(person)
    return network_map


@transaction.atomic
def network_map_update(*, network_map: NetworkMap, by, **fields) -> NetworkMap:
    _refuse_unless_latest(network_map)
    allowed = {"made_on", "made_with_parents", "made_with_child", "investigation", "note"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"network_map_update does not change {sorted(unknown)}")
    if "investigation" in fields:
        _check_investigation(network_map.child, fields["investigation"])
    for field, value in fields.items():
        setattr(network_map, field, value)
    _save(network_map)
    return network_map


@transaction.atomic
def network_map_person_add(*, network_map: NetworkMap, by, **fields) -> NetworkMapPerson:
    _refuse_unless_latest(network_map)
    person = NetworkMapPerson(network_map=network_map, **fields)
    _refuse_cpr(note=person.note, name=person.name, relation=person.relation)
    _save(person)
    return person


@transaction.atomic
def network_map_person_update(*, person: NetworkMapPerson, by, **fields) -> NetworkMapPerson:
    _refuse_unless_latest(person.network_map)
    for field, value in fields.items():
        setattr(person, field, value)
    _refuse_cpr(note=person.note, name=person.name, relation=person.relation)
    _save(person)
    return person


@transaction.atomic
def network_map_person_remove(*, person: NetworkMapPerson, by) -> None:
    _refuse_unless_latest(person.network_map)
    person.delete()


# --- Meeting slots ----------------------------------------------------------------------------


@transaction.atomic
def slots_offer(
    *,
    team: Team,
    by,
    first_start: datetime.datetime,
    duration: datetime.timedelta,
    place: str = "",
    weeks: int = 1,
) -> list[MeetingSlot]:
    """Offer a fixed meeting time, the same weekday and hour for ``weeks`` weeks in a row."""
    if not 1 <= weeks <= 26:
        raise ValidationError({"weeks": _("Vælg mellem 1 og 26 uger.")})
    if duration <= datetime.timedelta(0):
        raise ValidationError({"ends_at": _("Tiden skal slutte efter, den er begyndt.")})
    if first_start <= timezone.now():
        raise ValidationError({"starts_at": _("Tiden skal ligge i fremtiden.")})
    now = timezone.now()
    local_first = timezone.localtime(first_start)
    slots = []
    for week in range(weeks):
        # Same wall-clock time each week, across daylight-saving changes.
        naive = local_first.replace(tzinfo=None) + datetime.timedelta(weeks=week)
        starts_at = timezone.make_aware(naive)
        slot = MeetingSlot(
            team=team,
            starts_at=starts_at,
            ends_at=starts_at + duration,
            place=place,
            offered_by=by,
            offered_at=now,
            release_at=now + SLOT_RELEASE_AFTER,
        )
        try:
            slot.full_clean()
        except ValidationError as exc:
            raise ValidationError(
                _("%(when)s: %(problem)s")
                % {
                    "when": f"{timezone.localtime(starts_at):%d.%m.%Y %H:%M}",
                    "problem": " ".join(exc.messages),
                }
            ) from None
        slot.save()
        slots.append(slot)
    return slots


def slot_book(*, slot: MeetingSlot, meeting: NetworkMeeting, by) -> MeetingSlot:
    """Book an open slot for ``meeting``; two people booking at once cannot both win."""
    with transaction.atomic():
        slot = MeetingSlot.objects.select_for_update().get(pk=slot.pk)
        if slot.status != MeetingSlot.Status.OPEN:
            raise ValidationError({"slot": _("Tiden er ikke længere ledig. Vælg en anden.")})
        if slot.starts_at <= timezone.now():
            raise ValidationError({"slot": _("Tiden er overstået. Vælg en anden.")})
        if slot.team.district.municipality_id != meeting.municipality_id:
            raise ValidationError({"slot": _("Tiden hører til en anden kommune.")})
        slot.status = MeetingSlot.Status.BOOKED
        slot.meeting = meeting
        slot.booked_by = by
        slot.booked_at = timezone.now()
        try:
            with transaction.atomic():
                _save(slot)
        except (IntegrityError, ValidationError):
            raise ValidationError({"slot": _("Mødet har allerede en fast mødetid.")}) from None
    return slot


def _slot_unbook(slot: MeetingSlot) -> None:
    """The meeting no longer uses the slot: it is free again, unless its week has run out."""
    now = timezone.now()
    slot.meeting = None
    slot.booked_by = None
    slot.booked_at = None
    if slot.release_at <= now or slot.starts_at <= now:
        slot.status, slot.released_at = MeetingSlot.Status.RELEASED, now
    else:
        slot.status = MeetingSlot.Status.OPEN
    _save(slot)


@transaction.atomic
def slot_release(*, slot: MeetingSlot, by) -> MeetingSlot:
    """Give an open slot back to the calendar before its week is up."""
    slot = MeetingSlot.objects.select_for_update().get(pk=slot.pk)
    if slot.status != MeetingSlot.Status.OPEN:
        raise ValidationError(_("Kun en ledig tid kan frigives."))
    slot.status = MeetingSlot.Status.RELEASED
    slot.released_at = timezone.now()
    _save(slot)
    return slot


def release_unbooked_slots(*, now: datetime.datetime | None = None) -> int:
    """Release every open slot whose week has run out or whose time has passed. Safe to run twice
    and alongside itself: rows are claimed with SKIP LOCKED and only open ones change."""
    now = now or timezone.now()
    with transaction.atomic():
        slots = list(
            MeetingSlot.objects.select_for_update(skip_locked=True).filter(
                Q(release_at__lte=now) | Q(starts_at__lte=now), status=MeetingSlot.Status.OPEN
            )
        )
        for slot in slots:
            slot.status = MeetingSlot.Status.RELEASED
            slot.released_at = now
        bulk_update_with_history(slots, MeetingSlot, ["status", "released_at"], batch_size=500)
    return len(slots)
