"""Prints the current two-factor code of a demo user, so the demo works without a phone."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from herning.accounts.demo import demo_code_for
from herning.organisation.models import User


class Command(BaseCommand):
    help = "Udskriver den aktuelle tofaktor-kode for en demobruger (fx: python manage.py demo_otp anne)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="Demobrugerens brugernavn, fx anne.")

    def handle(self, *args, username, **options):
        if settings.PRODUCTION:
            raise CommandError("Demokoder findes ikke i produktion.")
        code = demo_code_for(User.objects.filter(username=username).first())
        if code is None:
            raise CommandError(
                f"{username} har ingen demo-app. Kør python manage.py seed_demo, og brug en demobruger."
            )
        self.stdout.write(code)
