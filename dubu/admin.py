"""The DUBU profiles and their code table: configuration with shipped defaults (dubu/defaults.py)
that the system administrator corrects to what the municipality's DUBU extract says. The links
between DUBU cases and ours are case contents and are not in the admin; the import runs are
listed read-only (they hold counts and row errors, never a CPR number or a name)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from dubu.models import CodeMapping, ImportRun, MappingProfile
from herning.organisation.admin_scope import ScopedAdmin, ScopedInline


class CodeMappingInline(ScopedInline, admin.TabularInline):
    model = CodeMapping
    extra = 1
    fields = ["service", "offer", "legal_basis", "measure_type", "note"]
    autocomplete_fields = ["measure_type"]


@admin.register(MappingProfile)
class MappingProfileAdmin(ScopedAdmin, SimpleHistoryAdmin):
    # The profiles describe DUBU's file layout, the same for every municipality: shared configuration.
    list_display = ["name", "is_default", "delimiter", "encoding", "date_format"]
    fieldsets = [
        (None, {"fields": ["name", "description", "is_default", "delimiter", "encoding", "date_format"]}),
        (
            _("Kolonner"),
            {
                "fields": [
                    "case_id_column",
                    "cpr_column",
                    "first_name_column",
                    "last_name_column",
                    "advisor_column",
                    "district_column",
                    "service_column",
                    "offer_column",
                    "legal_basis_column",
                    "start_column",
                    "end_column",
                    "provider_column",
                    "last_followup_column",
                ]
            },
        ),
    ]
    inlines = [CodeMappingInline]


@admin.register(ImportRun)
class ImportRunAdmin(ScopedAdmin, admin.ModelAdmin):
    municipality_path = "user__municipality"
    list_display = ["started_at", "file_name", "user", "profile", "dry_run", "committed", "seconds"]
    list_filter = ["dry_run", "committed", "profile"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
