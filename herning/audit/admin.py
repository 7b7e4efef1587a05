"""The audit events (the access log's purge, erasures) are visible to the system administrator,
read-only: they hold ids and counts, no child's data. A system administrator reads their own
municipality's events and the installation's own (the nightly purge, which belongs to no municipality). The access log itself is not in the admin
(it tells which children have a case); the data-protection role reads it at /adgangslog/."""

from django.contrib import admin

from herning.audit.models import AuditEvent
from herning.organisation.admin_scope import ScopedAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin, admin.ModelAdmin):
    municipality_path = "municipality"
    shared_when_empty = True
    list_display = ["at", "kind", "actor", "subject"]
    list_filter = ["kind"]
    list_select_related = ["actor", "subject"]
    date_hierarchy = "at"
    fields = ["at", "kind", "actor", "subject", "reason", "details"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
