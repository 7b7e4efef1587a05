"""No existence oracle (issue 19, point 3): registering a child whose CPR number belongs to a child
the person may not see tells them nothing about the child, on the page and in the API; it asks the
responsible team leader for access, is limited per day, and alerts the data-protection role past
the limit. The case administrator's intake keeps its documented behaviour (docs/access.md)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import AccessRequest, Case, CaseParticipant, CaseState, Child, Notification
from herning.audit.models import AccessLog, AuditEvent
from tests.api.base import field_errors, problem
from tests.cases.factories import NotificationFactory
from tests.factories import CaseFactory, ChildFactory, cpr_for
from tests.fixtures import login_with_second_factor

FORWARDED = "Anmodningen er sendt til den ansvarlige teamleder, som vender tilbage."
# Who may register a child and does not see the hidden child (team A does not share its cases).
BLIND_REGISTRANTS = ("colleague", "outsider", "other_team_leader", "duty_advisor")
SEEING_REGISTRANTS = ("advisor", "team_leader")
NOT_REGISTRANTS = (
    "case_admin",
    "psychologist",
    "health_visitor",
    "management",
    "sysadmin",
    "data_protection",
)


@pytest.fixture
def hidden(org):
    """Alice's child in team A, named so that a leak would be seen."""
    return CaseFactory(
        team=org.team_a, advisor=org.advisor, child__first_name="Hemmelia", child__last_name="Skjultsen"
    ).child


def page_form(cpr, org, **extra):
    return {
        "cpr": cpr,
        "first_name": "Ny",
        "last_name": "Navn",
        "school_district": "",
        "district": org.district_b.pk,
        "access_purpose": "Skolen har ringet om barnet.",
        "case-opened_on": timezone.localdate().isoformat(),
        **extra,
    }


def api_body(cpr, org, **extra):
    return {"cpr": cpr, "first_name": "Ny", "last_name": "Navn", "district": org.district_b.pk, **extra}


def api_client(user):
    return login_with_second_factor(APIClient(), user)


def assert_tells_nothing(text: str, child: Child) -> None:
    assert child.first_name not in text and child.last_name not in text
    assert f"/boern/{child.pk}/" not in text and f'"id": {child.pk}' not in text
    assert "allerede registreret" not in text
    # The number itself may stand in the form the person typed it into; the child's record never.
    assert child.masked_cpr not in text


# --- Registering a child one may not see ----------------------------------------------------------


@pytest.mark.parametrize("persona", BLIND_REGISTRANTS)
def test_the_page_asks_for_access_and_tells_nothing_about_the_child(
    org, hidden, login, persona, outbox, django_capture_on_commit_callbacks
):
    user = getattr(org, persona)
    client = login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:child_create"), page_form(hidden.cpr, org))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_list")
    page = client.get(response["Location"]).content.decode()
    assert FORWARDED in page
    assert_tells_nothing(page, hidden)
    request = AccessRequest.objects.for_system().get()
    assert (request.child, request.requested_by, request.team, request.purpose) == (
        hidden,
        user,
        org.team_a,
        "Skolen har ringet om barnet.",
    )
    assert Child.objects.for_system().count() == 1
    # The team leader of the child's team is told, nobody else; the mail names no child.
    assert [m.to for m in outbox] == [[org.team_leader.email]]
    assert hidden.first_name not in outbox[0].body
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCESS_REQUEST)
    assert (event.actor, event.details["child"], event.details["access_request"]) == (
        user,
        hidden.pk,
        request.pk,
    )
    # The person still cannot read the child.
    assert client.get(reverse("cases:child_detail", args=[hidden.pk])).status_code == 404


@pytest.mark.parametrize("persona", BLIND_REGISTRANTS)
def test_the_api_answers_202_with_the_same_words_and_no_child(
    org, hidden, persona, outbox, django_capture_on_commit_callbacks
):
    user = getattr(org, persona)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(user).post(
            "/api/v1/children/", api_body(hidden.cpr, org, access_purpose="Ny underretning"), format="json"
        )
    assert response.status_code == 202
    assert response.json() == {"detail": FORWARDED}
    assert_tells_nothing(response.content.decode(), hidden)
    assert hidden.cpr not in response.content.decode()
    request = AccessRequest.objects.for_system().get()
    assert (request.requested_by, request.purpose, request.team) == (user, "Ny underretning", org.team_a)
    assert [m.to for m in outbox] == [[org.team_leader.email]]


def test_an_unknown_number_and_a_hidden_child_do_not_differ_in_what_is_said_of_the_child(org, hidden):
    """The purpose left blank: the request still goes, with a note that none was given."""
    response = api_client(org.outsider).post("/api/v1/children/", api_body(hidden.cpr, org), format="json")
    assert response.status_code == 202
    assert AccessRequest.objects.for_system().get().purpose == "Intet formål angivet."


