"""Prints the current two-factor code of a demo user, so the demo works without a phone."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from herning.accounts.demo import DEMO_DEVICE_NAME, DEMO_OTP_KEY


class Command(BaseCommand):
    help = "Udskriver den aktuelle tofaktor-kode for en demobruger (fx: python manage.py demo_otp anne)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="Demobrugerens brugernavn, fx anne.")

    def handle(self, *args, username, **options):
        if settings.PRODUCTION:
            raise CommandError("Demokoder findes ikke i produktion.")
        device = TOTPDevice.objects.filter(
            user__username=username, name=DEMO_DEVICE_NAME, key=DEMO_OTP_KEY, confirmed=True
        ).first()
        if device is None:
            raise CommandError(
                f"{username} har ingen demo-app. Kør python manage.py seed_demo, og brug en demobruger."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
