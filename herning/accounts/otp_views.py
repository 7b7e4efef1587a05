"""The second step of login (a code from the authenticator app or a backup code), enrolment of
the app, backup codes, and the answer to a locked-out login."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from herning.accounts import services
from herning.accounts.demo import demo_code_for
from herning.accounts.forms import BackupCodeForm, EnrolmentForm, OtpCodeForm
from herning.accounts.middleware import two_factor_exempt
from herning.core.navigation import start_url_for

NEW_CODES_SESSION_KEY = "herning_new_backup_codes"


def locked_out(request, original_response=None, credentials=None):
    """What django-axes answers while a user name is locked out after too many failed logins."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return start_url_for(request.user)


@two_factor_exempt
@never_cache
@sensitive_post_parameters("code", "backup_code")
@login_required
def otp_verify(request):
    """The second step of login: a code from the app, or a backup code (a form of its own)."""
    if services.is_two_factor_verified(request):
        return redirect(_next_url(request))
    if not services.has_confirmed_device(request.user):
        return redirect("accounts:otp_setup")
    posted = request.POST if request.method == "POST" else None
    with_backup = posted is not None and "backup_code" in posted
    form = OtpCodeForm(None if with_backup else posted)
    backup_form = BackupCodeForm(posted if with_backup else None)
    sent, field = (backup_form, "backup_code") if with_backup else (form, "code")
    if with_backup:
        # The person is back at the backup code they just typed, not at the app code's field.
        form.fields["code"].widget.attrs.pop("autofocus", None)
        backup_form.fields["backup_code"].widget.attrs["autofocus"] = True
    if posted is not None and sent.is_valid():
        device = services.verify(request=request, token=sent.cleaned_data[field])
        if device is not None:
            if services.used_backup_code(device):
                messages.warning(
                    request,
                    _("Du loggede ind med en reservekode. Du har %(left)s tilbage.")
                    % {"left": services.backup_codes_left(request.user)},
                )
            return redirect(_next_url(request))
        sent.add_error(field, _("Koden er forkert eller udløbet. Prøv igen med en ny kode."))
    return render(
        request,
        "accounts/otp_verify.html",
        {
            "form": form,
            "backup_form": backup_form,
            "next": _next_url(request),
            "demo_code": demo_code_for(request.user),
        },
    )


@two_factor_exempt
@never_cache
@sensitive_post_parameters("code")
@login_required
def otp_setup(request):
    """First login: set up the authenticator app by scanning a QR code drawn on the server."""
    if services.has_confirmed_device(request.user):
        return redirect(
            "accounts:otp_verify" if not services.is_two_factor_verified(request) else "accounts:start"
        )
    device = services.enrolment_device(user=request.user)
    form = EnrolmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_enrolment(request=request, device=device, token=form.cleaned_data["code"])
        if codes is not None:
            request.session[NEW_CODES_SESSION_KEY] = codes
            return redirect(f"{reverse('accounts:backup_codes')}?{urlencode({'next': _next_url(request)})}")
        form.add_error(
            "code", _("Koden passer ikke. Tjek at telefonens ur går rigtigt, og prøv med den nye kode.")
        )
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_code": services.qr_code_svg(
            device.config_url, label=_("QR-kode til opsætning af autentificeringsapp")
        ),
        "secret": services.secret_for_manual_entry(device),
    }
    return render(request, "accounts/otp_setup.html", context)


@never_cache
@login_required
def backup_codes(request):
    """Backup codes are shown once, right after they are made; new ones replace the old."""
    if request.method == "POST":
        request.session[NEW_CODES_SESSION_KEY] = services.new_backup_codes(user=request.user)
        return redirect("accounts:backup_codes")
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    context = {
        "codes": codes,
        "left": services.backup_codes_left(request.user),
        "next": _next_url(request),
    }
    return render(request, "accounts/backup_codes.html", context)
