"""The receipt and the feedback to a professional notifier are cited as Barnets Lov § 136, not
§ 137 (§ 137 is the re-assessment of a case with measures; docs/deadlines.md, "Notifications").
The stored deadlines say so too; their digest is left as it was, so the next rebuild rewrites the
open ones from the rules without starting their reminders again."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace

OLD, NEW = "Barnets Lov § 137", "Barnets Lov § 136"


def cite_136(apps, schema_editor):
    Deadline = apps.get_model("followups", "Deadline")
    Deadline.objects.filter(kind__in=["receipt", "feedback"], rule=OLD).update(
        rule=NEW,
        explanation=Replace("explanation", Value(OLD), Value(NEW)),
        explanation_en=Replace("explanation_en", Value(OLD), Value(NEW)),
    )


class Migration(migrations.Migration):
    dependencies = [("followups", "0010_later_date_database_defaults")]

    operations = [migrations.RunPython(cite_136, migrations.RunPython.noop)]
