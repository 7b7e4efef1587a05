"""Aftercare (ungestøtte / efterværn) in the shipped code table: the missing lines are added to the
shipped profile where it still exists; lines a municipality has are never changed."""

from django.db import migrations


def load(apps, schema_editor):
    from dubu.defaults import load_defaults

    load_defaults(
        MappingProfile=apps.get_model("dubu", "MappingProfile"),
        CodeMapping=apps.get_model("dubu", "CodeMapping"),
        MeasureType=apps.get_model("measures", "MeasureType"),
        create_profile=False,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dubu", "0002_defaults"),
        ("measures", "0004_aftercare_types"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
