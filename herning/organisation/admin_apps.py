"""Django's admin with the site that lets in a municipality's system administrator only
(``herning.organisation.admin_scope``). A module of its own: an app's config is imported before the
models are ready."""

from django.contrib.admin.apps import AdminConfig


class HerningAdminConfig(AdminConfig):
    default_site = "herning.organisation.admin_scope.HerningAdminSite"
