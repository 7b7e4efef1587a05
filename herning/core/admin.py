"""The periodic schedule is code (``herning/celery.py``), the same for every municipality on the
installation: django-celery-beat's tables are not a municipality's to edit, so its admin is left
out (docs/access.md, "The admin")."""

from django.contrib import admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

for model in (PeriodicTask, ClockedSchedule, CrontabSchedule, SolarSchedule, IntervalSchedule):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
