"""Demo data for network meetings: fixed slots for the coming weeks, meetings with minutes and
agreements on some of the children that exist, and network maps on some investigations.

A step of ``seed_demo`` (``DEMO_STEPS``), after the cases step. It works on whatever children and
cases exist (none at all included) and is idempotent: a child that has a meeting gets no more,
an investigation with a map gets no other, a slot is looked up by team and start. No e-mail is
sent: statuses are set as if the invitations and minutes had gone out.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases.models import Case, Child, Investigation, Notification
from herning.organisation.models import Role, Team, User
from network_meetings import services
from network_meetings.models import MeetingSlot, NetworkMap, NetworkMapPerson, NetworkMeeting, Participant

ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
TEACHERS = ["Mette Kristensen", "Jens Andersen", "Louise Holm", "Søren Bak", "Pia Lauridsen", "Kim Winther"]
SCHOOL_LEADERS = ["Ole Brask", "Birgitte Lund", "Henrik Skov"]
NETWORK = [
    ("Moster", NetworkMapPerson.Kind.FAMILY, "Karin Dahl"),
    ("Morfar", NetworkMapPerson.Kind.FAMILY, "Erik Dahl"),
    ("Nabo", NetworkMapPerson.Kind.FRIEND, "Susanne Ravn"),
    ("Fodboldtræner", NetworkMapPerson.Kind.FRIEND, "Martin Friis"),
    ("Bedste ven", NetworkMapPerson.Kind.FRIEND, "Noah"),
]
MINUTES = [
    (
        "Barnet er ofte træt i skolen og kommer for sent flere gange om ugen.",
        "Barnet har gode venner i klassen og er glad for fodbold. Forældrene er åbne for hjælp.",
        "At barnet kommer til tiden og deltager i undervisningen; at hjemmet får ro om morgenen.",
    ),
    (
        "Konflikter i frikvartererne og uro i klassen efter weekender.",
        "Tæt kontakt mellem hjem og skole; barnet taler godt med klasselæreren.",
        "Færre konflikter og en fast voksen i frikvartererne.",
    ),
]
AGREEMENTS = [
    "Klasselæreren giver forældrene en kort status hver fredag.",
    "PPR-psykologen observerer i klassen og melder tilbage.",
    "Socialrådgiveren tilbyder familien et forløb i Familiecenteret.",
    "Forældrene laver en fast morgenrutine sammen med barnet.",
]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _next_weekday(today: datetime.date, weekday: int, weeks_ahead: int = 0) -> datetime.date:
    days = (weekday - today.weekday()) % 7 or 7
    return today + datetime.timedelta(days=days, weeks=weeks_ahead)


def seed_slots(*, org, today: datetime.date) -> int:
    """Tuesdays 13.00–14.30 and Thursdays 9.00–10.30 for the coming three weeks, per team."""
    created = 0
    now = timezone.now()
    for team in org.teams.values():
        offered_by = User.objects.with_role(Role.TEAM_LEADER, team=team).order_by("pk").first()
        if offered_by is None:
            continue
        for week in range(3):
            for weekday, hour, minute in ((1, 13, 0), (3, 9, 0)):
                starts_at = _at(_next_weekday(today, weekday, week), hour, minute)
                _, was_created = MeetingSlot.objects.get_or_create(
                    team=team,
                    starts_at=starts_at,
                    defaults={
                        "ends_at": starts_at + datetime.timedelta(minutes=90),
                        "place": f"{team.district}, mødelokale 1",
                        "offered_by": offered_by,
                        "offered_at": now,
                        "release_at": now + services.SLOT_RELEASE_AFTER,
                    },
                )
                created += was_created
    return created


def _participants(meeting: NetworkMeeting, *, rng, org, with_names: bool) -> list[Participant]:
    by = meeting.created_by
    people = []
    for relation in meeting.child.relations.filter(has_custody=True, is_active=True)[:2]:
        people.append(
            services.participant_add(
                meeting=meeting,
                by=by,
                function=Participant.Function.PARENT,
                name=relation.name if with_names else "",
                email=relation.email,
                phone=relation.phone,
            )
        )
    if not people:
        people.append(services.participant_add(meeting=meeting, by=by, function=Participant.Function.PARENT))
    school = meeting.child.school_or_daycare or (
        meeting.child.school_district.school_name if meeting.child.school_district_id else "Skolen"
    )
    teacher = rng.choice(TEACHERS)
    people.append(
        services.participant_add(
            meeting=meeting,
            by=by,
            function=Participant.Function.TEACHER,
            name=teacher,
            organisation=school,
            email=f"{teacher.split()[0].lower().translate(ASCII)}@skole.herning.example",
        )
    )
    people.append(
        services.participant_add(
            meeting=meeting,
            by=by,
            function=Participant.Function.SCHOOL_LEADER,
            name=rng.choice(SCHOOL_LEADERS),
            organisation=school,
        )
    )
    psychologist = org.users.get("psykolog")
    if psychologist is not None and meeting.team_id in psychologist.team_ids:
        people.append(
            services.participant_add(
                meeting=meeting, by=by, function=Participant.Function.PSYCHOLOGIST, user=psychologist
            )
        )
    return people


def _mark_invited(meeting: NetworkMeeting, *, when: datetime.datetime, answered: bool) -> None:
    for index, participant in enumerate(meeting.participants.all()):
        status = Participant.InvitationStatus.INVITED
        if answered:
            status = (
                Participant.InvitationStatus.DECLINED if index == 3 else Participant.InvitationStatus.ACCEPTED
            )
        participant.invitation_status, participant.invitation_status_at = status, when
        participant.save(update_fields=["invitation_status", "invitation_status_at"])


def _consent(meeting: NetworkMeeting, *, day: datetime.date) -> None:
    holders = services.custody_holders(meeting.child)
    for holder in holders:
        services.consent_record(
            meeting=meeting,
            by=meeting.created_by,
            custody_holder=holder,
            given_by_name=holder.name,
            given_on=day,
            method="written",
        )
    if not holders:
        services.consent_record(
            meeting=meeting, by=meeting.created_by, given_by_name="Forælder", given_on=day, method="oral"
        )


def _held_meeting(case: Case, *, rng, org, today: datetime.date, kind: str, weeks_ago: int) -> NetworkMeeting:
    day = today - datetime.timedelta(weeks=weeks_ago)
    meeting = services.meeting_plan(
        child=case.child,
        planned_by=case.advisor,
        kind=kind,
        starts_at=_at(day, 14),
        ends_at=_at(day, 15, 30),
        place=case.child.school_or_daycare or "Skolens mødelokale",
        purpose=str(services.DEFAULT_PURPOSE),
        reason="Skolen er bekymret for barnets trivsel og fremmøde.",
        agenda="1. Velkomst og præsentation\n2. Bekymringer og det, der fungerer\n3. Aftaler",
        agenda_made_with_parents=True,
        initiator_name=rng.choice(SCHOOL_LEADERS),
        initiator_function="Skoleleder",
        contact_name=case.advisor.get_full_name(),
        contact_phone=case.advisor.phone or "96 28 28 28",
        contact_email=case.advisor.email,
        concern_noted_on=day - datetime.timedelta(days=rng.randint(7, 30)),
    )
    _consent(meeting, day=day - datetime.timedelta(days=3))
    meeting.refresh_from_db()
    people = _participants(meeting, rng=rng, org=org, with_names=True)
    _mark_invited(meeting, when=_at(day - datetime.timedelta(days=10), 9), answered=True)
    meeting.refresh_from_db()
    everyone = list(meeting.participants.all())
    services.meeting_set_roles(
        meeting=meeting, by=case.advisor, chair=meeting.chair, minute_taker=everyone[0]
    )
    concerns, working, want = rng.choice(MINUTES)
    services.minutes_save(
        meeting=meeting,
        by=case.advisor,
        concerns=concerns,
        working=working,
        want_to_see=want,
        attended=[p for p in everyone if p.invitation_status != Participant.InvitationStatus.DECLINED],
    )
    owners = [everyone[0], people[-2] if len(people) > 1 else everyone[0], *people[:1]]
    for offset, (text, owner) in enumerate(zip(rng.sample(AGREEMENTS, 3), owners, strict=False)):
        agreement = services.agreement_add(
            meeting=meeting,
            by=case.advisor,
            text=text,
            owner=owner,
            due_on=day + datetime.timedelta(weeks=2 + offset * 2),
        )
        if agreement.due_on < today and offset == 0:
            services.agreement_mark_done(agreement=agreement, by=case.advisor)
    # As if the minutes had been sent after the meeting (no e-mail from demo data).
    minutes = meeting.minutes
    minutes.sent_at, minutes.sent_by = _at(day + datetime.timedelta(days=1), 10), case.advisor
    minutes.save(update_fields=["sent_at", "sent_by"])
    meeting.status = NetworkMeeting.Status.HELD
    meeting.save(update_fields=["status", "updated_at"])
    return meeting


def _planned_meeting(child: Child, *, planned_by, rng, org, today, kind: str, slot=None) -> NetworkMeeting:
    day = _next_weekday(today, 2, 1)
    meeting = services.meeting_plan(
        child=child,
        planned_by=planned_by,
        kind=kind,
        starts_at=None if slot else _at(day, 10),
        ends_at=None if slot else _at(day, 11, 30),
        place="" if slot else "Skolens mødelokale",
        purpose=str(services.DEFAULT_PURPOSE),
        reason="Barnet virker trist og trækker sig fra kammeraterne; skolen vil gerne høre forældrenes syn.",
        agenda="1. Velkomst\n2. Hvad ser vi hver især?\n3. Hvad kan vi gøre nu?",
        initiator_name=rng.choice(TEACHERS),
        initiator_function="Klasselærer",
        contact_name=planned_by.get_full_name(),
        contact_phone=planned_by.phone or "96 28 28 28",
        contact_email=planned_by.email,
        concern_noted_on=today - datetime.timedelta(days=rng.randint(3, 14)),
        slot=slot,
    )
    _participants(meeting, rng=rng, org=org, with_names=False)
    _mark_invited(meeting, when=timezone.now(), answered=False)
    return meeting


def _caseless_child(org):
    """A child known from a notification but without an open case: a school's concern."""
    notified = Notification.objects.filter(child=OuterRef("pk"))
    return (
        Child.objects.filter(municipality=org.municipality)
        .filter(Exists(notified))
        .exclude(Exists(Case.objects.open().filter(child=OuterRef("pk"))))
        .order_by("pk")
        .first()
    )


