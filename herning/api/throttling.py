"""The API's request limits (``API_THROTTLE_ANON``, ``API_THROTTLE_USER``), counted per client as
the login throttle counts them, and announced in every answer.

* **The client's address** is the login throttle's (``herning.accounts.throttling.client_ip``,
  ``HERNING_PROXY_COUNT``). REST framework's own reads the whole ``X-Forwarded-For`` header when no
  proxy count is set, so a client that sent a new header with each request had a new allowance
  each time.
* **Bad credentials count as anonymous requests.** A wrong token is refused by the authentication
  before REST framework's throttles run, so guessing tokens was never limited. Now each refusal
  takes one request from the address's anonymous allowance, and once it is spent the answer is
  429 with ``Retry-After`` instead of 401.
* **The limits are announced** in the ``RateLimit-Policy`` and ``RateLimit`` fields of the IETF
  draft "RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers-09):
  ``RateLimit-Policy: "anon";q=60;w=60`` (60 requests in a 60-second window) and
  ``RateLimit: "anon";r=59;t=60`` (59 left; the oldest request counted leaves the window in 60
  seconds).
"""

from __future__ import annotations

import math

from rest_framework import exceptions
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from herning.accounts.throttling import client_ip


class _Announced(SimpleRateThrottle):
    """A throttle that counts by the client's real address and leaves what it counted on the
    request, for ``RateLimitHeadersMiddleware`` to announce."""

    def get_ident(self, request):
        return client_ip(request) or ""

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if self.rate is not None and getattr(self, "key", None) is not None:
            _announce(request, self)
        return allowed


class AnonThrottle(_Announced, AnonRateThrottle):
    """Requests without credentials, and with credentials that were refused, per address."""


class UserThrottle(_Announced, UserRateThrottle):
    """Requests of a signed-in person or a token's user, per user."""


class _BadCredentialsThrottle(AnonThrottle):
    """The anonymous allowance, counted from inside the authentication: ``request.user`` is not
    known there (asking for it would start the authentication again)."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def count_refused_credentials(request) -> None:
    """Take one request from the address's anonymous allowance for credentials that were refused;
    429 (``Throttled``) once the allowance is spent."""
    throttle = _BadCredentialsThrottle()
    if not throttle.allow_request(request, None):
        raise exceptions.Throttled(wait=throttle.wait())


def _announce(request, throttle: SimpleRateThrottle) -> None:
    history = throttle.history
    remaining = max(0, throttle.num_requests - len(history))
    # The window slides: the next request is freed when the oldest one counted leaves it.
    reset = throttle.duration - (throttle.now - history[-1]) if history else throttle.duration
    limit = (
        throttle.scope,
        throttle.num_requests,
        int(throttle.duration),
        remaining,
        max(0, math.ceil(reset)),
    )
    django_request = getattr(request, "_request", request)
    current = getattr(django_request, "ratelimit", None)
    # Two limits may count one request (never both today: anonymous or a user): announce the one
    # closer to refusing.
    if current is None or limit[3] < current[3]:
        django_request.ratelimit = limit


class RateLimitHeadersMiddleware:
    """Puts the limit counted for the request (``_announce``) on its answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        limit = getattr(request, "ratelimit", None)
        if limit is not None:
            scope, quota, window, remaining, reset = limit
            response["RateLimit-Policy"] = f'"{scope}";q={quota};w={window}'
            response["RateLimit"] = f'"{scope}";r={remaining};t={reset}'
        return response
