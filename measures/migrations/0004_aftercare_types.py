"""Add aftercare (ungestøtte, Barnets Lov §§ 114-116) to the shipped catalog: the types that are
missing are created (measures/catalog.py, AFTERCARE_TYPES); nothing existing is changed."""

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
        ("measures", "0003_measure_type_behaviour"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