def seed_meetings(*, org, today: datetime.date, rng) -> int:
    cases = (
        Case.objects.open()
        .filter(municipality=org.municipality, advisor__isnull=False)
        .select_related("child", "team", "advisor", "child__school_district")
        .order_by("pk")[:8]
    )
    created = 0
    for index, case in enumerate(cases):
        if case.child.network_meetings.exists():
            continue
        shape = index % 4
        if shape in (0, 2):
            kind = NetworkMeeting.Kind.NETWORK if shape == 0 else NetworkMeeting.Kind.INVOLVING
            held = _held_meeting(case, rng=rng, org=org, today=today, kind=kind, weeks_ago=3 + index)
            created += 1
            if shape == 0:
                day = _next_weekday(today, 3, 1)
                services.meeting_plan_follow_up(
                    previous=held,
                    planned_by=case.advisor,
                    starts_at=_at(day, 13),
                    ends_at=_at(day, 14),
                    place=held.place,
                )
                created += 1
        else:
            slot = None
            if shape == 3:
                slot = (
                    MeetingSlot.objects.filter(
                        team=case.team, status=MeetingSlot.Status.OPEN, starts_at__gt=timezone.now()
                    )
                    .order_by("starts_at")
                    .first()
                )
            kind = NetworkMeeting.Kind.NETWORK if shape == 1 else NetworkMeeting.Kind.INVOLVING
            _planned_meeting(
                case.child, planned_by=case.advisor, rng=rng, org=org, today=today, kind=kind, slot=slot
            )
            created += 1
    child = _caseless_child(org)
    if child is not None and not child.network_meetings.exists():
        team = Team.objects.filter(district=child.district).order_by("pk").first()
        advisor = (
            User.objects.with_role(Role.ADVISOR, team=team).order_by("username").first() if team else None
        )
        if advisor is not None:
            _planned_meeting(
                child, planned_by=advisor, rng=rng, org=org, today=today, kind=NetworkMeeting.Kind.NETWORK
            )
            created += 1
    return created


