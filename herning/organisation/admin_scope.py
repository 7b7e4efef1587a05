"""The admin is the system administrator's, bounded by their municipality (docs/access.md, "The
admin").

Nobody is a Django superuser. The admin site lets in an active system administrator of a
municipality (``HerningAdminSite``), and every ``ModelAdmin`` is a ``ScopedAdmin``: it names the
path from its model to the municipality (``municipality_path``), and the mixin scopes, from that one
path, the lists and change pages (``get_queryset``: another municipality's record is "not found" by
URL and by id), the history pages (by the object itself, as django-simple-history may find a
record through its history table), the choices of every foreign key (the related model's own admin
path), the list filters (only values in the person's own records) and every action (which run on
the scoped list). A model without a municipality is the installation's shared configuration (the
ladder, the measure catalog, the legal bases, the DUBU profiles): ``municipality_path = None``.

The shared configuration is changed by one person only: the installation's national operator
(``is_national_operator``, granted on the server by ``manage.py grant_national_operator``), who
holds no municipality and no role and so reads no case contents. Every municipality's system
administrator reads it, and changes none of it (it would change it for every other municipality);
the operator sees nothing but it. Each addition, change or deletion the operator makes is an
audit event (``log_addition``/``log_change``/``log_deletions`` below, inside the admin's
transaction), which every municipality's system administrator reads.

Admins of installed packages that hold no municipality (django-celery-beat's schedules, django-axes'
login records, auth's groups) are unregistered: what they hold is the installation's, run by its
operators on the server, not by a municipality's administrator.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from herning.audit.services import record_shared_configuration_change
from herning.organisation.models import Municipality, Role


def is_system_administrator(user) -> bool:
    """An active system administrator of a municipality: the one kind of person the admin lets in."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.municipality_id
        and not getattr(user, "is_service_user", False)
        and user.has_role(Role.SYSTEM_ADMINISTRATOR)
    )


def is_national_operator(user) -> bool:
    """The installation's national operator: active, granted on the server, in no municipality and
    holding no role (a person given a municipality or a role is no longer the operator)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and getattr(user, "is_national_operator", False)
        and not user.municipality_id
        and not getattr(user, "is_service_user", False)
        and not user.roles
    )


def municipality_id_of(obj, path: str):
    """The id of the municipality ``obj`` belongs to, following ``path`` ("pk", "municipality",
    "district__municipality", …) by attribute, so it works for a record read from a history table."""
    if path == "pk":
        return obj.pk
    *through, last = path.split("__")
    for name in through:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


class HerningAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return is_system_administrator(request.user) or is_national_operator(request.user)


class _ScopedPermissions:
    """What a system administrator may do in every admin, before each admin's own limits (a
    read-only list, presets that are copied, not changed) narrow it further: read and write their
    municipality's records, read the shared configuration. The national operator writes the
    shared configuration and sees no other admin."""

    def shares_configuration(self) -> bool:
        """Whether the admin's records are the installation's shared configuration."""
        raise NotImplementedError

    def _reads(self, request) -> bool:
        if is_national_operator(request.user):
            return self.shares_configuration()
        return is_system_administrator(request.user)

    def _writes(self, request) -> bool:
        if is_national_operator(request.user):
            return self.shares_configuration()
        return is_system_administrator(request.user) and not self.shares_configuration()

    def has_module_permission(self, request) -> bool:
        return self._reads(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._reads(request) and self._in_scope(request, obj, write=False)

    def has_add_permission(self, request, *args) -> bool:
        return self._writes(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._writes(request) and self._in_scope(request, obj, write=True)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._writes(request) and self._in_scope(request, obj, write=True)

    def _in_scope(self, request, obj, *, write: bool) -> bool:
        return True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.get_queryset()
        kwargs["queryset"] = scope_choices(self.admin_site, queryset, request.user)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.remote_field.model is Municipality:
            # A record made here is the administrator's municipality's: never "none" (which would
            # make it shared by every municipality on the installation, as a preset is).
            field.required = True
            field.empty_label = None
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.get_queryset()
        kwargs["queryset"] = scope_choices(self.admin_site, queryset, request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def scope_choices(admin_site, queryset, user):
    """The rows of ``queryset`` a system administrator may choose: scoped by the related model's
    own admin, so a team, a person or a rule set of another municipality is never offered."""
    related_admin = admin_site._registry.get(queryset.model)
    if isinstance(related_admin, ScopedAdmin):
        return related_admin.scope(queryset, user, write=False)
    return queryset


class ScopedAdmin(_ScopedPermissions):
    """Mixin for a ``ModelAdmin`` (before Django's or django-simple-history's admin in the bases)."""

    #: The path from the model to its municipality; ``None`` for the installation's shared configuration.
    municipality_path: str | None = None
    #: Rows with no municipality are shared by all (the preset rule sets): read by every system
    #: administrator, changed by none.
    shared_when_empty: bool = False

    def shares_configuration(self) -> bool:
        return self.municipality_path is None

    def scope(self, queryset, user, *, write: bool):
        if self.municipality_path is None:
            return queryset
        if not is_system_administrator(user):
            return queryset.none()
        own = queryset.filter(**{self.municipality_path: user.municipality_id})
        if self.shared_when_empty and not write:
            return own | queryset.filter(**{f"{self.municipality_path}__isnull": True})
        return own

    def get_queryset(self, request):
        return self.scope(super().get_queryset(request), request.user, write=False)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django's admin answers an id it cannot find with a redirect to its index; a record of
        # another municipality is "not found" as everywhere else in the product (docs/access.md §1).
        raise Http404

    def _in_scope(self, request, obj, *, write: bool) -> bool:
        if obj is None or self.municipality_path is None:
            return True
        municipality_id = municipality_id_of(obj, self.municipality_path)
        if municipality_id is None:
            return self.shared_when_empty and not write
        return municipality_id == request.user.municipality_id

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a revert posted by anyone who may merely view the record:
        # the change permission is asked here, and the revert is one transaction with its audit
        # event, as Django's own change form is.
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                raise Http404
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    def log_addition(self, request, obj, message):
        self._record_shared_change(request, "add", obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._record_shared_change(request, "change", obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        # Called before the deletion, with the records still there to name.
        for obj in queryset:
            self._record_shared_change(request, "delete", obj, [])
        return super().log_deletions(request, queryset)

    def _record_shared_change(self, request, action: str, obj, message) -> None:
        if self.shares_configuration():
            record_shared_configuration_change(actor=request.user, action=action, obj=obj, change=message)

    def get_list_filter(self, request):
        """A filter on a related field lists only the values found in the person's own records
        (Django's plain one would name every municipality's teams and districts)."""
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
                item = (item, admin.RelatedOnlyFieldListFilter)
            filters.append(item)
        return filters


class ScopedInline(_ScopedPermissions):
    """Mixin for an inline: the parent's admin has scoped the record; this gives the system
    administrator the inline's permissions and scopes its choices. An inline of shared
    configuration (the unit costs of a measure type) is shared configuration too; its changes
    are in the parent's change message, and so in the parent's audit event."""

    def shares_configuration(self) -> bool:
        return self.admin_site._registry[self.parent_model].shares_configuration()
