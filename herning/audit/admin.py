"""The audit events (the access log's purge, erasures) are visible to the system administrator,
read-only: they hold ids and counts, no child's data. The access log itself is not in the admin
(it tells which children have a case); the data-protection role reads it at /adgangslog/."""

from django.contrib import admin

from herning.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "actor"]
    list_filter = ["kind"]
    date_hierarchy = "at"
    fields = ["at", "kind", "actor", "reason", "details"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
