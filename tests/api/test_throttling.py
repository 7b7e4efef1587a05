"""Issue 18 point 8: the API's request limits fire as documented (docs/api.md, "Request limits").

Guessing tokens was unlimited: a wrong token is refused by the authentication before REST
framework's throttles run. And REST framework's throttles told clients apart by the whole
``X-Forwarded-For`` header, so a client that changed it got a new allowance each time.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from herning.api.models import ApiToken

ADDRESS = "192.0.2.41"  # TEST-NET-1: an address no other test uses, so its allowance is its own


@pytest.fixture
def small_limits(monkeypatch):
    # REST framework reads the rates into the class when it is imported, not from the settings.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})
    for scope, ident in (("anon", ADDRESS), ("anon", "203.0.113.9")):
        cache.delete(SimpleRateThrottle.cache_format % {"scope": scope, "ident": ident})
    yield
    cache.delete(SimpleRateThrottle.cache_format % {"scope": "anon", "ident": ADDRESS})


def guess(client, n: int, **headers):
    return client.get(
        "/api/v1/", HTTP_AUTHORIZATION=f"Bearer hrn_guess{n:04d}", REMOTE_ADDR=ADDRESS, **headers
    )


def test_guessing_tokens_is_refused_with_429_once_the_anonymous_allowance_is_spent(db, small_limits):
    client = APIClient()
    answers = [guess(client, n) for n in range(4)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert [a["RateLimit"] for a in answers] == [
        '"anon";r=2;t=60',
        '"anon";r=1;t=60',
        '"anon";r=0;t=60',
        '"anon";r=0;t=60',
    ]
    assert answers[0]["RateLimit-Policy"] == '"anon";q=3;w=60'
    assert 0 < int(answers[3]["Retry-After"]) <= 60


def test_a_new_x_forwarded_for_is_no_new_allowance(db, small_limits, settings):
    settings.HERNING_PROXY_COUNT = 0  # no proxy in front: the header is the client's own words
    client = APIClient()
    codes = [guess(client, n, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(4)]
    assert codes == [401, 401, 401, 429]


def test_behind_the_proxy_the_address_it_saw_is_counted(db, small_limits, settings):
    settings.HERNING_PROXY_COUNT = 1
    client = APIClient()
    proxied = {"REMOTE_ADDR": "10.0.0.2"}
    codes = [
        client.get(
            "/api/v1/",
            HTTP_AUTHORIZATION=f"Bearer hrn_guess{n:04d}",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, {ADDRESS}",  # what the client sent, then what the proxy saw
            **proxied,
        ).status_code
        for n in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    # Another client behind the same proxy has an allowance of its own.
    other = client.get("/api/v1/", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxied)
    assert other.status_code == 401


def test_a_valid_token_is_counted_per_user_and_told_what_is_left(org, small_limits):
    _, key = ApiToken.issue(user=org.advisor, name="test", read_only=True)
    cache.delete(SimpleRateThrottle.cache_format % {"scope": "user", "ident": org.advisor.pk})
    client = APIClient()
    answers = [
        client.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR=ADDRESS) for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[0]["RateLimit-Policy"] == '"user";q=5;w=60'
    assert [a["RateLimit"].split(";")[1] for a in answers] == ["r=4", "r=3", "r=2", "r=1", "r=0", "r=0"]
    # A person's requests do not spend the address's anonymous allowance.
    assert guess(client, 1)["RateLimit"] == '"anon";r=2;t=60'
    cache.delete(SimpleRateThrottle.cache_format % {"scope": "user", "ident": org.advisor.pk})


def test_pages_carry_no_api_limits(login, org):
    assert "RateLimit" not in login(org.advisor).get("/")
