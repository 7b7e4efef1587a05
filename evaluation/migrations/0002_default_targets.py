"""Load the shipped placement targets (Herning's Sverigesprojekt, Forebyggelsesudvalget 21.1.2013: 75/25 family care versus institution)."""

from django.db import migrations


def load(apps, schema_editor):
    from evaluation.defaults import load_default_targets

    load_default_targets(PlacementTarget=apps.get_model("evaluation", "PlacementTarget"))


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
