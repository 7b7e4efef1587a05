"""The organisation in the admin, each list and form bounded by the system administrator's own
municipality (``herning.organisation.admin_scope``)."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from herning.audit.models import AuditEvent
from herning.audit.services import record_access_event
from herning.organisation.admin_scope import ScopedAdmin, ScopedInline
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

# Roles are the product's own (RoleAssignment); Django's groups and permissions are not used.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class SchoolDistrictInline(ScopedInline, admin.TabularInline):
    model = SchoolDistrict
    extra = 0


class TeamInline(ScopedInline, admin.TabularInline):
    model = Team
    extra = 0
    fields = ["name", "caseload_cap", "caseload_warning", "shares_cases"]


class ClosedDayInline(ScopedInline, admin.TabularInline):
    """The municipality's closed days beyond the public holidays (docs/deadlines.md, "Working days")."""

    model = ClosedDay
    extra = 0
    fields = ["name", "day", "month", "year"]


@admin.register(Municipality)
class MunicipalityAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Their own municipality only; a municipality is added (and never deleted) by the operators."""

    municipality_path = "pk"
    list_display = ["name", "code", "screening_working_days"]
    search_fields = ["name", "code"]
    inlines = [ClosedDayInline]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ClosedDay)
class ClosedDayAdmin(ScopedAdmin, SimpleHistoryAdmin):
    municipality_path = "municipality"
    list_display = ["name", "day", "month", "year", "municipality"]
    list_filter = ["municipality"]


@admin.register(District)
class DistrictAdmin(ScopedAdmin, SimpleHistoryAdmin):
    municipality_path = "municipality"
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]
    inlines = [SchoolDistrictInline, TeamInline]


@admin.register(Team)
class TeamAdmin(ScopedAdmin, SimpleHistoryAdmin):
    municipality_path = "district__municipality"
    list_display = ["name", "district", "caseload_cap", "caseload_warning", "shares_cases"]
    list_filter = ["district__municipality", "district"]
    search_fields = ["name"]


class RoleAssignmentInline(ScopedInline, admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["team"]


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin, SimpleHistoryAdmin):
    """The municipality's staff and service users. Django's superuser, staff flag, groups and
    permissions are left out: what a person may do follows from their roles alone, and nobody is
    given more than a system administrator of their own municipality."""

    municipality_path = "municipality"
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "role_list",
        "is_service_user",
        "is_active",
        "last_login",
    ]
    list_filter = ["role_assignments__role", "role_assignments__team", "is_service_user", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personlige oplysninger"), {"fields": ("first_name", "last_name", "email")}),
        (_("Adgang"), {"fields": ("is_active", "is_service_user", "last_login", "date_joined")}),
        (_("Organisation"), {"fields": ("municipality", "job_title", "phone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (
            _("Organisation"),
            {"fields": ("first_name", "last_name", "email", "municipality", "is_service_user")},
        ),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments__team")

    def get_readonly_fields(self, request, obj=None):
        # Chosen when the user is made, never after: a person turned into a service user could be
        # given a token that reads as them (docs/access.md, "API tokens").
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "is_service_user"] if obj is not None else fields

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            # Django redirects away from the form only once the password is saved (a conflicting
            # submission is sent back to the form itself).
            if response.status_code == 302 and response.url != request.get_full_path():
                record_access_event(
                    kind=AuditEvent.Kind.PASSWORD_CHANGE,
                    actor=request.user,
                    subject=self.get_object(request, unquote(id)),
                    reason="Adgangskode sat i administrationen.",
                )
        return response

    @admin.display(description=_("roller"))
    def role_list(self, obj):
        return ", ".join(str(a) for a in obj.role_assignments.all())


@admin.register(DutyShift)
class DutyShiftAdmin(ScopedAdmin, SimpleHistoryAdmin):
    municipality_path = "district__municipality"
    list_display = ["date", "district", "advisor"]
    list_filter = ["district", "date"]
    date_hierarchy = "date"
    autocomplete_fields = ["advisor"]