def test_a_child_without_a_case_goes_to_the_team_leaders_of_its_district(
    org, login, outbox, django_capture_on_commit_callbacks
):
    child = ChildFactory(municipality=org.municipality, district=org.district_b, first_name="Hemmelia")
    with django_capture_on_commit_callbacks(execute=True):
        response = login(org.advisor).post(reverse("cases:child_create"), page_form(child.cpr, org))
    assert response.status_code == 302
    request = AccessRequest.objects.for_system().get()
    assert (request.team, request.district) == (None, org.district_b)
    assert [m.to for m in outbox] == [[org.other_team_leader.email]]


def test_a_closed_case_goes_to_the_leader_of_its_team(org, login):
    case = CaseFactory(team=org.team_b, advisor=org.outsider)
    services.case_close(
        case=case, closed_by=org.outsider, closed_on=timezone.localdate(), closing_reason="goals_met"
    )
    login(org.advisor).post(reverse("cases:child_create"), page_form(case.child.cpr, org))
    assert AccessRequest.objects.for_system().get().team == org.team_b


# --- Registering a child one may see --------------------------------------------------------------


@pytest.mark.parametrize("persona", SEEING_REGISTRANTS)
def test_who_sees_the_child_is_told_where_it_is(org, hidden, login, persona):
    client = login(getattr(org, persona))
    page = client.post(reverse("cases:child_create"), page_form(hidden.cpr, org)).content.decode()
    assert "allerede registreret" in page
    assert reverse("cases:child_detail", args=[hidden.pk]) in page
    response = api_client(getattr(org, persona)).post(
        "/api/v1/children/", api_body(hidden.cpr, org), format="json"
    )
    assert response.status_code == 409
    assert problem(response, 409)["child"] == hidden.pk
    assert "allerede registreret" in field_errors(response)["cpr"][0]
    assert not AccessRequest.objects.for_system().exists()
    assert Child.objects.for_system().count() == 1


@pytest.mark.parametrize("persona", NOT_REGISTRANTS)
def test_who_may_not_register_children_is_refused_before_the_number_is_looked_at(org, hidden, login, persona):
    user = getattr(org, persona)
    response = login(user).post(reverse("cases:child_create"), page_form(hidden.cpr, org))
    assert response.status_code == 403
    assert_tells_nothing(response.content.decode(), hidden)
    response = api_client(user).post("/api/v1/children/", api_body(hidden.cpr, org), format="json")
    assert response.status_code == 403
    assert_tells_nothing(response.content.decode(), hidden)
    assert not AccessRequest.objects.for_system().exists()


def test_a_new_number_still_registers_the_child(org, hidden, login):
    response = login(org.outsider).post(
        reverse("cases:child_create"), page_form(cpr_for(datetime.date(2019, 5, 6), 3), org)
    )
    assert response.status_code == 302
    assert Child.objects.for_system().count() == 2
    assert not AccessRequest.objects.for_system().exists()


# --- The limit and the alert ----------------------------------------------------------------------


@pytest.fixture
def two_a_day(settings):
    settings.HERNING = {**settings.HERNING, "ACCESS_REQUESTS_PER_DAY": 2}


@time_machine.travel("2026-06-01 09:00 +02:00", tick=False)
def test_past_the_limit_requests_are_refused_and_data_protection_is_alerted_once(
    org, login, two_a_day, outbox, django_capture_on_commit_callbacks
):
    children = [CaseFactory(team=org.team_a, advisor=org.advisor).child for _ in range(4)]
    client = login(org.outsider)
    with django_capture_on_commit_callbacks(execute=True):
        for child in children[:2]:
            assert client.post(reverse("cases:child_create"), page_form(child.cpr, org)).status_code == 302
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:child_create"), page_form(children[2].cpr, org))
        api = api_client(org.outsider).post(
            "/api/v1/children/", api_body(children[3].cpr, org), format="json"
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert "for mange anmodninger om adgang" in page
    assert_tells_nothing(page, children[2])
    assert api.status_code == 429
    assert "for mange anmodninger om adgang" in problem(api, 429)["detail"]
    assert AccessRequest.objects.for_system().count() == 2
    # Both refusals are audit events; the data-protection role gets one mail, naming no child.
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS_REQUEST_LIMIT)
    assert sorted(e.details["child"] for e in events) == sorted([children[2].pk, children[3].pk])
    assert {e.actor for e in events} == {org.outsider}
    assert [m.to for m in outbox] == [[org.data_protection.email]]
    assert org.outsider.username in outbox[0].body
    # A day later the person may ask again: the count is of the last 24 hours.
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=24, minutes=1)):
        client = login(org.outsider)  # a new day's session
        response = client.post(reverse("cases:child_create"), page_form(children[2].cpr, org))
        assert response["Location"] == reverse("cases:case_list")
    assert AccessRequest.objects.for_system().count() == 3


