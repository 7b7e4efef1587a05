"""The invitation: Herningmodellen 1.0's invitation template as a page and a PDF, and by e-mail with a calendar
invitation to the participants who have an address, sent after commit by a Celery task."""

from __future__ import annotations

import datetime
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from herning.audit.models import AccessLog
from network_meetings import services, tasks
from network_meetings.models import Dispatch, NetworkMeeting, Participant
from tests.network_meetings.factories import add, case_for, consent_all, plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(org):
    case = case_for(org, first_name="Lukas", last_name="Quistorff")
    meeting = plan(case.child, planned_by=org.advisor, kind=NetworkMeeting.Kind.INVOLVING)
    add(
        meeting,
        function=Participant.Function.SCHOOL_LEADER,
        name="Per Olsen",
        organisation="Sunds Skole",
        email="per@skole.example",
    )
    add(meeting, function=Participant.Function.PARENT, email="foraelder@example.dk")
    add(meeting, function=Participant.Function.OWN_NETWORK, name="Nabo uden e-mail")
    add(meeting, function=Participant.Function.PSYCHOLOGIST, user=org.psychologist)
    return meeting


def _ids(kind=None):
    dispatches = Dispatch.objects.filter(sent_at__isnull=True)
    if kind:
        dispatches = dispatches.filter(kind=kind)
    return list(dispatches.values_list("pk", flat=True))


def _calendar(message) -> Calendar:
    (filename, content, mimetype) = message.attachments[0]
    assert filename == "invitation.ics"
    assert mimetype == "text/calendar"
    return Calendar.from_ical(content)


def test_the_invitation_page_follows_the_herning_model_template(meeting, login, org):
    consent_all(meeting)
    body = login(org.advisor).get(reverse("network_meetings:invitation", args=[meeting.pk])).content.decode()
    assert (
        "Invitation til Lukas&#x27; inddragende netværksmøde" in body
        or "Invitation til Lukas' inddragende netværksmøde" in body
    )
    for text in (
        "Formålet med mødet er at samle de voksne, der kender barnet.",
        "Vi mødes fordi …",
        "Skolen er bekymret for fremmødet.",
        "Deltagere på mødet",
        "Per Olsen, skoleleder (Sunds Skole)",
        "Forælder",
        "Nabo uden e-mail, familiens eget netværk",
        "vil være mødeleder.",
        "Mødet kommer til at forløbe på følgende måde:",
        "Vi glæder os til at se jer alle.",
        "kontakte Per Olsen på telefonnummer 96 12 34 56",
        "Med venlig hilsen",
        "Skoleleder, Sunds Skole",
    ):
        assert text in body, text


