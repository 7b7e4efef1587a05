"""Makes a person the installation's national operator, or no longer (``--revoke``): the one way
to give the right to change the configuration every municipality shares (docs/access.md, "The
national operator"). Run on the server by the installation's operators; never in the admin."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from herning.audit.services import record_national_operator
from herning.organisation.models import User


class Command(BaseCommand):
    help = (
        "Gør en bruger til national driftsoperatør (eller fratager rollen med --revoke): den eneste, "
        "der kan ændre den fælles opsætning for alle kommuner. Brugeren må ikke høre til en kommune "
        "eller have roller. Tildelingen er en revisionshændelse."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="Brugeren, der får (eller mister) rollen.")
        parser.add_argument("--reason", required=True, help="Hvorfor (gemmes i revisionshændelsen).")
        parser.add_argument("--revoke", action="store_true", help="Fratag rollen i stedet.")
        parser.add_argument(
            "--create",
            action="store_true",
            help="Opret brugeren (uden kommune, roller og adgangskode; sæt den med changepassword).",
        )

    def handle(self, *args, username, reason, revoke, create, **options):
        if not reason.strip():
            raise CommandError("--reason må ikke være tom.")
        with transaction.atomic():
            if create and not revoke and not User.objects.filter(username=username).exists():
                User.objects.create_user(username=username, password=None)
            user = User.objects.select_for_update().filter(username=username).first()
            if user is None:
                raise CommandError(f"Ingen bruger hedder {username!r}.")
            if not revoke:
                self._check_separate(user)
            if user.is_national_operator == (not revoke):
                self.stdout.write(
                    f"{username} er allerede {'ikke ' if revoke else ''}national driftsoperatør."
                )
                return
            user.is_national_operator = not revoke
            user.save(update_fields=["is_national_operator"])
            record_national_operator(user=user, granted=not revoke, reason=reason.strip())
        self.stdout.write(
            f"{username} er {'ikke længere' if revoke else 'nu'} national driftsoperatør (revisionshændelse skrevet)."
        )

    @staticmethod
    def _check_separate(user: User) -> None:
        # The role is separate from every municipal one: a person who could read case contents,
        # or who is a municipality's, cannot also change what every municipality shares.
        if not user.is_active:
            raise CommandError(f"{user.username} er ikke aktiv.")
        if user.municipality_id:
            raise CommandError(f"{user.username} hører til en kommune; en national driftsoperatør må ikke.")
        if user.role_assignments.exists():
            raise CommandError(f"{user.username} har roller; en national driftsoperatør må ingen have.")
        if user.is_service_user:
            raise CommandError(f"{user.username} er en servicebruger.")
        if user.is_superuser or user.is_staff:
            raise CommandError(f"{user.username} er superbruger eller staff; det bruges ikke her.")
