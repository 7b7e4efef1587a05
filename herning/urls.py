"""The project's URLs: every app's pages, each role's start page and the REST API.

This module and ``herning/celery.py`` are the top of the project: they may import every app. The
foundation apps under ``herning/`` import no domain app, so the pages that are a role's start page
(owned by the domain apps) and the API's resources are routed here.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from rest_framework.routers import DefaultRouter

from cases.api import (
    AccessRequestViewSet,
    CaseloadViewSet,
    CaseViewSet,
    ChildViewSet,
    GoalViewSet,
    InvestigationViewSet,
    NotificationViewSet,
    PlanViewSet,
)
from cases.views import intake as case_intake
from dashboards import views as dashboard_views
from dubu.api import DubuExportView, DubuImportViewSet
from evaluation import views as evaluation_views
from followups.api import FollowUpViewSet
from herning.accounts import views as account_views
from herning.accounts.middleware import two_factor_exempt
from herning.api.changes import ChangesView
from herning.api.webhook_api import WebhookDeliveryViewSet, WebhookViewSet
from herning.core import views as core_views
from measures.api import LadderMovementViewSet, MeasureTypeViewSet, MeasureViewSet
from network_meetings.api import NetworkMeetingViewSet

admin.site.site_header = _("Herning – administration")
admin.site.site_title = _("Herning")
admin.site.index_title = _("Opsætning")

# Each role's start page (``herning.accounts.views.start`` sends a person to the page of their most
# demanding role).
start_patterns = (
    [
        path("min-dag/", dashboard_views.my_day, name="my_day"),
        path("team/", dashboard_views.team, name="team"),
        path("team/afsnit/<slug:key>/", dashboard_views.team_section, name="team_section"),
        path("vagt/", case_intake.duty, name="duty"),
        path("underretninger/", case_intake.intake, name="intake"),
        path("mine-sager/", case_intake.my_cases, name="my_cases"),
        path("ledelse/", evaluation_views.management_page, name="management"),
        path("ingen-rolle/", account_views.no_role, name="no_role"),
    ],
    "start",
)

# ``/api/v1/``: the one router, in the order the resources appear in the documentation (docs/api.md).
router = DefaultRouter()
router.register("children", ChildViewSet, basename="child")
router.register("cases", CaseViewSet, basename="case")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("investigations", InvestigationViewSet, basename="investigation")
router.register("measures", MeasureViewSet, basename="measure")
router.register("measure-types", MeasureTypeViewSet, basename="measure-type")
router.register("ladder-movements", LadderMovementViewSet, basename="ladder-movement")
router.register("plans", PlanViewSet, basename="plan")
router.register("goals", GoalViewSet, basename="goal")
router.register("followups", FollowUpViewSet, basename="followup")
router.register("network-meetings", NetworkMeetingViewSet, basename="network-meeting")
router.register("caseload", CaseloadViewSet, basename="caseload")
router.register("dubu/imports", DubuImportViewSet, basename="dubu-import")
router.register("access-requests", AccessRequestViewSet, basename="access-request")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register(
    r"webhooks/(?P<webhook_id>\d+)/deliveries", WebhookDeliveryViewSet, basename="webhook-delivery"
)

api_v1_patterns = [
    path("", include("followups.api_urls")),
    path("", include("evaluation.api_urls")),
    path("dubu/export/", DubuExportView.as_view(), name="dubu-export"),
    path("changes/", ChangesView.as_view(), name="changes"),
    path("", include(router.urls)),
]

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
    path("api/v1/", include(api_v1_patterns)),
    path("api/", include("herning.api.urls")),
    path("administration/api-tokens/", include("herning.api.page_urls")),
    path("admin/", admin.site.urls),
]
if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))

# Under /api/ a missing address or a server error is answered in the API's error format (problem
# details); elsewhere Django's pages (templates/404.html, 500.html).
handler404 = "herning.api.problems.page_not_found"
handler500 = "herning.api.problems.server_error"
