# Every write to the measure types gives the stamp "measure_types" a new value, in the same
# transaction (herning.core.stamps): the follow-up rule book, which carries the types' names and
# codes, is reread exactly when they change.
from django.db import migrations

from herning.core import stamps


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_config_stamps"),
        ("measures", "0008_catalog_history_baseline"),
    ]

    operations = [
        stamps.install("measure_types", "measures_measuretype"),
    ]
