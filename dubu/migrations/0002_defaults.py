from django.db import migrations


def load(apps, schema_editor):
    from dubu.defaults import load_defaults

    load_defaults(
        MappingProfile=apps.get_model("dubu", "MappingProfile"),
        CodeMapping=apps.get_model("dubu", "CodeMapping"),
        MeasureType=apps.get_model("measures", "MeasureType"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dubu", "0001_initial"),
        ("measures", "0002_default_catalog"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
