"""The shipped legal basis of the receipt to a professional notifier is Barnets Lov § 136, not
§ 137 (docs/deadlines.md, "Notifications"); a line a municipality has changed is left alone."""

from django.db import migrations


def cite_136(apps, schema_editor):
    LegalBasis = apps.get_model("cases", "LegalBasis")
    LegalBasis.objects.filter(code="notification_receipt", bl_section="§ 137").update(bl_section="§ 136")


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_database_defaults_for_bulk_writers")]

    operations = [migrations.RunPython(cite_136, migrations.RunPython.noop)]
