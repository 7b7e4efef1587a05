"""Create a believable demo municipality; running it again changes nothing."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from herning.organisation.demo import DEMO_PASSWORD, STAFF, seed_organisation


class Command(BaseCommand):
    help = "Opretter en demokommune med distrikter, teams, medarbejdere og vagtplan (kan køres flere gange)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Udskriv ikke demo-logins.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        org = seed_organisation(today=today)
        self.stdout.write(self.style.SUCCESS(f"Demodata klar: {org.municipality}."))
        if not options["quiet_logins"]:
            self.stdout.write("")
            self.stdout.write(f"Demo-logins (adgangskode for alle: {DEMO_PASSWORD})")
            for username, first, last, _title, roles in STAFF:
                role_text = ", ".join(sorted({str(r.label) for r, _ in roles}))
                self.stdout.write(f"  {username:<10} {first + ' ' + last:<22} {role_text}")
