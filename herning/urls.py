from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from herning.accounts.middleware import two_factor_exempt
from herning.accounts.urls import start_patterns
from herning.core import views as core_views

admin.site.site_header = _("Herning – administration")
admin.site.site_title = _("Herning")
admin.site.index_title = _("Opsætning")

urlpatterns = [
    path("", include("herning.accounts.urls")),
    path("", include(start_patterns)),
    path("", include("cases.urls")),
    path("", include("measures.urls")),
    path("adgangslog/", include("herning.audit.urls")),
    path("sundhed/", two_factor_exempt(core_views.health), name="health"),
    path("netvaerksmoeder/", include("network_meetings.urls")),
    path("evaluering/", include("evaluation.urls")),
    path("overblik/", include("dashboards.urls")),
    path("opfoelgning/", include("followups.urls")),
    path("dubu/", include("dubu.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("herning.api.urls")),
    path("admin/", admin.site.urls),
]
if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
