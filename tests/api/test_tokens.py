"""Scoped API tokens: hashed, revocable, read-only or read-write, made by a command or the admin."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from herning.api.models import ApiToken, hash_token
from herning.audit.models import AuditEvent
from tests.factories import Role, staff
from tests.fixtures import make_org


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def service_user(org):
    return staff(
        username="dubu-integration",
        municipality=org.municipality,
        roles=[(Role.TEAM_LEADER, org.team_a)],
        is_service_user=True,
    )


def _command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_command_prints_the_token_once_and_stores_only_a_hash(org, service_user):
    key, err = _command(service_user.username, "--read-only", "--by", org.sysadmin.username)
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(key)
    assert key not in (token.key_hash, token.prefix)
    assert token.read_only and token.expires_at is None
    assert token.issued_by == org.sysadmin
    assert "vises ikke igen" in err
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TOKEN_ISSUE)
    assert (event.actor, event.subject, event.municipality) == (org.sysadmin, service_user, org.municipality)
    assert key not in str(event.details) and event.details["prefix"] == token.prefix


@time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC), tick=False)
def test_command_sets_the_expiry_through_the_named_day(org, service_user):
    _command(service_user.username, "--by", org.sysadmin.username, "--expires", "2027-06-30")
    token = ApiToken.objects.get()
    assert timezone.localtime(token.expires_at) == timezone.make_aware(datetime.datetime(2027, 7, 1))


@pytest.mark.parametrize("expires", ["2026-12-01", "soon", "2026-13-01"])
@time_machine.travel(datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC), tick=False)
def test_command_refuses_an_expiry_in_the_past_or_not_a_date(org, service_user, expires):
    with pytest.raises(CommandError):
        _command(service_user.username, "--by", org.sysadmin.username, "--expires", expires)
    assert not ApiToken.objects.exists()


def test_command_refuses_an_unknown_user(org):
    with pytest.raises(CommandError):
        _command("nobody", "--by", org.sysadmin.username)


def test_command_refuses_a_person_and_a_token_read_as_them(org):
    # A person's token would let whoever holds it read as them: only service users get tokens.
    with pytest.raises(CommandError, match="servicebrugere"):
        _command(org.advisor.username, "--by", org.sysadmin.username)
    assert not ApiToken.objects.exists()


def test_command_refuses_an_issuer_who_is_not_the_municipalitys_system_administrator(org, service_user):
    neighbour = make_org(name="Ikast-Brande Kommune", code="760", prefix="ib_")
    for issuer in (org.team_leader, neighbour.sysadmin):
        with pytest.raises(CommandError, match="systemadministrator"):
            _command(service_user.username, "--by", issuer.username)
    with pytest.raises(CommandError):
        _command(service_user.username)  # --by is required
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_valid_token_authenticates_as_its_user(api, org):
    _, key = ApiToken.issue(user=org.advisor, name="test", read_only=True)
    response = api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.wsgi_request.user == org.advisor


@pytest.mark.parametrize("header", ["Bearer nope", "Token ", "Bearer a b"])
def test_a_bad_token_is_refused_with_401(api, org, header):
    assert api.get("/api/v1/", HTTP_AUTHORIZATION=header).status_code == 401


def test_a_revoked_token_is_refused(api, org):
    token, key = ApiToken.issue(user=org.advisor, name="test", read_only=False)
    token.revoke()
    assert api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_an_expired_token_is_refused(api, org):
    with time_machine.travel(
        datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC), tick=False
    ) as traveller:
        expires = timezone.now() + datetime.timedelta(days=1)
        _, key = ApiToken.issue(user=org.advisor, name="test", read_only=True, expires_at=expires)
        assert api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
        traveller.move_to(expires + datetime.timedelta(seconds=1))
        response = api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


def test_the_last_use_is_recorded_at_most_once_a_minute(api, org):
    start = datetime.datetime(2026, 12, 4, 10, tzinfo=datetime.UTC)
    token, key = ApiToken.issue(user=org.advisor, name="test", read_only=True)
    assert token.last_used_at is None
    with time_machine.travel(start, tick=False) as traveller:
        api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {key}")
        token.refresh_from_db()
        assert token.last_used_at == start
        traveller.move_to(start + datetime.timedelta(seconds=30))
        api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {key}")
        token.refresh_from_db()
        assert token.last_used_at == start  # not a write for every request
        traveller.move_to(start + datetime.timedelta(minutes=2))
        api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {key}")
        token.refresh_from_db()
        assert token.last_used_at == start + datetime.timedelta(minutes=2)


def test_a_token_of_a_deactivated_user_is_refused(api, org):
    _, key = ApiToken.issue(user=org.advisor, name="test", read_only=False)
    org.advisor.is_active = False
    org.advisor.save()
    assert api.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_no_credentials_is_401(api, db):
    assert api.get("/api/v1/").status_code in (401, 403)


def test_a_read_only_token_cannot_write(api, org):
    _, key = ApiToken.issue(user=org.advisor, name="test", read_only=True)
    response = api.post("/api/v1/", {}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 403


def test_schema_and_docs_are_served(login, org):
    client = login(org.advisor)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_a_tokens_person_comes_with_their_roles_in_the_tokens_query(org, service_user, api):
    """The token is read with its person's roles and their teams (who may read what), one query,
    and the roles read so are the person's own: a team leader's team's cases, no other team's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CaseFactory

    ours = CaseFactory(team=org.team_a, advisor=org.advisor)
    theirs = CaseFactory(team=org.team_b)
    _token, key = ApiToken.issue(user=service_user, name="sync", read_only=True)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    with CaptureQueriesContext(connection) as seen:
        answer = api.get("/api/v1/cases/")
    assert answer.status_code == 200
    ids = {row["id"] for row in answer.json()["results"]}
    assert ours.pk in ids and theirs.pk not in ids
    statements = [q["sql"] for q in seen.captured_queries]
    assert not [s for s in statements if s.startswith('SELECT "organisation_roleassignment"')]
    [read] = [s for s in statements if 'FROM "api_apitoken"' in s]
    assert '"organisation_roleassignment"' in read
