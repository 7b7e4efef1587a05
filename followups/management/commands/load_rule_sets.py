from django.core.management.base import BaseCommand

from followups.models import Rule, RuleMilestone, RulePhase, RuleSet
from followups.presets import load_rule_sets
from measures.models import MeasureType


class Command(BaseCommand):
    help = (
        "Opretter de leverede regelsæt for opfølgning (Herningmodellen 1.0, Hvidovre 2014) og de regler, "
        "der mangler. Eksisterende regler ændres ikke."
    )

    def handle(self, *args, **options):
        created = load_rule_sets(
            RuleSet=RuleSet,
            Rule=Rule,
            RuleMilestone=RuleMilestone,
            RulePhase=RulePhase,
            MeasureType=MeasureType,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Regelsæt oprettet: {created['rule_sets']}, regler oprettet: {created['rules']}."
            )
        )
