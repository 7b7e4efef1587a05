"""Load the shipped target for institution placements (Hvidovre Kommune 2014, "Lige muligheder": 80 % within 8 months)."""

from django.db import migrations


def load(apps, schema_editor):
    from dashboards.models import DEFAULT_TARGET

    StepDownTarget = apps.get_model("dashboards", "StepDownTarget")
    StepDownTarget.objects.get_or_create(
        municipality=None, name=DEFAULT_TARGET["name"], defaults={k: v for k, v in DEFAULT_TARGET.items() if k != "name"}
    )


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
