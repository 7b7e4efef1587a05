from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from herning.organisation.models import (
    ClosedDay,
    District,
    DutyShift,
    Municipality,
    RoleAssignment,
    SchoolDistrict,
    Team,
    User,
)


class SchoolDistrictInline(admin.TabularInline):
    model = SchoolDistrict
    extra = 0


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    fields = ["name", "caseload_cap", "caseload_warning", "shares_cases"]


class ClosedDayInline(admin.TabularInline):
    """The municipality's closed days beyond the public holidays (docs/deadlines.md, "Working days")."""

    model = ClosedDay
    extra = 0
    fields = ["name", "day", "month", "year"]


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "screening_working_days"]
    search_fields = ["name", "code"]
    inlines = [ClosedDayInline]


@admin.register(ClosedDay)
class ClosedDayAdmin(SimpleHistoryAdmin):
    list_display = ["name", "day", "month", "year", "municipality"]
    list_filter = ["municipality"]


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]
    inlines = [SchoolDistrictInline, TeamInline]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "district", "caseload_cap", "caseload_warning", "shares_cases"]
    list_filter = ["district__municipality", "district"]
    search_fields = ["name"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["team"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "email", "municipality", "role_list", "is_active"]
    list_filter = ["municipality", "role_assignments__role", "role_assignments__team", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("municipality", "job_title", "phone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ("first_name", "last_name", "email", "municipality")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments__team")

    @admin.display(description=_("roller"))
    def role_list(self, obj):
        return ", ".join(str(a) for a in obj.role_assignments.all())


@admin.register(DutyShift)
class DutyShiftAdmin(SimpleHistoryAdmin):
    list_display = ["date", "district", "advisor"]
    list_filter = ["district", "date"]
    date_hierarchy = "date"
    autocomplete_fields = ["advisor"]