def test_the_limit_counts_one_persons_requests_only(org, two_a_day):
    children = [CaseFactory(team=org.team_a, advisor=org.advisor).child for _ in range(3)]
    for child in children[:2]:
        services.access_request_create(child=child, requested_by=org.outsider)
    services.access_request_create(child=children[2], requested_by=org.colleague)
    with pytest.raises(services.TooManyAccessRequests):
        services.access_request_create(child=children[2], requested_by=org.outsider)


# --- The team leader decides ----------------------------------------------------------------------


@pytest.fixture
def asked(org, hidden):
    return services.access_request_create(child=hidden, requested_by=org.outsider, purpose="Ny underretning")


def test_the_team_leader_sees_the_pending_requests_and_the_read_is_logged(
    org, asked, login, django_assert_max_num_queries
):
    client = login(org.team_leader)
    for _ in range(3):
        services.access_request_create(
            child=CaseFactory(team=org.team_a, advisor=org.advisor).child, requested_by=org.colleague
        )
    with django_assert_max_num_queries(14):
        page = client.get(reverse("cases:access_requests")).content.decode()
    assert "Hemmelia" in page and "Ny underretning" in page and str(org.outsider) in page
    assert AccessLog.objects.for_system().filter(user=org.team_leader, child=asked.child).count() == 1
    other = login(org.other_team_leader).get(reverse("cases:access_requests")).content.decode()
    assert "Hemmelia" not in other and "Der er ingen anmodninger" in other


def test_granting_adds_the_person_to_the_case(org, asked, login, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(org.team_leader).post(reverse("cases:access_request_grant", args=[asked.pk]))
    assert response.status_code == 302
    asked.refresh_from_db()
    assert (asked.state, asked.decided_by) == (AccessRequest.State.GRANTED, org.team_leader)
    assert CaseParticipant.objects.for_system().filter(case__child=asked.child, user=org.outsider).exists()
    assert Child.objects.visible_to(org.outsider).filter(pk=asked.child_id).exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCESS_REQUEST_DECISION)
    assert (event.actor, event.details["access_request"]) == (org.team_leader, asked.pk)
    assert [m.to for m in outbox] == [[org.outsider.email]]
    assert "imødekommet" in outbox[0].body and "Hemmelia" not in outbox[0].body
    # Decided once: a second decision is refused with the reason.
    again = login(org.team_leader).post(reverse("cases:access_request_refuse", args=[asked.pk]))
    assert again.status_code == 403


def test_refusing_gives_no_access(org, asked, login):
    response = login(org.team_leader).post(reverse("cases:access_request_refuse", args=[asked.pk]))
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.state == AccessRequest.State.REFUSED
    assert not CaseParticipant.objects.for_system().filter(user=org.outsider).exists()
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.ACCESS_REQUEST_DECISION).actor == org.team_leader


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("team_leader", 302),
        ("advisor", 403),  # reads the child, does not decide
        ("other_team_leader", 404),
        ("outsider", 404),  # the person who asked does not read the child
        ("colleague", 404),
        ("duty_advisor", 404),
        ("case_admin", 404),
        ("psychologist", 404),
        ("health_visitor", 404),
        ("management", 404),
        ("sysadmin", 404),
        ("data_protection", 404),
    ],
)
@pytest.mark.parametrize("url", ["cases:access_request_grant", "cases:access_request_refuse"])
def test_who_decides(org, asked, login, persona, status, url):
    response = login(getattr(org, persona)).post(reverse(url, args=[asked.pk]))
    assert response.status_code == status
    asked.refresh_from_db()
    assert (asked.state != AccessRequest.State.PENDING) == (status == 302)


def test_a_child_with_no_open_case_cannot_be_granted_and_says_why(org, login):
    child = ChildFactory(municipality=org.municipality, district=org.district_b)
    request = services.access_request_create(child=child, requested_by=org.advisor)
    # The child has no case: the leader of the district reads it through a notification.
    NotificationFactory(child=child, district=org.district_b, municipality=org.municipality, case=None)
    client = login(org.other_team_leader)
    response = client.post(reverse("cases:access_request_grant", args=[request.pk]), follow=True)
    assert "ingen åben sag" in response.content.decode()
    request.refresh_from_db()
    assert request.state == AccessRequest.State.PENDING


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("team_leader", 200),
        ("other_team_leader", 200),
        ("advisor", 403),
        ("case_admin", 403),
        ("data_protection", 403),
    ],
)
def test_the_list_is_the_team_leaders(org, login, persona, status):
    assert login(getattr(org, persona)).get(reverse("cases:access_requests")).status_code == status


