"""Deploy check: the demo's published logins never exist on a production installation.

The demo password and authenticator key are printed in the README and by ``seed_demo``; an account
that still carries either is open to anyone who has read them. ``manage.py check --deploy`` (run by
the compose file's migrate step before the web starts) fails while one exists.
"""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError


def _demo_leftovers() -> tuple[list[str], int]:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from herning.accounts.demo import DEMO_OTP_KEY
    from herning.organisation.demo import DEMO_EMAIL_DOMAIN, STAFF

    users = list(
        get_user_model()
        .objects.filter(username__in=[row[0] for row in STAFF], email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        .order_by("username")
        .values_list("username", flat=True)
    )
    devices = TOTPDevice.objects.filter(key=DEMO_OTP_KEY).count()
    return users, devices


@checks.register(checks.Tags.security, deploy=True)
def check_no_demo_data(app_configs=None, **kwargs):
    try:
        users, devices = _demo_leftovers()
    except DatabaseError as exc:
        # No database (an image build) or no tables yet: no account can exist there; say so.
        return [
            checks.Info(
                f"Could not look for demo accounts: {exc.__class__.__name__}.",
                hint="Run manage.py check --deploy again once the database is reachable.",
                id="herning.I010",
            )
        ]
    errors = []
    if users:
        errors.append(
            checks.Error(
                f"Demo accounts exist: {', '.join(users)}.",
                hint="Their password is published. Delete them (they come from seed_demo, never meant for production).",
                id="herning.E010",
            )
        )
    if devices:
        errors.append(
            checks.Error(
                f"{devices} authenticator device(s) use the published demo key.",
                hint="Delete them in the admin (TOTP devices named 'Demo') and let the users enrol again.",
                id="herning.E011",
            )
        )
    return errors
