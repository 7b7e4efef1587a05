"""Scoped API tokens: hashed, revocable, read-only or read-write, made by a command or the admin."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from herning.api.models import ApiToken, hash_token


@pytest.fixture
def api():
    return APIClient()


def test_command_prints_the_token_once_and_stores_only_a_hash(org):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", org.advisor.username, "--read-only", stdout=out, stderr=err)
    key = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(key)
    assert key not in (token.key_hash, token.prefix)
    assert token.read_only
    assert "vises ikke igen" in err.getvalue()


def test_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


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
