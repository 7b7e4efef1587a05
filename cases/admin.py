"""Only configuration is in the admin: the legal bases. Children, cases, notifications, plans and
the journal are case contents, which the system administrator configures around but never reads,
so none of them is registered here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases.models import LegalBasis


@admin.register(LegalBasis)
class LegalBasisAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "sel_section", "bl_section"]
    search_fields = ["code", "title", "sel_section", "bl_section"]
    ordering = ["code"]
