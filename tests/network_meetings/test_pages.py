"""Each meeting page for each kind of user: the advisor, a colleague, the outsider (404), the team
leader, the psychologist who takes part, management; and the forms say in Danish what is wrong."""

from __future__ import annotations

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases.models import Notification
from herning.audit.models import AccessLog
from network_meetings import selectors, services
from network_meetings.models import NetworkMeeting, Participant
from tests.network_meetings.factories import add, case_for, caseless_child, consent_all, plan

pytestmark = pytest.mark.django_db

MEETING_PAGES = ["detail", "participants", "consent", "invitation", "minutes", "minutes_print"]


@pytest.fixture
def meeting(org):
    meeting = plan(case_for(org).child, planned_by=org.advisor)
    add(meeting, function=Participant.Function.PSYCHOLOGIST, user=org.psychologist)
    return meeting


@pytest.mark.parametrize("page", MEETING_PAGES)
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("advisor", 200),
        ("colleague", 404),  # team A does not share cases
        ("outsider", 404),
        ("team_leader", 200),
        ("other_team_leader", 404),
        ("psychologist", 200),  # takes part in the meeting
        ("health_visitor", 404),  # does not
        ("management", 404),
        ("case_admin", 404),
    ],
)
def test_meeting_pages_per_role(meeting, org, login, page, persona, status):
    response = login(getattr(org, persona)).get(reverse(f"network_meetings:{page}", args=[meeting.pk]))
    assert response.status_code == status


def test_a_colleague_sees_the_meeting_when_the_team_shares_its_cases(meeting, org, login):
    org.team_a.shares_cases = True
    org.team_a.save()
    assert login(org.colleague).get(reverse("network_meetings:detail", args=[meeting.pk])).status_code == 200


def test_reading_a_meeting_is_logged(meeting, org, login):
    login(org.psychologist).get(reverse("network_meetings:detail", args=[meeting.pk]))
    entry = AccessLog.objects.get(user=org.psychologist)
    assert (entry.child, entry.case, entry.channel) == (meeting.child, meeting.case, "page")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("advisor", 200), ("team_leader", 200), ("psychologist", 403), ("outsider", 404)],
)
def test_who_may_change_a_meeting(meeting, org, login, persona, status):
    assert (
        login(getattr(org, persona)).get(reverse("network_meetings:edit", args=[meeting.pk])).status_code
        == status
    )


def test_the_chair_who_is_staff_may_change_the_meeting(meeting, org, login):
    psychologist = meeting.participants.get(user=org.psychologist)
    services.meeting_set_roles(meeting=meeting, by=org.advisor, chair=psychologist, minute_taker=None)
    assert login(org.psychologist).get(reverse("network_meetings:edit", args=[meeting.pk])).status_code == 200


def test_a_participant_who_may_read_cannot_record_consent(meeting, org, login):
    url = reverse("network_meetings:consent", args=[meeting.pk])
    response = login(org.psychologist).post(
        url, {"given_by_name": "Hanne", "given_on": "2026-01-01", "method": "oral"}
    )
    assert response.status_code == 403
    assert not meeting.consents.exists()


