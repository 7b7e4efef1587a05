"""Two-factor login is required for every member of staff.

After the password (or single sign-on) a person must also give a code from their authenticator
app or a backup code before any page opens; a person without an app yet is taken to set one up.

Who is not stopped here, by design:

* views marked ``@two_factor_exempt`` (login, logout, password reset, the two-factor pages
  themselves, the health page) and the paths in ``settings.TWO_FACTOR_EXEMPT_PATH_PREFIXES``
  (the language switch, the single sign-on callback);
* **API clients authenticated by token** (the API issue adds them): they carry no session, so
  ``request.user`` is anonymous when this middleware runs and DRF authenticates them in the view.
  A browser session reaching ``/api/`` without the second factor is refused with JSON, not sent
  to a page.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as BaseOTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from herning.accounts.services import has_confirmed_device, is_two_factor_verified
from herning.api.problems import problem_response
from herning.organisation.admin_scope import is_national_operator


class OTPMiddleware(BaseOTPMiddleware):
    """django-otp's, which reads the device a session was verified with at every request, but
    with an authenticator app (the device nearly everyone has) checked against the keys of the
    person's confirmed apps read with the person (``herning.accounts.backends.signed_in_person``):
    one query fewer on every page. The conditions are django-otp's own: the device must be the
    person's and confirmed, or the session is no longer verified and forgets it. The device
    itself is read only if something asks for more than that it is there. A backup code's
    device, or a person read elsewhere, goes through django-otp's own check."""

    def _verify_user_sync(self, request, user):
        confirmed = getattr(user, "confirmed_totp_ids", None)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) if user.is_authenticated else None
        label, _sep, key = self._normalize_persistent_id(persistent_id or "").partition("/")
        if confirmed is None or label != TOTPDevice.model_label() or not key.isdigit():
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        pk = int(key)
        if pk in confirmed:
            user.otp_device = SimpleLazyObject(lambda: TOTPDevice.objects.get(pk=pk))
        else:
            del request.session[DEVICE_ID_SESSION_KEY]
        return user


def two_factor_exempt(view):
    """Marks a view that must open between the password and the second factor."""
    view.two_factor_exempt = True
    return view


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or is_two_factor_verified(request):
            return None
        if getattr(view_func, "two_factor_exempt", False):
            return None
        if request.path.startswith(tuple(settings.TWO_FACTOR_EXEMPT_PATH_PREFIXES)):
            return None
        if request.path.startswith("/api/"):
            return problem_response(
                403, "two_factor_required", _("Log ind med to faktorer for at bruge API'et.")
            )
        target = "accounts:otp_verify" if has_confirmed_device(user) else "accounts:otp_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class NationalOperatorConfinedMiddleware:
    """The national operator opens the admin (where they see the shared configuration and nothing
    else, ``herning.organisation.admin_scope``) and their own account's pages (login, logout,
    second factor, password), and nothing else: no case page, list or API resource, not even an
    empty one (docs/access.md, "The national operator"). After the second factor's middleware, so
    an operator without one is first sent to set it up."""

    #: The URL namespaces the operator may open; everything else answers 403.
    ALLOWED_NAMESPACES = frozenset({"admin", "accounts"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not is_national_operator(user):
            return None
        match = request.resolver_match
        if match is not None and match.namespaces and match.namespaces[0] in self.ALLOWED_NAMESPACES:
            return None
        if request.path.startswith(tuple(settings.TWO_FACTOR_EXEMPT_PATH_PREFIXES)):
            return None
        if request.path.startswith("/api/"):
            return problem_response(
                403, "national_operator", _("Den nationale driftsoperatør har kun administrationen.")
            )
        raise PermissionDenied(_("Den nationale driftsoperatør har kun administrationen."))


# The pages a request without a (whole) login is sent to.
LOGIN_PAGES = ("accounts:login", "accounts:otp_verify", "accounts:otp_setup")


class HtmxLoginRedirectMiddleware:
    """A part of a page that HTMX asks for (a case's fold opened, a section of the team overview
    scrolled to, a decision posted in place) after the login has ended, or before the second
    factor, is answered with the redirect to the login page. HTMX would follow that redirect itself
    and put the login form inside the part. For such a request the whole page goes to the login
    instead (``HX-Redirect``), and ``next`` is the page the person is on (``HX-Current-URL``, on
    this site), so the login brings them back to it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or response.status_code not in (301, 302, 303):
            return response
        location = urlsplit(response.get("Location", ""))
        if location.path not in {reverse(name) for name in LOGIN_PAGES}:
            return response
        redirect_to = f"{location.path}?{urlencode({'next': _current_page(request)}, safe='/')}"
        # Status 200: HTMX acts on HX-Redirect only in an answer it would otherwise swap.
        answer = HttpResponseClientRedirect(redirect_to)
        patch_vary_headers(answer, ["HX-Request"])
        return answer


def _current_page(request) -> str:
    """The path and query of the page HTMX asks from, when it is on this site; else the part's
    own address (each part also answers as a page of its own)."""
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()
