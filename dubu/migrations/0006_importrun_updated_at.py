import django.utils.timezone
from django.db import migrations, models


def from_finished_or_started(apps, schema_editor):
    """A run made before the field: its last change was its end (or its start, unfinished)."""
    ImportRun = apps.get_model("dubu", "ImportRun")
    ImportRun.objects.update(updated_at=models.functions.Coalesce("finished_at", "started_at"))


class Migration(migrations.Migration):
    dependencies = [("dubu", "0005_import_jobs")]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now, verbose_name="ændret"),
            preserve_default=False,
        ),
        migrations.RunPython(from_finished_or_started, migrations.RunPython.noop),
    ]
