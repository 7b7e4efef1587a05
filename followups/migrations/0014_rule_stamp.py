# Every write to the follow-up rules gives the stamp "followup_rules" a new value, in the same
# transaction (herning.core.stamps): the rule book kept in a process's memory is reread exactly when
# the rules change.
from django.db import migrations

from herning.core import stamps


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_config_stamps"),
        ("followups", "0013_sweep_batches_and_deadline_inputs"),
    ]

    operations = [
        stamps.install(
            "followup_rules",
            "followups_ruleset",
            "followups_municipalityruleset",
            "followups_rule",
            "followups_rulemilestone",
            "followups_rulephase",
        ),
    ]
