"""Only the configuration of network meetings is in the admin: the teams' fixed meeting slots.

Meetings, minutes, consents and network maps are case data about a named child; they are read
through the pages, which start from ``cases.access`` and log every read, never through the admin.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from network_meetings.models import MeetingSlot


@admin.register(MeetingSlot)
class MeetingSlotAdmin(SimpleHistoryAdmin):
    list_display = ["team", "starts_at", "ends_at", "place", "status", "release_at"]
    list_filter = ["status", "team"]
    date_hierarchy = "starts_at"
    fields = ["team", "starts_at", "ends_at", "place", "status", "release_at", "offered_by", "offered_at"]
    readonly_fields = ["status", "offered_by", "offered_at"]
    raw_id_fields = ["team"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.offered_by = request.user
        super().save_model(request, obj, form, change)
