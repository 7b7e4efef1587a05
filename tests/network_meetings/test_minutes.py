"""Minutes with the template's sections go to everyone invited; agreements have an owner and a
date, staff agreements feed the reminder engine, and the next meeting follows them up."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import obligations
from network_meetings import selectors, services, tasks
from network_meetings.models import Agreement, Dispatch, NetworkMeeting, Participant
from tests.network_meetings.factories import add, at, case_for, plan

pytestmark = pytest.mark.django_db

INVITED = Participant.InvitationStatus.INVITED


@pytest.fixture
def meeting(org):
    case = case_for(org)
    # The meeting began an hour ago: its minutes may be sent.
    start = timezone.now() - datetime.timedelta(hours=1)
    return plan(
        case.child, planned_by=org.advisor, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )


def _set_status(participant, status):
    services.participant_set_status(participant=participant, by=participant.meeting.created_by, status=status)


def _deliver():
    ids = list(Dispatch.objects.filter(sent_at__isnull=True).values_list("pk", flat=True))
    tasks.deliver_dispatches.apply(args=[ids]).get()


def test_minutes_go_to_everyone_invited_whatever_their_answer_and_only_to_them(meeting):
    accepted = add(meeting, name="Per Olsen", email="per@skole.example")
    declined = add(meeting, name="Lise Lund", email="lise@skole.example")
    never_invited = add(meeting, name="Ikke Inviteret", email="ikke@skole.example")
    by_letter = add(meeting, function=Participant.Function.PARENT)
    _set_status(accepted, Participant.InvitationStatus.ACCEPTED)
    _set_status(declined, Participant.InvitationStatus.DECLINED)
    _set_status(by_letter, INVITED)
    _set_status(meeting.participants.get(user=meeting.created_by), Participant.InvitationStatus.ACCEPTED)
    services.minutes_save(
        meeting=meeting, by=meeting.created_by, concerns="Fravær", working="Venner", want_to_see="Fremmøde"
    )
    dispatches = services.minutes_send(meeting=meeting, by=meeting.created_by)
    _deliver()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([meeting.created_by.email, "per@skole.example", "lise@skole.example"])
    assert never_invited.email not in recipients
    assert {d.kind for d in dispatches} == {Dispatch.Kind.MINUTES}
    assert services.minutes_recipients_without_email(meeting) == [by_letter]


def test_the_minutes_email_has_the_templates_sections_and_the_agreements(meeting):
    owner = add(meeting, name="Per Olsen", email="per@skole.example")
    _set_status(owner, INVITED)
    services.minutes_save(
        meeting=meeting,
        by=meeting.created_by,
        concerns="Barnet kommer for sent",
        working="Godt samarbejde med hjemmet",
        want_to_see="At barnet kommer til tiden",
        attended=[owner],
    )
    services.agreement_add(
        meeting=meeting,
        by=meeting.created_by,
        text="Ugentlig status til forældrene",
        owner=owner,
        due_on=timezone.localdate(),
    )
    services.minutes_send(meeting=meeting, by=meeting.created_by)
    _deliver()
    body = mail.outbox[0].body
    for heading, content in (
        ("Bekymringer:", "Barnet kommer for sent"),
        ("Fungerer:", "Godt samarbejde med hjemmet"),
        ("Hvad vil vi se ske:", "At barnet kommer til tiden"),
        ("Aftaler og løsninger:", "Ugentlig status til forældrene (ansvarlig: Per Olsen, lærer/pædagog"),
        ("På mødet deltog:", "- Per Olsen, lærer/pædagog"),
    ):
        assert heading in body and content in body, heading
    assert "&amp;" not in body and "&#x27;" not in body  # plain text, not HTML-escaped


def test_sent_minutes_are_read_only_and_the_meeting_is_held(meeting):
    services.minutes_save(meeting=meeting, by=meeting.created_by, concerns="", working="", want_to_see="")
    agreement = services.agreement_add(
        meeting=meeting,
        by=meeting.created_by,
        text="Ring til skolen",
        owner=meeting.participants.first(),
        due_on=timezone.localdate(),
    )
    services.minutes_send(meeting=meeting, by=meeting.created_by)
    meeting.refresh_from_db()
    assert meeting.status == NetworkMeeting.Status.HELD
    with pytest.raises(ValidationError, match="sendt"):
        services.minutes_save(
            meeting=meeting, by=meeting.created_by, concerns="Rettet", working="", want_to_see=""
        )
    with pytest.raises(ValidationError, match="sendt"):
        services.agreement_add(
            meeting=meeting,
            by=meeting.created_by,
            text="For sent",
            owner=meeting.participants.first(),
            due_on=timezone.localdate(),
        )
    with pytest.raises(ValidationError, match="referatet er sendt"):
        services.minutes_send(meeting=meeting, by=meeting.created_by)
    with pytest.raises(ValidationError, match="referatet er sendt"):
        add(meeting, name="For sent tilføjet")
    # The agreements are still followed up: they are marked done after the meeting.
    assert services.agreement_mark_done(agreement=agreement, by=meeting.created_by).is_done


def test_minutes_wait_until_the_meeting_has_begun(org):
    meeting = plan(case_for(org).child, planned_by=org.advisor, days_ahead=3)
    services.minutes_save(meeting=meeting, by=org.advisor, concerns="", working="", want_to_see="")
    with pytest.raises(ValidationError, match="begyndt"):
        services.minutes_send(meeting=meeting, by=org.advisor)


def test_an_agreements_owner_is_a_participant_of_the_same_meeting(meeting, org):
    other = plan(case_for(org, first_name="Ib", last_name="Dam").child, planned_by=org.advisor)
    stranger = other.participants.first()
    with pytest.raises(ValidationError) as error:
        services.agreement_add(
            meeting=meeting, by=org.advisor, text="Ring", owner=stranger, due_on=timezone.localdate()
        )
    assert "owner" in error.value.message_dict


def test_staff_agreements_feed_the_reminder_engine_until_done(meeting, org, monkeypatch):
    psychologist = add(meeting, function=Participant.Function.PSYCHOLOGIST, user=org.psychologist)
    parent = add(meeting, function=Participant.Function.PARENT)
    heard = []
    real_changed = obligations.changed

    def listener(key, ids, **kwargs):
        if key == "agreement":
            heard.extend((pk, Agreement.objects.get(pk=pk).is_done) for pk in ids)
        real_changed(key, ids, **kwargs)

    monkeypatch.setattr(obligations, "changed", listener)
    try:
        staff = services.agreement_add(
            meeting=meeting,
            by=org.advisor,
            text="Observation i klassen",
            owner=psychologist,
            due_on=timezone.localdate(),
        )
        services.agreement_add(
            meeting=meeting, by=org.advisor, text="Morgenrutine", owner=parent, due_on=timezone.localdate()
        )
        assert staff.owner_user == org.psychologist
        assert list(selectors.open_staff_agreements()) == [staff]
        assert list(selectors.open_staff_agreements(user=org.psychologist)) == [staff]
        assert list(selectors.open_staff_agreements(user=org.advisor)) == []
        services.agreement_mark_done(agreement=staff, by=org.psychologist, note="Observeret to gange")
        assert list(selectors.open_staff_agreements()) == []
    finally:
        monkeypatch.undo()
    assert heard[0] == (staff.pk, False)
    assert heard[-1] == (staff.pk, True)


def test_the_due_by_horizon_limits_the_staff_agreements(meeting, org):
    owner = meeting.participants.get(user=org.advisor)
    today = timezone.localdate()
    soon = services.agreement_add(meeting=meeting, by=org.advisor, text="Snart", owner=owner, due_on=today)
    services.agreement_add(
        meeting=meeting,
        by=org.advisor,
        text="Senere",
        owner=owner,
        due_on=today + datetime.timedelta(days=60),
    )
    assert list(selectors.open_staff_agreements(due_by=today + datetime.timedelta(days=7))) == [soon]


def test_agreements_of_a_cancelled_meeting_leave_the_reminders(org):
    meeting = plan(case_for(org).child, planned_by=org.advisor)
    owner = meeting.participants.get(user=org.advisor)
    services.agreement_add(
        meeting=meeting, by=org.advisor, text="Ring til skolen", owner=owner, due_on=timezone.localdate()
    )
    services.meeting_cancel(meeting=meeting, by=org.advisor)
    assert list(selectors.open_staff_agreements()) == []


def test_an_agreement_is_marked_done_once(meeting, org):
    owner = meeting.participants.get(user=org.advisor)
    agreement = services.agreement_add(
        meeting=meeting, by=org.advisor, text="Ring", owner=owner, due_on=timezone.localdate()
    )
    services.agreement_mark_done(agreement=agreement, by=org.advisor)
    with pytest.raises(ValidationError, match="allerede"):
        services.agreement_mark_done(agreement=agreement, by=org.advisor)


def test_the_next_meeting_follows_up_the_open_agreements_of_the_previous(meeting, org):
    teacher = add(meeting, name="Per Olsen", organisation="Sunds Skole", email="per@skole.example")
    done = services.agreement_add(
        meeting=meeting, by=org.advisor, text="Udført aftale", owner=teacher, due_on=timezone.localdate()
    )
    services.agreement_add(
        meeting=meeting, by=org.advisor, text="Åben aftale", owner=teacher, due_on=timezone.localdate()
    )
    services.agreement_mark_done(agreement=done, by=org.advisor)
    day = timezone.localdate() + datetime.timedelta(days=28)
    follow_up = services.meeting_plan_follow_up(
        previous=meeting,
        planned_by=org.advisor,
        starts_at=at(day, 9),
        ends_at=at(day, 10),
        place="Sunds Skole",
    )
    assert follow_up.previous_meeting == meeting
    assert [a.text for a in selectors.previous_open_agreements(follow_up)] == ["Åben aftale"]
    assert sorted(p.label for p in follow_up.participants.all()) == sorted(
        p.label for p in meeting.participants.all()
    )
    assert follow_up.participants.filter(user=org.advisor).count() == 1
    from network_meetings.documents import invitation_context

    assert [a["text"] for a in invitation_context(follow_up)["previous_agreements"]] == ["Åben aftale"]
