"""Two-factor login (TOTP with backup codes, django-otp): enrolment, verification, backup codes.

Backup codes are kept only as salted hashes (``herning.accounts.models``), and the session gets a
new key once the second factor is given: a session id seen before that (half logged in) is no use
afterwards."""

from __future__ import annotations

import secrets

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from herning.accounts.models import CODE_ALPHABET, BackupCode, BackupCodeDevice

APP_DEVICE_NAME = "Autentificeringsapp"
BACKUP_DEVICE_NAME = "Reservekoder"
BACKUP_CODE_COUNT = 10
APP_CODE_DIGITS = 6  # django-otp's TOTP default, which the enrolment keeps
# Twelve characters of 32 (60 bits), shown in groups of four: too many to guess even from the hash.
BACKUP_CODE_LENGTH = 12
# Set by the single sign-on backend when the provider's own multi-factor login counts (settings).
IDP_MFA_SESSION_KEY = "herning_mfa_by_identity_provider"


def is_two_factor_verified(request) -> bool:
    user = request.user
    if getattr(user, "is_verified", None) and user.is_verified():
        return True
    return bool(settings.OIDC_PROVIDES_MFA and request.session.get(IDP_MFA_SESSION_KEY))


def has_confirmed_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def enrolment_device(*, user) -> TOTPDevice:
    """The app device being set up: the same one until it is confirmed, so a reload keeps the QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_enrolment(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirms ``device`` when ``token`` is right, signs the session in with it and returns new
    backup codes; None when the code is wrong."""
    if device.user_id != request.user.pk or not device.verify_token(token):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One app per person: an older app device (a lost phone) stops working now.
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    _second_factor_given(request, device)
    return new_backup_codes(user=device.user)


def verify(*, request, token: str):
    """Signs the session in with the device that accepts ``token`` (app or backup code), or None."""
    token = token.replace(" ", "").replace("-", "")
    # Each kind of code is tried on its own device only. Every device slows down after a wrong
    # code (django-otp's throttling, doubling each time), so trying each app code on the backup
    # codes as well would, login after login, lock the backup codes for days.
    if token.isdigit() and len(token) == APP_CODE_DIGITS:
        devices = TOTPDevice.objects.devices_for_user(request.user, confirmed=True)
    else:
        devices = BackupCodeDevice.objects.devices_for_user(request.user, confirmed=True)
    device = next((device for device in devices if device.verify_token(token)), None)
    if device is not None:
        _second_factor_given(request, device)
    return device


def _second_factor_given(request, device) -> None:
    otp_login(request, device)
    # django-otp's login keeps the session key; Django's own login cycles it at the password.
    # Cycle it again here, so the key of the half-logged-in session never carries the full login.
    request.session.cycle_key()


@transaction.atomic
def new_backup_codes(*, user, count: int = BACKUP_CODE_COUNT) -> list[str]:
    """Replaces the person's backup codes with ``count`` new single-use ones and returns them
    (as ``abcd-efgh-jkmn``); they are shown once and only their hashes are kept."""
    device, _ = BackupCodeDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.codes.all().delete()
    codes = [_new_code() for _ in range(count)]
    BackupCode.objects.bulk_create(
        BackupCode(device=device, code_hash=BackupCode.hash(code)) for code in codes
    )
    return codes


def _new_code() -> str:
    plain = "".join(secrets.choice(CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
    return "-".join(plain[i : i + 4] for i in range(0, BACKUP_CODE_LENGTH, 4))


def backup_codes_left(user) -> int:
    return BackupCode.objects.filter(device__user=user, device__confirmed=True).count()


def used_backup_code(device) -> bool:
    return isinstance(device, BackupCodeDevice)


def qr_code_svg(text: str, *, label: str) -> SafeString:
    """``text`` as an inline SVG QR code, drawn on the server (no external service sees the secret)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    svg = image.to_string(encoding="unicode")
    svg = svg.replace(
        "<svg ",
        f'<svg class="qr-code" role="img" aria-label="{escape(label)}" focusable="false" ',
        1,
    )
    return mark_safe(svg)  # noqa: S308 - our own drawing; the only text put in is escaped


def secret_for_manual_entry(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app that cannot scan."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
