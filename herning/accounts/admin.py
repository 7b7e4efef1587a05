"""Two-factor devices in the admin: a system administrator can see who has set up the app and
reset it (delete the device) for a person who lost their phone, but never sees a secret key or a
backup code, which would let them pass someone else's second factor (backup codes are kept only
as hashes in any case). Only their own municipality's staff; every reset is an audit event."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from herning.accounts.models import BackupCodeDevice
from herning.audit.models import AuditEvent
from herning.audit.services import record_access_event
from herning.organisation.admin_scope import ScopedAdmin

# django-otp's static device (plain-text codes) is no longer used: its codes were moved to
# BackupCodeDevice by migration accounts 0002, and the admin must not offer to make new ones.
# django-axes' login records hold the user names and addresses of every municipality's staff: they
# are the installation's, read by its operators (axes_reset_username), not by a municipality.
for model in (TOTPDevice, StaticDevice, AccessAttempt, AccessFailureLog, AccessLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class DeviceAdmin(ScopedAdmin, admin.ModelAdmin):
    municipality_path = "user__municipality"
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        self.delete_queryset(request, type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for device in queryset.select_related("user"):
                record_access_event(
                    kind=AuditEvent.Kind.DEVICE_RESET,
                    actor=request.user,
                    subject=device.user,
                    reason="To-faktor-enhed slettet i administrationen.",
                    details={"device": device._meta.label, "name": device.name},
                )
                device.delete()


@admin.register(TOTPDevice)
class AppDeviceAdmin(DeviceAdmin):
    pass


@admin.register(BackupCodeDevice)
class BackupCodesAdmin(DeviceAdmin):
    pass


TOTPDevice._meta.verbose_name = _("autentificeringsapp")
TOTPDevice._meta.verbose_name_plural = _("autentificeringsapps")
