import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from herning.api import services
from herning.organisation.models import User


def parse_expiry(value: str) -> datetime.datetime:
    """``2027-06-30`` (valid through that day, Danish time) or an ISO date and time."""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise CommandError(
                f"--expires {value!r}: skriv en dato (2027-06-30) eller et tidspunkt."
            ) from None
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


class Command(BaseCommand):
    help = (
        "Udsteder et API-token til en servicebruger og udskriver det én gang. Udstederen (--by) er en "
        "systemadministrator i servicebrugerens kommune; udstedelsen er en revisionshændelse."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="Servicebrugeren, tokenet giver adgang som.")
        parser.add_argument(
            "--by", required=True, help="Systemadministratoren, der udsteder tokenet (brugernavn)."
        )
        parser.add_argument("--read-only", action="store_true", help="Tokenet må kun læse.")
        parser.add_argument("--name", default="", help="Hvad tokenet bruges til.")
        parser.add_argument(
            "--expires",
            type=parse_expiry,
            default=None,
            help="Udløb: en dato (gælder til og med den dag) eller et tidspunkt. Uden: gælder til det spærres.",
        )

    def handle(self, *args, username, by, read_only, name, expires, **options):
        try:
            user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"Ingen aktiv bruger hedder {username!r}.") from None
        issuer = User.objects.filter(username=by, is_active=True).first()
        if issuer is None:
            raise CommandError(f"Ingen aktiv bruger hedder {by!r}.")
        try:
            token, key = services.issue_token(
                by=issuer,
                user=user,
                name=name or f"Token til {username}",
                read_only=read_only,
                expires_at=expires,
            )
        except (PermissionDenied, ValidationError) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from None
        self.stdout.write(key)
        until = f", udløber {timezone.localtime(token.expires_at):%d.%m.%Y %H:%M}" if token.expires_at else ""
        self.stderr.write(
            f"Token {token.prefix}… ({token.get_scope_display()}{until}) til {username}. "
            "Det vises ikke igen; gem det nu."
        )
