"""Demo step: every demo user gets an authenticator device with the published demo key, so the
demo can be tried without a phone (``python manage.py demo_otp anne`` prints the current code).
Never used in production: the key is public."""

from __future__ import annotations

from base64 import b32encode

from django_otp.plugins.otp_totp.models import TOTPDevice

# The published demo key (20 bytes, hex). Its base32 form can be typed into any authenticator app.
DEMO_OTP_KEY = b"herning-demo-2026-ok".hex()
DEMO_DEVICE_NAME = "Demo"


def demo_otp_secret() -> str:
    """The demo key as an authenticator app takes it (base32)."""
    return b32encode(bytes.fromhex(DEMO_OTP_KEY)).decode()


def seed(*, org, today, rng, stdout) -> None:
    existing = set(
        TOTPDevice.objects.filter(user__in=org.users.values(), name=DEMO_DEVICE_NAME).values_list(
            "user_id", flat=True
        )
    )
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=user, name=DEMO_DEVICE_NAME, key=DEMO_OTP_KEY, confirmed=True)
        for user in org.users.values()
        if user.pk not in existing
    )


def demo_code_for(user) -> str | None:
    """The current code of ``user``'s demo device, outside production only: the demo can then be
    tried from the browser alone. None for anyone without the published demo key."""
    from django.conf import settings
    from django_otp.oath import TOTP

    if settings.PRODUCTION:
        return None
    device = TOTPDevice.objects.filter(
        user=user, name=DEMO_DEVICE_NAME, key=DEMO_OTP_KEY, confirmed=True
    ).first()
    if device is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
