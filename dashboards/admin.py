"""The overview's configuration in the admin: the target for institution placements."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from dashboards.models import StepDownTarget
from herning.organisation.admin_scope import ScopedAdmin


@admin.register(StepDownTarget)
class StepDownTargetAdmin(ScopedAdmin, SimpleHistoryAdmin):
    # The shipped target (no municipality) is read by all; a municipality adds its own instead.
    municipality_path = "municipality"
    shared_when_empty = True
    list_display = ["name", "municipality", "share", "months"]
    list_filter = ["municipality"]
