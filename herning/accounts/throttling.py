"""Login throttling (django-axes) that works behind the reverse proxy and cannot be turned against
a named person.

Three limits, counted over the cool-off time (``HERNING_LOGIN_COOLOFF_MINUTES``):

* **user name + address** (``HERNING_LOGIN_FAILURE_LIMIT``, 5): the ordinary lockout, axes' own.
  A right password from that address clears it.
* **address** (``HERNING_LOGIN_ADDRESS_FAILURE_LIMIT``, 20): failures for any user names from one
  address, against password spraying (one password tried on many user names). Failures that were
  followed by a right password from the same address are cleared with it, so colleagues' typing
  behind the town hall's one address does not add up.
* **user name** (``HERNING_LOGIN_USER_FAILURE_LIMIT``, 20): failures for one user name from any
  address, against guessing spread over many addresses. It does not apply from an address the
  person has logged in from in the last ``HERNING_LOGIN_KNOWN_ADDRESS_DAYS`` (90) days, so
  whoever knows a colleague's user name cannot lock them out of their own office from elsewhere,
  however long they keep trying.

Attempts refused during a lockout are not counted (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``
is off): every lockout ends one cool-off after the failure that caused it.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.models import AccessLog as AxesLoginLog  # axes' log of logins, not herning.audit's
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The client's address (``AXES_CLIENT_IP_CALLABLE``).

    With ``HERNING_PROXY_COUNT`` = 0 it is the peer's address (REMOTE_ADDR). Behind N proxies it is
    the N-th address from the right of X-Forwarded-For: each proxy appends the address it saw, so
    the entries to the left of that one are whatever the client chose to send and are never used.
    """
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.HERNING_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not hops or not forwarded:
        return remote
    # Fewer entries than proxies: the request came in past the outer proxies; every entry present
    # was still added by one of ours, and the left-most is the furthest address they saw.
    candidate = forwarded[-min(hops, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        logger.warning("X-Forwarded-For holds no address where HERNING_PROXY_COUNT points; using the peer's.")
        return remote


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginThrottle(AxesDatabaseHandler):
    """axes' database handler with the address and user-name limits added (module docstring).

    axes itself counts and clears the user name + address pair (``AXES_LOCKOUT_PARAMETERS``); the
    two wider limits are checked here, because axes compares every parameter with one limit."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return settings.AXES_LOCK_OUT_AT_FAILURE and self.wider_limit_reached(request, credentials)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if settings.AXES_LOCK_OUT_AT_FAILURE and self.wider_limit_reached(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def wider_limit_reached(self, request, credentials=None) -> bool:
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        address = request.axes_ip_address
        if _failures(recent.filter(ip_address=address)) >= settings.HERNING_LOGIN_ADDRESS_FAILURE_LIMIT:
            logger.warning("Login locked for an address after failures for many user names.")
            return True
        username = get_client_username(request, credentials)
        if not username:
            return False
        if _failures(recent.filter(username=username)) < settings.HERNING_LOGIN_USER_FAILURE_LIMIT:
            return False
        if self.is_known_address(username, address, now=request.axes_attempt_time):
            return False
        logger.warning("Login locked for a user name from a new address after failures from many addresses.")
        return True

    @staticmethod
    def is_known_address(username: str, address: str | None, *, now) -> bool:
        """Whether ``username`` logged in with the right password from ``address`` lately (axes'
        access log holds one row per successful login)."""
        since = now - timedelta(days=settings.HERNING_LOGIN_KNOWN_ADDRESS_DAYS)
        return AxesLoginLog.objects.filter(
            username=username, ip_address=address, attempt_time__gte=since
        ).exists()
