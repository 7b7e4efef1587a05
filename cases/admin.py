"""Only configuration is in the admin: the legal bases. Children, cases, notifications, plans and
the journal are case contents, which the system administrator configures around but never reads,
so none of them is registered here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases.models import LegalBasis
from herning.organisation.admin_scope import ScopedAdmin


@admin.register(LegalBasis)
class LegalBasisAdmin(ScopedAdmin, SimpleHistoryAdmin):
    # The law is the same in every municipality: shared configuration (municipality_path None).
    list_display = ["code", "title", "sel_section", "bl_section"]
    search_fields = ["code", "title", "sel_section", "bl_section"]
    ordering = ["code"]
