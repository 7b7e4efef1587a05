from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("api", "0004_change_feed")]

    operations = [
        migrations.AddField(
            model_name="changeevent",
            name="case_id",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="changeevent",
            name="readers",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
    ]
