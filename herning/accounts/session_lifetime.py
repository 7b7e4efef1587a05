"""An absolute session lifetime beside the idle timeout.

The idle timeout (``HERNING_SESSION_IDLE_MINUTES``) ends a session nobody uses; a session in use is
renewed by every request and could otherwise live for ever, on a shared or stolen machine too.
So a login also lasts at most ``HERNING_SESSION_MAX_HOURS`` (10: a working day), however busy:
the time of the login is stored in the session, and the first request after the limit logs out.
A session without that time (made before this rule) is ended as well.

The idle timeout counts from the session's last save. A request saves it when it was last renewed
``SESSION_RENEW_AFTER_SECONDS`` (60) or more before, or when the request changed it anyway: a burst
of requests writes the session's row once, and a session ends between ``SESSION_COOKIE_AGE`` less
that minute and ``SESSION_COOKIE_AGE`` after the last request.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import ngettext

LOGGED_IN_AT_SESSION_KEY = "herning_logged_in_at"
RENEWED_AT_SESSION_KEY = "herning_renewed_at"


@receiver(user_logged_in, dispatch_uid="herning.accounts.session_lifetime")
def stamp_login_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        # The login saves the session (a new key): it counts as renewed then.
        request.session[LOGGED_IN_AT_SESSION_KEY] = now
        request.session[RENEWED_AT_SESSION_KEY] = now


def session_expired(request) -> bool:
    logged_in_at = request.session.get(LOGGED_IN_AT_SESSION_KEY)
    if not isinstance(logged_in_at, (int, float)):
        return True
    return timezone.now().timestamp() - logged_in_at >= settings.SESSION_MAX_HOURS * 3600


class SessionLifetimeMiddleware:
    """Logs out a session older than ``SESSION_MAX_HOURS``; the request goes on as anonymous, so
    a page sends the person to the login page and the API refuses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and session_expired(request):
            logout(request)
            hours = settings.SESSION_MAX_HOURS
            message = ngettext(
                "Du er logget ud, fordi et login højst varer %(hours)s time. Log ind igen.",
                "Du er logget ud, fordi et login højst varer %(hours)s timer. Log ind igen.",
                hours,
            )
            messages.info(request, message % {"hours": hours}, fail_silently=True)
        elif user is not None and user.is_authenticated:
            _renew(request.session)
        return self.get_response(request)


def _renew(session) -> None:
    """Mark the session for saving (a new expiry, SESSION_COOKIE_AGE from now) when it was last
    renewed a minute or more ago; storing the moment is what makes Django save it."""
    now = timezone.now().timestamp()
    renewed = session.get(RENEWED_AT_SESSION_KEY)
    if not isinstance(renewed, (int, float)) or now - renewed >= settings.SESSION_RENEW_AFTER_SECONDS:
        session[RENEWED_AT_SESSION_KEY] = now
