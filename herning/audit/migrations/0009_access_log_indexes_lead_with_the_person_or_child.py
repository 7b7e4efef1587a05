import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Django's AlterField would drop each foreign key, the index, and add the key again, validating
# every entry of the access log under a lock. Only the index goes: the state changes, the database
# loses two indexes that the (child, -at) and (user, -at) indexes already serve.
DROP = [
    'DROP INDEX IF EXISTS "audit_accesslog_child_id_f4188954"',
    'DROP INDEX IF EXISTS "audit_accesslog_user_id_7f87e501"',
]
CREATE = [
    'CREATE INDEX IF NOT EXISTS "audit_accesslog_child_id_f4188954" ON "audit_accesslog" ("child_id")',
    'CREATE INDEX IF NOT EXISTS "audit_accesslog_user_id_7f87e501" ON "audit_accesslog" ("user_id")',
]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0008_webhook_events"),
        ("cases", "0010_access_request"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(DROP, reverse_sql=CREATE)],
            state_operations=[
                migrations.AlterField(
                    model_name="accesslog",
                    name="child",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="access_log",
                        to="cases.child",
                        verbose_name="barn",
                    ),
                ),
                migrations.AlterField(
                    model_name="accesslog",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="access_log",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="medarbejder",
                    ),
                ),
            ],
        )
    ]