def seed_network_maps(*, today: datetime.date, rng, municipality) -> int:
    investigations = (
        Investigation.objects.filter(case__municipality=municipality)
        .select_related("case__child", "case__advisor", "decided_by")
        .order_by("pk")
    )
    created = 0
    for index, investigation in enumerate(investigations):
        child = investigation.case.child
        # Every third investigation still lacks its map, as the case page's warning shows.
        if index % 3 == 2 or NetworkMap.objects.filter(child=child).exists():
            continue
        by = investigation.case.advisor or investigation.decided_by
        network_map = services.network_map_new_version(
            child=child,
            by=by,
            made_on=min(today, investigation.decided_on + datetime.timedelta(days=14)),
            made_with_parents=True,
            made_with_child=child.age_on(today) >= 6,
            investigation=investigation,
        )
        for relation, kind, name in rng.sample(NETWORK, 3):
            services.network_map_person_add(
                network_map=network_map,
                by=by,
                name=name,
                kind=kind,
                relation=relation,
                significance=rng.choice(list(NetworkMapPerson.Significance.values)),
                closeness=rng.choice(list(NetworkMapPerson.Closeness.values)),
            )
        services.network_map_person_add(
            network_map=network_map,
            by=by,
            name=rng.choice(TEACHERS),
            kind=NetworkMapPerson.Kind.SCHOOL,
            relation="Klasselærer",
            significance=NetworkMapPerson.Significance.RESOURCE,
            closeness=NetworkMapPerson.Closeness.MIDDLE,
        )
        created += 1
    return created


@transaction.atomic
def seed(*, org, today: datetime.date, rng, stdout=None) -> None:
    slots = seed_slots(org=org, today=today)
    meetings = seed_meetings(org=org, today=today, rng=rng)
    maps = seed_network_maps(today=today, rng=rng, municipality=org.municipality)
    if stdout is not None:
        stdout.write(f"Netværksmøder: {meetings} møder, {maps} netværkskort, {slots} faste mødetider.")