# --- The case administrator's intake is unchanged -------------------------------------------------


@time_machine.travel("2026-04-01 10:00 +02:00", tick=False)
def test_the_intake_registers_a_notification_on_a_known_child_as_before(org, hidden, login):
    """docs/access.md: the case administrator registers a notification on a child the municipality
    knows, by CPR number, and is told only that the child is known; no request for access."""
    client = login(org.case_admin)
    page = client.post(reverse("start:intake"), {"cpr": hidden.cpr, "lookup": "1"}).content.decode()
    assert "Barnet er kendt i kommunen" in page and "Hemmelia" not in page
    form = {
        "cpr": hidden.cpr,
        "first_name": "",
        "last_name": "",
        "address": "",
        "postal_code": "",
        "city": "",
        "school_district": "",
        "district": "",
        "received_date": "2026-04-01",
        "received_time": "08:15",
        "notifier_kind": Notification.NotifierKind.ANONYMOUS,
        "notifier_name": "",
        "notifier_organisation": "",
        "notifier_email": "",
        "notifier_phone": "",
        "concern": "Barnet er bange for at gå hjem.",
        "register": "1",
    }
    assert client.post(reverse("start:intake"), form).status_code == 302
    response = api_client(org.case_admin).post(
        "/api/v1/notifications/",
        {
            "cpr": hidden.cpr,
            "received_at": "2026-04-01T08:30:00+02:00",
            "notifier_kind": Notification.NotifierKind.ANONYMOUS,
            "concern": "Igen.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert list(Notification.objects.for_system().values_list("child", flat=True)) == [hidden.pk, hidden.pk]
    assert not AccessRequest.objects.for_system().exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS_REQUEST).exists()


# --- The same decisions through the API ------------------------------------------------------------


def test_the_api_lists_the_pending_requests_of_the_leaders_teams_and_logs_the_read(org, asked):
    response = api_client(org.team_leader).get("/api/v1/access-requests/")
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert (item["id"], item["child"], item["requested_by"], item["state"]) == (
        asked.pk,
        asked.child_id,
        org.outsider.username,
        "pending",
    )
    assert AccessLog.objects.filter(
        user=org.team_leader, child=asked.child, channel=AccessLog.Channel.API
    ).exists()
    assert api_client(org.other_team_leader).get("/api/v1/access-requests/").json()["results"] == []
    refused = api_client(org.advisor).get("/api/v1/access-requests/")
    assert problem(refused, 403)["detail"] == "Kun teamledere afgør anmodninger om adgang."


def test_the_api_grants_with_the_pages_service(org, asked, outbox, django_capture_on_commit_callbacks):
    client = api_client(org.team_leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/access-requests/{asked.pk}/grant/")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["decided_by"]) == ("granted", org.team_leader.username)
    assert CaseParticipant.objects.filter(user=org.outsider, case__child=asked.child).exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS_REQUEST_DECISION).count() == 1
    assert [m.to for m in outbox] == [[org.outsider.email]]
    assert client.get("/api/v1/access-requests/").json()["results"] == []
    # Decided: a second decision is refused with the rule's reason.
    again = client.post(f"/api/v1/access-requests/{asked.pk}/refuse/")
    assert problem(again, 403)["detail"] == "Anmodningen er allerede afgjort."


def test_the_api_refuses_and_adds_nobody(org, asked):
    response = api_client(org.team_leader).post(f"/api/v1/access-requests/{asked.pk}/refuse/")
    assert response.status_code == 200
    assert response.json()["state"] == "refused"
    assert not CaseParticipant.objects.filter(user=org.outsider).exists()


def test_the_api_cannot_grant_without_an_open_case(org, asked):
    Case.objects.for_system().filter(child=asked.child).update(
        state=CaseState.CLOSED, closed_on=timezone.localdate()
    )
    response = api_client(org.team_leader).post(f"/api/v1/access-requests/{asked.pk}/grant/")
    body = problem(response, 400)
    assert "ingen åben sag" in body["detail"]
    asked.refresh_from_db()
    assert asked.state == AccessRequest.State.PENDING


def test_the_api_hides_the_request_of_a_child_the_leader_does_not_read(org, asked):
    response = api_client(org.other_team_leader).post(f"/api/v1/access-requests/{asked.pk}/grant/")
    assert problem(response, 404)
