from django.core.management.base import BaseCommand, CommandError

from herning.api.models import ApiToken
from herning.organisation.models import User


class Command(BaseCommand):
    help = "Opretter et API-token til en servicebruger og udskriver det én gang."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--read-only", action="store_true", help="Tokenet må kun læse.")
        parser.add_argument("--name", default="", help="Hvad tokenet bruges til.")

    def handle(self, *args, username, read_only, name, **options):
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"Ingen aktiv bruger hedder {username!r}.") from None
        token, key = ApiToken.issue(user=user, name=name or f"Token til {username}", read_only=read_only)
        self.stdout.write(key)
        self.stderr.write(
            f"Token {token.prefix}… ({token.get_scope_display()}) til {username}. Det vises ikke igen; gem det nu."
        )
