"""The access log's keys without foreign-key constraints in the database (``AccessLog``'s comment
says why): the constraints are dropped, which takes a moment whatever the table's size; Django's
PROTECT still guards the entries."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0009_access_log_indexes_lead_with_the_person_or_child'),
        ('cases', '0010_access_request'),
        ('organisation', '0006_municipality_letterhead'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='accesslog',
            name='case',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case', verbose_name='sag'),
        ),
        migrations.AlterField(
            model_name='accesslog',
            name='child',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='access_log', to='cases.child', verbose_name='barn'),
        ),
        migrations.AlterField(
            model_name='accesslog',
            name='municipality',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisation.municipality', verbose_name='kommune'),
        ),
        migrations.AlterField(
            model_name='accesslog',
            name='user',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='access_log', to=settings.AUTH_USER_MODEL, verbose_name='medarbejder'),
        ),
    ]
