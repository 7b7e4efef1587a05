"""A first history row for every catalog entry that has none (the shipped catalog is loaded by a
migration, which writes no history): the snapshot back-fill reads a measure type's ladder step and
placement category as they were on the day (issue 21, point 2), and an entry never changed since it
was shipped has held its present values from the start. Entries already changed keep their history
as it is."""

import datetime

from django.db import migrations

SINCE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def baseline(apps, schema_editor):
    for model_name in ("MeasureType", "LadderStep"):
        model = apps.get_model("measures", model_name)
        historical = apps.get_model("measures", f"Historical{model_name}")
        recorded = set(historical.objects.values_list("id", flat=True))
        fields = [f.attname for f in model._meta.concrete_fields]
        historical.objects.bulk_create(
            historical(history_date=SINCE, history_type="+", **{name: getattr(obj, name) for name in fields})
            for obj in model.objects.exclude(pk__in=recorded)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0007_price_index"),
    ]

    operations = [migrations.RunPython(baseline, migrations.RunPython.noop)]
