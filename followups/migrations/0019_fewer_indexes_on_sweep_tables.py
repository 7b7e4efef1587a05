"""The indexes no read needs on the two tables a full sweep writes most: the deadline's municipality
and district (no read looks them up alone), the reminder's deadline and recipient (the unique
constraint's index and ``reminder_recipient_idx`` begin with them).

Only the indexes are dropped. Django's own operation would also drop and add again the reminder's
foreign keys, which checks every reminder under a lock of the whole table: here the state changes
with ``AlterField`` and the database with ``DROP INDEX`` alone (the same statements on SQLite).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0018_followup_later_requested_idx"),
        ("organisation", "0006_municipality_letterhead"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="deadline",
                    name="district",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="organisation.district",
                        verbose_name="distrikt",
                    ),
                ),
                migrations.AlterField(
                    model_name="deadline",
                    name="municipality",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="organisation.municipality",
                        verbose_name="kommune",
                    ),
                ),
                migrations.AlterField(
                    model_name="reminder",
                    name="deadline",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="followups.deadline",
                        verbose_name="frist",
                    ),
                ),
                migrations.AlterField(
                    model_name="reminder",
                    name="recipient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="modtager",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})",
                )
                for name, table, column in (
                    ("followups_deadline_district_id_7ae90ce4", "followups_deadline", "district_id"),
                    ("followups_deadline_municipality_id_f2af5434", "followups_deadline", "municipality_id"),
                    ("followups_reminder_deadline_id_34ffbe9e", "followups_reminder", "deadline_id"),
                    ("followups_reminder_recipient_id_bec623cf", "followups_reminder", "recipient_id"),
                )
            ],
        ),
    ]