def test_the_consent_form_says_what_is_missing(meeting, org, login):
    response = login(org.advisor).post(
        reverse("network_meetings:consent", args=[meeting.pk]), {"method": "oral"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Vælg forældremyndighedsindehaveren, eller skriv navnet." in body
    assert "Udfyld" in body or "Dette felt er påkrævet" in body  # the missing date


@pytest.mark.parametrize(
    ("persona", "status"),
    [("advisor", 200), ("team_leader", 200), ("psychologist", 200), ("management", 403), ("case_admin", 403)],
)
def test_the_meeting_list_per_role(meeting, org, login, persona, status):
    response = login(getattr(org, persona)).get(reverse("network_meetings:list"))
    assert response.status_code == status
    if status == 200:
        assert f'href="/netvaerksmoeder/{meeting.pk}/"' in response.content.decode()


def test_the_outsider_sees_no_meetings_of_another_team(meeting, org, login):
    body = login(org.outsider).get(reverse("network_meetings:list") + "?vis=team").content.decode()
    assert f'href="/netvaerksmoeder/{meeting.pk}/"' not in body


def test_the_team_list_costs_the_same_queries_for_one_meeting_or_many(org, login, django_assert_num_queries):
    client = login(org.team_leader)
    url = reverse("network_meetings:list") + "?vis=team"
    plan(case_for(org).child, planned_by=org.advisor)
    plan(
        case_for(org, first_name="Tidligere", last_name="Test").child, planned_by=org.advisor, days_ahead=-30
    )
    client.get(url)  # warm the session
    # Session, the person (with the municipality in the header, roles and apps), the bell, upcoming,
    # the count and page of earlier meetings, one access-log insert.
    with django_assert_num_queries(7) as one:
        client.get(url)
    for n in range(6):
        meeting = plan(case_for(org, first_name=f"Barn{n}", last_name="Test").child, planned_by=org.advisor)
        add(meeting, name="Per Olsen")
        if n % 2:
            meeting.starts_at -= datetime.timedelta(days=60)
            meeting.ends_at -= datetime.timedelta(days=60)
            meeting.save()
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('href="/netvaerksmoeder/') >= 8


def test_the_list_logs_the_children_it_shows(meeting, org, login):
    login(org.advisor).get(reverse("network_meetings:list"))
    assert AccessLog.objects.filter(
        user=org.advisor, child=meeting.child, purpose="Liste over netværksmøder"
    ).exists()


def test_planning_a_meeting_from_the_page(org, login):
    child = case_for(org).child
    client = login(org.advisor)
    form_page = client.get(reverse("network_meetings:create")).content.decode()
    assert child.masked_cpr in form_page and child.cpr not in form_page
    day = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        reverse("network_meetings:create"),
        {
            "child": child.pk,
            "kind": "involving",
            "day": day.isoformat(),
            "start_time": "13:00",
            "end_time": "14:30",
            "place": "Sunds Skole",
            "purpose": "At samle de voksne",
            "reason": "Bekymring for fremmøde",
            "initiator_name": "Per Olsen",
            "initiator_function": "Skoleleder",
            "contact_name": "Alice",
            "contact_phone": "12345678",
        },
    )
    meeting = NetworkMeeting.objects.get(child=child)
    assert response.status_code == 302 and response.url == reverse(
        "network_meetings:participants", args=[meeting.pk]
    )
    assert meeting.case is not None and meeting.team == org.team_a and meeting.kind == "involving"
    assert meeting.chair.user == org.advisor
    assert "præsentationsrunde" in meeting.procedure  # the default for the kind


def test_the_plan_form_says_in_danish_what_is_wrong_and_keeps_what_was_typed(org, login):
    child = case_for(org).child
    response = login(org.advisor).post(
        reverse("network_meetings:create"),
        {
            "child": child.pk,
            "kind": "network",
            "day": "2026-13-40",
            "start_time": "14:00",
            "end_time": "13:00",
            "purpose": "Mit formål",
            "reason": f"Bekymret for {child.first_name}",
            "initiator_name": "Per",
            "initiator_function": "Skoleleder",
            "contact_name": "Alice",
            "contact_phone": "1",
            "contact_email": "ikke-en-adresse",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ret de markerede felter" in body
    assert "Skriv en gyldig e-mailadresse" in body
    assert "Skriv, hvor mødet holdes." in body
    assert "Mit formål" in body
    assert not NetworkMeeting.objects.exists()


def test_the_childs_name_is_refused_with_a_clear_message_on_the_page(org, login):
    child = case_for(org).child
    day = timezone.localdate() + datetime.timedelta(days=10)
    response = login(org.advisor).post(
        reverse("network_meetings:create") + f"?barn={child.pk}",
        {
            "kind": "network",
            "day": day.isoformat(),
            "start_time": "13:00",
            "end_time": "14:00",
            "place": "Skolen",
            "purpose": "Formål",
            "reason": f"Vi er bekymrede for {child.first_name}",
            "initiator_name": "Per",
            "initiator_function": "Skoleleder",
            "contact_name": "Alice",
            "contact_phone": "12345678",
        },
    )
    assert response.status_code == 200
    assert "skriv ikke barnets navn" in response.content.decode()
    assert not NetworkMeeting.objects.exists()


def test_planning_for_a_child_one_may_not_see_is_404(org, login):
    other = case_for(org, advisor=org.outsider).child
    assert login(org.advisor).get(reverse("network_meetings:create") + f"?barn={other.pk}").status_code == 404
    assert login(org.advisor).get(reverse("network_meetings:create") + "?barn=abc").status_code == 404


def test_a_schools_concern_about_a_child_without_a_case(org, login):
    child = caseless_child(org)
    Notification.objects.create(
        municipality=org.municipality,
        child=child,
        district=org.district_a,
        received_at=timezone.now(),
        notifier_kind="professional",
        concern="Henvendelse om netværksmøde",
        registered_by=org.case_admin,
        assessment_due_at=timezone.now() + datetime.timedelta(hours=24),
    )
    meeting = plan(child, planned_by=org.team_leader)
    assert meeting.case is None and meeting.team == org.team_a
    assert (
        login(org.team_leader).get(reverse("network_meetings:detail", args=[meeting.pk])).status_code == 200
    )
    assert (
        login(org.duty_advisor).get(reverse("network_meetings:detail", args=[meeting.pk])).status_code == 200
    )
    assert login(org.outsider).get(reverse("network_meetings:detail", args=[meeting.pk])).status_code == 404


def test_participants_page_adds_and_removes_participants(meeting, org, login):
    client = login(org.advisor)
    url = reverse("network_meetings:participants", args=[meeting.pk])
    response = client.post(url, {"function": "teacher", "name": "", "email": "per@skole.example"})
    assert "Skriv fagpersonens navn, eller vælg en medarbejder." in response.content.decode()
    client.post(url, {"function": "health_visitor", "user": org.health_visitor.pk})
    added = meeting.participants.get(user=org.health_visitor)
    assert added.name == org.health_visitor.get_full_name() and added.email == org.health_visitor.email
    client.post(
        reverse("network_meetings:participant_status", args=[meeting.pk, added.pk]),
        {"invitation_status": "accepted"},
    )
    added.refresh_from_db()
    assert added.invitation_status == "accepted"
    client.post(reverse("network_meetings:participant_remove", args=[meeting.pk, added.pk]))
    assert meeting.participants.filter(pk=added.pk).exists()  # invited people stay; record "afbud"


def test_the_minutes_page_adds_agreements_and_the_owner_marks_them_done(meeting, org, login):
    psychologist = meeting.participants.get(user=org.psychologist)
    client = login(org.advisor)
    response = client.post(
        reverse("network_meetings:agreement_add", args=[meeting.pk]),
        {"text": "Observation", "owner": psychologist.pk},
    )
    # No date: refused, and the page comes back with what was typed and the error at the field.
    assert response.status_code == 400
    assert not meeting.agreements.exists()
    assert "Observation" in response.content.decode() and 'id="id_due_on-error"' in response.content.decode()
    client.post(
        reverse("network_meetings:agreement_add", args=[meeting.pk]),
        {"text": "Observation", "owner": psychologist.pk, "due_on": "2030-01-01"},
    )
    agreement = meeting.agreements.get()
    done_url = reverse("network_meetings:agreement_done", args=[meeting.pk, agreement.pk])
    assert login(org.health_visitor).post(done_url).status_code == 404
    assert login(org.psychologist).post(done_url, {"note": "Gjort"}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.is_done and agreement.done_by == org.psychologist and agreement.done_note == "Gjort"


def test_meetings_for_the_childs_timeline(meeting, org):
    consent_all(meeting)
    cancelled = plan(meeting.child, planned_by=org.advisor, days_ahead=20)
    services.meeting_cancel(meeting=cancelled, by=org.advisor)
    meetings = list(selectors.meetings_for_child(meeting.child, org.advisor))
    assert [m.pk for m in meetings] == [cancelled.pk, meeting.pk]
    assert list(selectors.meetings_for_child(meeting.child, org.outsider)) == []
    html = render_to_string("network_meetings/_child_meetings.html", {"meetings": meetings})
    assert reverse("network_meetings:detail", args=[meeting.pk]) in html
    assert "Aflyst" in html and "Netværksmøde" in html
    assert "Ingen netværksmøder." in render_to_string(
        "network_meetings/_child_meetings.html", {"meetings": []}
    )


def test_the_menu_shows_network_meetings_to_advisors_and_figures_to_management(org, login):
    assert (
        reverse("network_meetings:list")
        in login(org.advisor).get(reverse("network_meetings:list")).content.decode()
    )
    body = login(org.management).get(reverse("network_meetings:figures")).content.decode()
    assert "Netværksmøder i tal" in body


def test_a_held_meeting_is_no_longer_edited_or_cancelled(meeting, org, login):
    meeting.status = NetworkMeeting.Status.HELD
    meeting.save()
    client = login(org.advisor)
    for name in ("edit", "cancel"):
        response = client.get(reverse(f"network_meetings:{name}", args=[meeting.pk]))
        assert response.status_code == 302 and response.url == reverse(
            "network_meetings:detail", args=[meeting.pk]
        )
    body = client.get(reverse("network_meetings:participants", args=[meeting.pk])).content.decode()
    assert "Tilføj deltager" not in body
    # The follow-up is planned after the meeting was held.
    assert client.get(reverse("network_meetings:follow_up", args=[meeting.pk])).status_code == 200


def test_the_meeting_links_to_the_childs_network_map_for_those_who_may_read_the_child(meeting, org, login):
    url = reverse("network_meetings:network_map", args=[meeting.child_id])
    assert (
        url in login(org.advisor).get(reverse("network_meetings:detail", args=[meeting.pk])).content.decode()
    )
    assert (
        url
        not in login(org.psychologist)
        .get(reverse("network_meetings:detail", args=[meeting.pk]))
        .content.decode()
    )
