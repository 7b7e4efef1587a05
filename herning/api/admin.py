"""API tokens in the admin, for the system administrator's own municipality: listed with their
expiry and last use, issued (the key shown once) and revoked through ``herning.api.services``, which
allows tokens for service users only and records each step as an audit event. The page
``/administration/api-tokens/`` does the same and also rotates a token."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from herning.api import services, webhook_services
from herning.api.models import ApiToken, WebhookDelivery, WebhookSubscription
from herning.organisation.admin_scope import ScopedAdmin, ScopedInline


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin, admin.ModelAdmin):
    municipality_path = "user__municipality"
    list_display = [
        "name",
        "user",
        "prefix",
        "scope",
        "issued_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["scope", "revoked_at"]
    list_select_related = ["user", "issued_by"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "issued_by", "created_at", "last_used_at", "revoked_at"]
    fields = [
        "user",
        "name",
        "scope",
        "expires_at",
        "prefix",
        "issued_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None) -> bool:
        # A token is issued, rotated or revoked, each an audit event; never edited in place.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Revoked tokens are kept: who had access through the API, and when, must stay answerable.
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user":
            field.queryset = field.queryset.filter(is_service_user=True, is_active=True)
        return field

    def save_model(self, request, obj, form, change):
        try:
            token, key = services.issue_token(
                by=request.user,
                user=obj.user,
                name=obj.name,
                read_only=obj.scope == ApiToken.Scope.READ,
                expires_at=obj.expires_at,
            )
        except (PermissionDenied, ValidationError) as error:
            # The form offers only the municipality's service users; this is the rule's own word.
            raise PermissionDenied(str(error)) from error
        obj.pk, obj.prefix, obj._state.adding = token.pk, token.prefix, False
        messages.warning(
            request,
            _("Tokenet er %(key)s — kopiér det nu; det vises ikke igen.") % {"key": key},
        )

    @admin.action(description=_("Spær valgte tokens"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            services.revoke_token(by=request.user, token=token)
            count += 1
        self.message_user(request, _("%(count)d token(s) spærret.") % {"count": count})


class DeadDeliveryInline(ScopedInline, admin.TabularInline):
    """The dead-letter list of one webhook: deliveries given up after every retry."""

    model = WebhookDelivery
    verbose_name_plural = _("Opgivne leveringer")
    fields = ["event", "attempts", "last_status", "last_error", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(state=WebhookDelivery.State.DEAD).select_related("event")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class WebhookSubscriptionForm(forms.ModelForm):
    """The API's rules for a webhook (``herning.api.webhook_services``): a public https address in
    production, known kinds and resources, the cap per token."""

    class Meta:
        model = WebhookSubscription
        fields = ["token", "url", "kinds", "resources", "active"]

    def clean(self):
        data = super().clean()
        try:
            data.update(webhook_services.clean_fields({k: v for k, v in data.items() if v is not None}))
            if self.instance.pk is None and data.get("token") is not None:
                webhook_services.check_room(data["token"])
        except ValidationError as error:
            self.add_error(None, error)
        return data


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ScopedAdmin, admin.ModelAdmin):
    """A token's webhooks, for the system administrator of the token's municipality. The secret
    is shown here so it can be given to the receiver, which checks each delivery's signature. Made,
    changed and deleted through the services the API calls, each an audit event."""

    form = WebhookSubscriptionForm
    municipality_path = "token__user__municipality"
    list_display = ["url", "token", "active", "created_at"]
    list_select_related = ["token"]
    readonly_fields = ["secret", "created_at", "updated_at"]
    fields = ["token", "url", "kinds", "resources", "active", "secret", "created_at", "updated_at"]
    inlines = [DeadDeliveryInline]
    actions = ["redeliver_dead"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "token":
            field.queryset = ApiToken.objects.usable().filter(
                user__municipality_id=request.user.municipality_id
            )
        return field

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in ("url", "kinds", "resources", "active")}
        if change:
            stored = WebhookSubscription.objects.select_related("token__user").get(pk=obj.pk)
            webhook_services.webhook_update(by=request.user, subscription=stored, **values)
            return
        made, _secret = webhook_services.webhook_create(by=request.user, token=obj.token, **values)
        obj.pk, obj.secret, obj._state.adding = made.pk, made.secret, False

    def delete_model(self, request, obj):
        webhook_services.webhook_delete(by=request.user, subscription=obj)

    def delete_queryset(self, request, queryset):
        for subscription in queryset.select_related("token__user"):
            webhook_services.webhook_delete(by=request.user, subscription=subscription)

    @admin.action(description=_("Send opgivne leveringer igen"))
    def redeliver_dead(self, request, queryset):
        dead = WebhookDelivery.objects.filter(
            subscription__in=queryset, state=WebhookDelivery.State.DEAD
        ).select_related("subscription__token__user")
        count = 0
        for delivery in dead:
            webhook_services.webhook_redeliver(by=request.user, delivery=delivery)
            count += 1
        self.message_user(request, _("%(count)d levering(er) sendes igen.") % {"count": count})
