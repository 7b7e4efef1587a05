"""Helpers for the network-meeting tests. Meetings are made through the services, as the pages
make them, so the tests exercise the same rules."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from cases import obligations
from cases.models import Investigation, Relation
from network_meetings import services
from network_meetings.models import NetworkMeeting, Participant
from tests.factories import CaseFactory, ChildFactory


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relation

    kind = Relation.Kind.MOTHER
    name = factory.Sequence(lambda n: f"Forælder {n}")
    has_custody = True


class InvestigationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Investigation

    decided_on = factory.LazyFunction(timezone.localdate)
    aware_on = factory.SelfAttribute("decided_on")
    deadline = factory.LazyAttribute(lambda o: o.aware_on + datetime.timedelta(days=120))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Written as investigation_open writes it: the deadlines follow (cases.obligations).
        investigation = super()._create(model_class, *args, **kwargs)
        obligations.changed("investigation", [investigation.pk])
        return investigation


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def case_for(org, *, advisor=None, first_name="Emma", last_name="Skovgaard", **child_fields):
    """An open case in team A with a child of a known name, at school district A."""
    child = ChildFactory(
        municipality=org.municipality,
        district=org.district_a,
        school_district=org.school_a,
        first_name=first_name,
        last_name=last_name,
        **child_fields,
    )
    return CaseFactory(team=org.team_a, advisor=advisor or org.advisor, child=child)


def caseless_child(org, *, first_name="Oscar", last_name="Bech"):
    return ChildFactory(
        municipality=org.municipality, district=org.district_a, first_name=first_name, last_name=last_name
    )


def plan(
    child, *, planned_by, days_ahead: int = 7, kind=NetworkMeeting.Kind.NETWORK, **overrides
) -> NetworkMeeting:
    """A meeting ``days_ahead`` from today at 13.00–14.30, with texts that do not name the child."""
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    fields = {
        "kind": kind,
        "starts_at": at(day, 13),
        "ends_at": at(day, 14, 30),
        "place": "Sunds Skole, mødelokale 2",
        "purpose": "Formålet med mødet er at samle de voksne, der kender barnet.",
        "reason": "Skolen er bekymret for fremmødet.",
        "agenda": "1. Velkomst\n2. Bekymringer\n3. Aftaler",
        "initiator_name": "Per Olsen",
        "initiator_function": "Skoleleder, Sunds Skole",
        "contact_name": "Per Olsen",
        "contact_phone": "96 12 34 56",
        "contact_email": "per@sunds-skole.example",
    }
    fields.update(overrides)
    return services.meeting_plan(child=child, planned_by=planned_by, **fields)


def add(meeting, *, function=Participant.Function.TEACHER, by=None, **fields) -> Participant:
    return services.participant_add(meeting=meeting, by=by or meeting.created_by, function=function, **fields)


def consent_all(meeting, *, by=None) -> NetworkMeeting:
    """Record consent from every custody holder (or one, when none is registered)."""
    holders = services.custody_holders(meeting.child)
    for holder in holders:
        services.consent_record(
            meeting=meeting,
            by=by or meeting.created_by,
            custody_holder=holder,
            given_by_name=holder.name,
            given_on=timezone.localdate(),
            method="written",
        )
    if not holders:
        services.consent_record(
            meeting=meeting,
            by=by or meeting.created_by,
            given_by_name="Forælder",
            given_on=timezone.localdate(),
            method="oral",
        )
    meeting.refresh_from_db()
    return meeting
