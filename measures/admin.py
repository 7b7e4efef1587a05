"""The ladder and the measure catalog with its unit costs: configuration with shipped defaults
(measures/catalog.py) that the system administrator edits. Measures on cases and ladder movements
are case contents and are not in the admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from herning.organisation.admin_scope import ScopedAdmin, ScopedInline
from measures.models import LadderStep, MeasureType, PriceIndex, UnitCost


@admin.register(LadderStep)
class LadderStepAdmin(ScopedAdmin, SimpleHistoryAdmin):
    # The ladder and the catalog are the installation's, shared by its municipalities.
    list_display = ["number", "name", "name_en", "is_placement"]
    ordering = ["number"]


class UnitCostInline(ScopedInline, admin.TabularInline):
    model = UnitCost
    extra = 0
    fields = ["valid_from", "valid_to", "amount_per_year"]


@admin.register(MeasureType)
class MeasureTypeAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "code", "ladder_step", "legal_basis_citation", "placement_category", "is_active"]
    list_filter = [
        "ladder_step",
        "placement_category",
        "is_short_term",
        "is_home_treatment",
        "is_boarding_school",
        "is_active",
    ]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["ladder_step", "legal_basis"]
    inlines = [UnitCostInline]

    @admin.display(description=_("lovgrundlag"))
    def legal_basis_citation(self, obj: MeasureType) -> str:
        return obj.legal_basis.citation


@admin.register(PriceIndex)
class PriceIndexAdmin(ScopedAdmin, SimpleHistoryAdmin):
    # The price index is the installation's, shared by its municipalities, like the unit costs.
    list_display = ["year", "value", "source"]
    ordering = ["year"]
