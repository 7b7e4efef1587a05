from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from herning.accounts.urls import start_patterns
from herning.core import views as core_views

admin.site.site_header = _("Herning – administration")
admin.site.site_title = _("Herning")
admin.site.index_title = _("Opsætning")

urlpatterns = [
    path("", include("herning.accounts.urls")),
    path("", include(start_patterns)),
    path("sundhed/", core_views.health, name="health"),
    path("opfoelgning/", include("followups.urls")),
    path("api/v1/", include("followups.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
