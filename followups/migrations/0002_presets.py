"""Load the shipped follow-up rule sets "Herningmodellen 1.0" and "Hvidovre 2014" (followups/presets.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from followups.presets import load_rule_sets

    load_rule_sets(
        RuleSet=apps.get_model("followups", "RuleSet"),
        Rule=apps.get_model("followups", "Rule"),
        RuleMilestone=apps.get_model("followups", "RuleMilestone"),
        RulePhase=apps.get_model("followups", "RulePhase"),
        MeasureType=apps.get_model("measures", "MeasureType"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0001_initial"),
        ("measures", "0002_default_catalog"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
