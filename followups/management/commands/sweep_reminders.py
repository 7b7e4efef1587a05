from django.core.management.base import BaseCommand

from followups import deadlines
from followups.models import SweepRun
from followups.sweep import run


class Command(BaseCommand):
    help = (
        "Kører påmindelserne nu (ellers gør planlæggeren det hvert kvarter). --full genberegner først alle "
        "frister; --rebuild-only genberegner fristerne uden at skrive påmindelser (efter en import)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Genberegn alle frister før påmindelserne.")
        parser.add_argument("--rebuild-only", action="store_true", help="Genberegn kun fristerne.")
        parser.add_argument(
            "--all",
            action="store_true",
            help="Med --full: genberegn også de frister, hvis grundlag er uændret siden sidst.",
        )

    def handle(self, *args, **options):
        if options["rebuild_only"]:
            stats = deadlines.rebuild()
            self.stdout.write(
                f"Frister beregnet: {stats.checked}, ændret: {stats.changed}, fejl: {stats.errors}."
            )
            return
        sweep = run(
            mode=SweepRun.Mode.FULL if options["full"] else SweepRun.Mode.INCREMENTAL,
            recompute_all=options["all"],
        )
        self.stdout.write(
            f"Frister kontrolleret: {sweep.deadlines_checked}, ændret: {sweep.deadlines_changed}, "
            f"påmindelser: {sweep.reminders_created}, fejl: {sweep.errors}."
        )
