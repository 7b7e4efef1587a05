"""Two-factor devices in the admin: a system administrator can see who has set up the app and
reset it (delete the device) for a person who lost their phone, but never sees a secret key or a
backup code, which would let them pass someone else's second factor (backup codes are kept only
as hashes in any case)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from herning.accounts.models import BackupCodeDevice

# django-otp's static device (plain-text codes) is no longer used: its codes were moved to
# BackupCodeDevice by migration accounts 0002, and the admin must not offer to make new ones.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class DeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TOTPDevice)
class AppDeviceAdmin(DeviceAdmin):
    pass


@admin.register(BackupCodeDevice)
class BackupCodesAdmin(DeviceAdmin):
    pass


TOTPDevice._meta.verbose_name = _("autentificeringsapp")
TOTPDevice._meta.verbose_name_plural = _("autentificeringsapps")
