from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from dubu import exporter
from dubu.management.commands.import_dubu import acting_user, profile_named


class Command(BaseCommand):
    help = "Skriver et udtræk til DUBU (CSV eller XLSX) med de sager, brugeren har adgang til."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Filen, der skrives (.csv eller .xlsx).")
        parser.add_argument("--profile", default="", help="Profilens navn (standard: standardprofilen).")
        parser.add_argument(
            "--user", default="", help="Teamlederen, udtrækket laves som (ellers HERNING_DUBU_USER)."
        )

    def handle(self, *args, file, profile, user, **options):
        path = Path(file)
        make = exporter.export_xlsx if path.suffix.lower() == ".xlsx" else exporter.export_csv
        try:
            content = make(user=acting_user(user), profile=profile_named(profile))
        except PermissionDenied as error:  # the exporter's refusal (``Action.DUBU_EXPORT``)
            raise CommandError(str(error)) from None
        path.write_bytes(content)
        self.stderr.write(f"Udtræk skrevet til {path}.")
