from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from herning.api.models import TOKEN_PREFIX_LENGTH, ApiToken, hash_token


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "scope",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["scope", "revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["user", "name", "scope", "expires_at", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Revoked tokens are kept: who had access through the API, and when, must stay answerable.
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            import secrets

            key = secrets.token_urlsafe(32)
            obj.prefix = key[:TOKEN_PREFIX_LENGTH]
            obj.key_hash = hash_token(key)
            super().save_model(request, obj, form, change)
            messages.warning(
                request,
                _("Tokenet er %(key)s — kopiér det nu; det vises ikke igen.") % {"key": key},
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Spær valgte tokens"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%(count)d token(s) spærret.") % {"count": count})
