"""The overview's configuration in the admin: the target for institution placements."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from dashboards.models import StepDownTarget


@admin.register(StepDownTarget)
class StepDownTargetAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality", "share", "months"]
    list_filter = ["municipality"]
