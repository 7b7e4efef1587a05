import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from dubu.importer import import_file
from dubu.models import MappingProfile
from dubu.reader import max_file_bytes, too_large_message
from herning.organisation.models import User


def acting_user(username: str) -> User:
    """The person an import or export acts as: ``--user``, else HERNING_DUBU_USER."""
    username = username or settings.HERNING["DUBU_USER"]
    if not username:
        raise CommandError("Angiv --user (eller HERNING_DUBU_USER): den teamleder, importen udføres som.")
    try:
        return User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise CommandError(f"Ingen aktiv bruger hedder {username!r}.") from None


def profile_named(name: str) -> MappingProfile:
    if not name:
        profile = MappingProfile.default()
        if profile is None:
            raise CommandError("Der er ingen DUBU-profil.")
        return profile
    try:
        return MappingProfile.objects.get(name=name)
    except MappingProfile.DoesNotExist:
        raise CommandError(f"Ingen DUBU-profil hedder {name!r}.") from None


class Command(BaseCommand):
    help = "Importerer en fil fra DUBU (CSV eller XLSX); --dry-run viser kun, hvad der ville ske."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Tjek og tæl; gem intet.")
        parser.add_argument(
            "--skip-bad-rows", action="store_true", help="Importér de gode rækker trods fejl."
        )
        parser.add_argument("--profile", default="", help="Profilens navn (standard: standardprofilen).")
        parser.add_argument(
            "--user", default="", help="Teamlederen, importen udføres som (ellers HERNING_DUBU_USER)."
        )
        parser.add_argument("--json", action="store_true", help="Skriv rapporten som JSON.")

    def handle(self, *args, file, dry_run, skip_bad_rows, profile, user, json: bool = False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Filen {file} findes ikke.")
        if path.stat().st_size > max_file_bytes():  # before reading it into memory
            raise CommandError(too_large_message())
        try:
            report = import_file(
                content=path.read_bytes(),
                file_name=path.name,
                user=acting_user(user),
                profile=profile_named(profile),
                dry_run=dry_run,
                skip_bad_rows=skip_bad_rows,
            ).as_dict()
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        if json:
            self.stdout.write(_json(report))
        else:
            self.stdout.write(summary(report))
        if report["errors"] and not report["committed"] and not dry_run:
            if not report["rows"]:
                # A file-level error (unreadable file, lost database connection) is the reason.
                raise CommandError(report["errors"][0]["message"])
            raise CommandError("Intet er gemt: filen har rækker med fejl.")


def _json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


def summary(report: dict) -> str:
    state = "Prøvekørsel" if report["dry_run"] else ("Gemt" if report["committed"] else "Intet gemt")
    lines = [
        f"{state}: {report['rows']} rækker fra {report['file_name']} (profil {report['profile']}) "
        f"på {report['seconds']} s.",
        f"  Rækker: {report['created_rows']} opretter, {report['updated_rows']} ændrer, "
        f"{report['unchanged_rows']} uændrede, {report['bad_rows']} med fejl.",
        "  Oprettes: " + ", ".join(f"{k} {v}" for k, v in report["created"].items()),
        "  Ændres: " + ", ".join(f"{k} {v}" for k, v in report["updated"].items()),
    ]
    lines += [f"  Række {e['row']}, {e['column'] or 'filen'}: {e['message']}" for e in report["errors"]]
    return "\n".join(lines)
