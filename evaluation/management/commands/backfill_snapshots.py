"""Reconstruct the daily snapshots of past days, e.g. after importing cases with their history."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluation.services import analyze_aggregates, snapshot_backfill
from herning.organisation.models import Municipality


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ugyldig dato: {value!r} (brug ÅÅÅÅ-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "Genskaber øjebliksbilleder af sagerne for dage, der ikke har nogen, ud fra indsatsernes og "
        "sagernes datoer. Dage, der allerede har øjebliksbilleder, røres ikke."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fra", dest="start", required=True, type=_date, help="Første dag (ÅÅÅÅ-MM-DD).")
        parser.add_argument(
            "--til", dest="end", type=_date, help="Sidste dag (ÅÅÅÅ-MM-DD); som standard i går."
        )
        parser.add_argument("--kommune", dest="code", help="Kommunekode, fx 657; som standard alle kommuner.")

    def handle(self, *args, start, end, code, **options):
        end = end or timezone.localdate() - datetime.timedelta(days=1)
        if end < start:
            raise CommandError("Til-datoen ligger før fra-datoen.")
        if end >= timezone.localdate():
            raise CommandError("Kun dage, der er gået, kan genskabes; dagen i dag tages i nat.")
        municipalities = Municipality.objects.order_by("code")
        if code:
            municipalities = municipalities.filter(code=code)
            if not municipalities:
                raise CommandError(f"Ingen kommune med koden {code}.")
        for municipality in municipalities:
            written = snapshot_backfill(municipality=municipality, start=start, end=end)
            self.stdout.write(f"{municipality}: {written} øjebliksbilleder skrevet.")
        analyze_aggregates()