def test_the_invitation_pdf_is_a_pdf_and_its_read_is_logged(meeting, login, org):
    response = login(org.advisor).get(reverse("network_meetings:invitation_pdf", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "Lukas" not in response["Content-Disposition"]
    assert AccessLog.objects.filter(user=org.advisor, child=meeting.child, channel="print").exists()


def test_sending_waits_for_the_commit_and_goes_to_those_with_an_address(
    meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        dispatches = services.invitation_send(meeting=meeting, by=meeting.created_by)
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert {d.email for d in dispatches} == {
        meeting.created_by.email,
        "per@skole.example",
        "foraelder@example.dk",
        meeting.participants.get(user__isnull=False, function="psychologist").email,
    }
    tasks.deliver_dispatches.apply(args=[_ids()]).get()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.email for d in dispatches)
    statuses = dict(meeting.participants.values_list("name", "invitation_status"))
    assert statuses["Nabo uden e-mail"] == Participant.InvitationStatus.NOT_INVITED
    assert statuses["Per Olsen"] == Participant.InvitationStatus.INVITED


def test_the_calendar_invitation_has_the_meetings_time_place_and_a_stable_uid(meeting):
    services.invitation_send(meeting=meeting, by=meeting.created_by)
    tasks.deliver_dispatches.apply(args=[_ids()]).get()
    message = next(m for m in mail.outbox if m.to == ["per@skole.example"])
    calendar = _calendar(message)
    assert calendar["method"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == meeting.starts_at
    assert event.decoded("dtend") == meeting.ends_at
    assert str(event["location"]) == "Sunds Skole, mødelokale 2"
    assert str(event["uid"]) == f"netvaerksmoede-{meeting.pk}@{urlparse(settings.BASE_URL).hostname}"
    assert int(event["sequence"]) == 0
    assert str(event["attendee"]) == "mailto:per@skole.example"
    assert calendar.walk("VTIMEZONE"), "the time zone travels with the invitation"
    assert "Invitation til inddragende netværksmøde om et barn" in message.body


def test_sending_again_sends_nothing_new_and_the_task_is_safe_to_run_twice(meeting):
    services.invitation_send(meeting=meeting, by=meeting.created_by)
    ids = _ids()
    tasks.deliver_dispatches.apply(args=[ids]).get()
    tasks.deliver_dispatches.apply(args=[ids]).get()
    assert len(mail.outbox) == 4
    assert services.invitation_send(meeting=meeting, by=meeting.created_by) == []


def test_a_new_time_makes_the_invitation_a_new_version_to_send(meeting):
    services.invitation_send(meeting=meeting, by=meeting.created_by)
    tasks.deliver_dispatches.apply(args=[_ids()]).get()
    mail.outbox.clear()
    later = meeting.starts_at + datetime.timedelta(days=1)
    services.meeting_update(
        meeting=meeting, by=meeting.created_by, starts_at=later, ends_at=later + datetime.timedelta(hours=1)
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert not meeting.participants.exclude(
        invitation_status=Participant.InvitationStatus.NOT_INVITED
    ).exists()
    assert len(services.invitation_send(meeting=meeting, by=meeting.created_by)) == 4
    tasks.deliver_dispatches.apply(args=[_ids()]).get()
    (event,) = _calendar(mail.outbox[0]).walk("VEVENT")
    assert int(event["sequence"]) == 1
    assert event.decoded("dtstart") == later


def test_changing_only_the_agenda_does_not_resend(meeting):
    services.invitation_send(meeting=meeting, by=meeting.created_by)
    services.meeting_update(meeting=meeting, by=meeting.created_by, agenda="Ny dagsorden")
    meeting.refresh_from_db()
    assert meeting.sequence == 0
    assert services.invitation_send(meeting=meeting, by=meeting.created_by) == []


def test_cancelling_sends_a_calendar_cancellation_to_those_invited(meeting):
    services.invitation_send(meeting=meeting, by=meeting.created_by)
    tasks.deliver_dispatches.apply(args=[_ids()]).get()
    mail.outbox.clear()
    services.meeting_cancel(meeting=meeting, by=meeting.created_by, note="Familien er flyttet")
    tasks.deliver_dispatches.apply(args=[_ids(Dispatch.Kind.CANCELLATION)]).get()
    assert len(mail.outbox) == 4
    calendar = _calendar(mail.outbox[0])
    assert calendar["method"] == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["status"]) == "CANCELLED"
    assert "er aflyst" in mail.outbox[0].body and "Familien er flyttet" in mail.outbox[0].body


def test_no_invitations_for_a_meeting_that_is_over(meeting):
    meeting.starts_at -= datetime.timedelta(days=30)
    meeting.ends_at -= datetime.timedelta(days=30)
    meeting.save()
    with pytest.raises(Exception, match="overstået"):
        services.invitation_send(meeting=meeting, by=meeting.created_by)


def test_a_failing_mail_server_leaves_the_email_owed_for_the_sweep(meeting, settings):
    settings.EMAIL_BACKEND = "tests.network_meetings.failing_backend.FailingBackend"
    services.invitation_send(meeting=meeting, by=meeting.created_by)
    result = tasks.deliver_dispatches.apply(args=[_ids()])
    # Run eagerly, the retries happen at once and run out; on a worker they wait and try again.
    assert result.state in {"RETRY", "FAILURE"}
    assert Dispatch.objects.filter(sent_at__isnull=True).count() == 4
    assert services.pending_dispatch_ids(older_than=datetime.timedelta(0)) == _ids()


def test_the_invitation_reaches_the_mailbox_through_a_real_worker(org, celery_worker_real):
    from herning.core.tasks import echo

    case = case_for(org, first_name="Lukas", last_name="Quistorff")
    meeting = plan(case.child, planned_by=org.advisor)
    add(meeting, name="Per Olsen", email="per@skole.example")
    services.invitation_send(meeting=meeting, by=org.advisor)  # commits; on_commit queues the task
    echo.delay("barrier").get(timeout=30)  # one solo worker: the e-mail task ran before this one
    assert sorted(m.to[0] for m in mail.outbox) == sorted([org.advisor.email, "per@skole.example"])
    assert not Dispatch.objects.filter(sent_at__isnull=True).exists()
