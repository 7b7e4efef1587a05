"""The system administrator's token page (issue 18, point 9): issue, list with expiry and last use,
rotate and revoke the municipality's service tokens, the key shown once; every step an audit event;
another municipality's tokens and service users out of reach by id."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from herning.api.models import ApiToken
from herning.audit.models import AuditEvent
from tests.access import AccessMatrix, outcome_for_all
from tests.factories import Role, staff
from tests.fixtures import make_org

pytestmark = pytest.mark.django_db
LIST = "/administration/api-tokens/"


def _service_user(org, username="integration"):
    return staff(
        username=username,
        municipality=org.municipality,
        roles=[(Role.TEAM_LEADER, org.team_a)],
        is_service_user=True,
    )


def _key_in(html: str) -> str:
    return re.search(r'<code class="token-secret">([^<]+)</code>', html).group(1)


class TestTokenList(AccessMatrix):
    url = LIST
    expected = outcome_for_all(403, sysadmin=200)


class TestTokenIssue(AccessMatrix):
    url = LIST
    method = "post"
    data = {}  # an empty form: the errors again (200) for the system administrator
    expected = outcome_for_all(403, sysadmin=200)


class TestTokenRotate(AccessMatrix):
    url = staticmethod(lambda objects: f"{LIST}{objects.token.pk}/forny/")
    method = "post"
    expected = outcome_for_all(403, sysadmin=200)

    @pytest.fixture
    def objects(self, org):
        token, _ = ApiToken.issue(user=_service_user(org), name="Udtræk", read_only=True)
        return SimpleNamespace(token=token)


class TestTokenRevoke(TestTokenRotate):
    url = staticmethod(lambda objects: f"{LIST}{objects.token.pk}/spaer/")
    expected = outcome_for_all(403, sysadmin=302)


def test_a_token_is_issued_and_its_key_shown_once(login, org):
    service = _service_user(org)
    client = login(org.sysadmin)
    response = client.post(
        LIST, {"user": service.pk, "name": "DUBU-udtræk", "scope": "read_write", "expires": "2030-06-30"}
    )
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    key = _key_in(response.content.decode())
    token = ApiToken.objects.get(user=service)
    assert (token.name, token.scope, token.issued_by) == ("DUBU-udtræk", "read_write", org.sysadmin)
    assert timezone.localtime(token.expires_at) == timezone.make_aware(datetime.datetime(2030, 7, 1))
    # The key works, and is never shown again.
    assert APIClient().get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert key not in client.get(LIST).content.decode()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TOKEN_ISSUE)
    assert (event.actor, event.subject, event.municipality) == (org.sysadmin, service, org.municipality)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "scope": "read"}, "name"),
        ({"name": "x", "scope": "everything"}, "scope"),
        ({"name": "x", "scope": "read", "expires": "2020-01-01"}, "expires"),
        ({"name": "x", "scope": "read", "expires": "9999-12-31"}, "expires"),
        ({"name": "x", "scope": "read", "expires": "31-02-2027"}, "expires"),
    ],
)
def test_bad_input_is_refused_at_the_field(login, org, data, field):
    service = _service_user(org)
    response = login(org.sysadmin).post(LIST, {"user": service.pk, **data})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_no_token_for_a_person_nor_another_municipalitys_service_user(login, org):
    neighbour = make_org(name="Ikast-Brande Kommune", code="760", prefix="ib_")
    theirs = _service_user(neighbour, "ib_integration")
    client = login(org.sysadmin)
    for user in (org.advisor, org.sysadmin, theirs):
        response = client.post(LIST, {"user": user.pk, "name": "Som en anden", "scope": "read"})
        assert response.status_code == 200
        assert "user" in response.context["form"].errors
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.exists()


def test_another_municipalitys_token_is_not_found_by_id(login, org):
    neighbour = make_org(name="Ikast-Brande Kommune", code="760", prefix="ib_")
    theirs, _ = ApiToken.issue(user=_service_user(neighbour, "ib_integration"), name="Deres", read_only=True)
    client = login(org.sysadmin)
    assert client.post(f"{LIST}{theirs.pk}/forny/").status_code == 404
    assert client.post(f"{LIST}{theirs.pk}/spaer/").status_code == 404
    assert "Deres" not in client.get(LIST).content.decode()
    theirs.refresh_from_db()
    assert theirs.revoked_at is None and ApiToken.objects.count() == 1


def test_rotating_stops_the_old_key_and_shows_the_new_once(login, org):
    service = _service_user(org)
    old, old_key = ApiToken.issue(user=service, name="Udtræk", read_only=True)
    client = login(org.sysadmin)
    response = client.post(f"{LIST}{old.pk}/forny/")
    assert response.status_code == 200
    new_key = _key_in(response.content.decode())
    api = APIClient()
    assert api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {old_key}").status_code == 401
    assert api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {new_key}").status_code == 200
    new = ApiToken.objects.exclude(pk=old.pk).get()
    assert (new.name, new.scope, new.issued_by) == ("Udtræk", "read", org.sysadmin)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TOKEN_ROTATE)
    assert event.subject == service and event.details["replaces_token_id"] == old.pk
    # A revoked token is not brought back to life.
    response = client.post(f"{LIST}{old.pk}/forny/", follow=True)
    assert "kan ikke fornyes" in response.content.decode()
    assert ApiToken.objects.count() == 2


def test_revoking_stops_the_key_and_keeps_the_token(login, org):
    service = _service_user(org)
    token, key = ApiToken.issue(user=service, name="Udtræk", read_only=True)
    client = login(org.sysadmin)
    assert client.post(f"{LIST}{token.pk}/spaer/").status_code == 302
    assert APIClient().get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.post(f"{LIST}{token.pk}/spaer/")  # twice: nothing more happens
    assert (
        AuditEvent.objects.filter(
            kind=AuditEvent.Kind.TOKEN_REVOKE, actor=org.sysadmin, subject=service
        ).count()
        == 1
    )
    assert "Spærret" in client.get(LIST).content.decode()


def test_the_list_shows_expiry_and_last_use_in_bounded_queries(login, org, django_assert_max_num_queries):
    service = _service_user(org)
    moment = datetime.datetime(2026, 12, 4, 9, 30, tzinfo=datetime.UTC)
    for n in range(10):
        _, key = ApiToken.issue(user=service, name=f"Token {n}", read_only=True, issued_by=org.sysadmin)
    with time_machine.travel(moment, tick=False):
        APIClient().get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {key}")
    client = login(org.sysadmin)
    client.get(LIST)
    with django_assert_max_num_queries(12):
        html = client.get(LIST).content.decode()
    assert "04.12.2026 10:30" in html  # the last use, Danish time
    assert html.count("aldrig") >= 10  # no expiry; nine never used
