"""Load the shipped ladder, legal bases and measure catalog (measures/catalog.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from measures.catalog import load_default_catalog

    load_default_catalog(
        LegalBasis=apps.get_model("cases", "LegalBasis"),
        LadderStep=apps.get_model("measures", "LadderStep"),
        MeasureType=apps.get_model("measures", "MeasureType"),
        UnitCost=apps.get_model("measures", "UnitCost"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0001_initial"),
        ("cases", "0002_initial"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
