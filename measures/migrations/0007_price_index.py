"""The price index (PriceIndex) and its shipped years (measures/catalog.py, PRICE_INDEX: Danmarks
Statistik's consumer price index, PRIS113, 2015 = 100), so spend can be shown in one year's prices."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


def load(apps, schema_editor):
    from measures.catalog import load_default_price_index

    load_default_price_index(PriceIndex=apps.get_model("measures", "PriceIndex"))


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0006_database_defaults_for_bulk_writers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PriceIndex',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(unique=True, validators=[django.core.validators.MinValueValidator(1900)], verbose_name='år')),
                ('value', models.DecimalField(decimal_places=2, max_digits=8, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='indeks')),
                ('source', models.CharField(blank=True, max_length=250, verbose_name='kilde')),
            ],
            options={
                'verbose_name': 'prisindeks',
                'verbose_name_plural': 'prisindeks',
                'ordering': ['year'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalPriceIndex',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(db_index=True, validators=[django.core.validators.MinValueValidator(1900)], verbose_name='år')),
                ('value', models.DecimalField(decimal_places=2, max_digits=8, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='indeks')),
                ('source', models.CharField(blank=True, max_length=250, verbose_name='kilde')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical prisindeks',
                'verbose_name_plural': 'historical prisindeks',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
