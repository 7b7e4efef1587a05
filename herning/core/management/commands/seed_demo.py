"""Create a believable demo municipality; running it again changes nothing."""

import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from herning.accounts.demo import demo_otp_secret
from herning.organisation.demo import DEMO_PASSWORD, STAFF, seed_organisation

# Each app that has demo data adds its step here, in dependency order. A step is called as
# ``step(org=DemoOrganisation, today=date, rng=random.Random, stdout=...)`` and must itself be
# idempotent: look things up by a natural key before creating them.
DEMO_STEPS: list[str] = [
    "herning.accounts.demo.seed",
    "cases.demo.seed",
    "followups.demo.seed",
    "network_meetings.demo.seed",
    "evaluation.demo.seed",
    "dashboards.demo.seed",
    "dubu.demo.seed",
]


class Command(BaseCommand):
    help = "Opretter en demokommune med distrikter, teams, medarbejdere, vagtplan, børn og sager (kan køres flere gange)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Udskriv ikke demo-logins.")

    def handle(self, *args, **options):
        from django.utils.module_loading import import_string

        if settings.PRODUCTION:
            # The demo's logins are published (README, this command's output): never on real data.
            raise CommandError(
                "seed_demo opretter demodata med offentligt kendte logins og kører ikke i produktion (HERNING_ENV=production)."
            )

        today = timezone.localdate()
        with transaction.atomic():
            org = seed_organisation(today=today)
            for path in DEMO_STEPS:
                # A fixed seed per step: the same demo every time, whatever ran before it.
                import_string(path)(
                    org=org, today=today, rng=random.Random(f"herning-demo:{path}"), stdout=self.stdout
                )
        self.stdout.write(self.style.SUCCESS(f"Demodata klar: {org.municipality}."))
        if not options["quiet_logins"]:
            self.stdout.write("")
            self.stdout.write(f"Demo-logins (adgangskode for alle: {DEMO_PASSWORD})")
            for username, first, last, _title, roles in STAFF:
                role_text = ", ".join(sorted({str(r.label) for r, _ in roles}))
                self.stdout.write(f"  {username:<10} {first + ' ' + last:<22} {role_text}")
            self.stdout.write(
                "Tofaktor-kode: python manage.py demo_otp <brugernavn>"
                f" (eller nøglen {demo_otp_secret()} i en autentificeringsapp)"
            )
