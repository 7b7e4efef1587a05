"""``/api/v1/``: every app registers its resources on the one router here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from cases.api import (
    CaseloadViewSet,
    CaseViewSet,
    ChildViewSet,
    GoalViewSet,
    NotificationViewSet,
    PlanViewSet,
)
from dubu.api import DubuExportView, DubuImportViewSet
from followups.api import FollowUpViewSet
from measures.api import LadderMovementViewSet, MeasureTypeViewSet, MeasureViewSet
from network_meetings.api import NetworkMeetingViewSet

router = DefaultRouter()
# In the order they appear in the documentation (docs/api.md).
router.register("children", ChildViewSet, basename="child")
router.register("cases", CaseViewSet, basename="case")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("measures", MeasureViewSet, basename="measure")
router.register("measure-types", MeasureTypeViewSet, basename="measure-type")
router.register("ladder-movements", LadderMovementViewSet, basename="ladder-movement")
router.register("plans", PlanViewSet, basename="plan")
router.register("goals", GoalViewSet, basename="goal")
router.register("followups", FollowUpViewSet, basename="followup")
router.register("network-meetings", NetworkMeetingViewSet, basename="network-meeting")
router.register("caseload", CaseloadViewSet, basename="caseload")
router.register("dubu/imports", DubuImportViewSet, basename="dubu-import")

extra_v1_patterns: list = [
    path("", include("followups.api_urls")),
    path("dubu/export/", DubuExportView.as_view(), name="dubu-export"),
]

urlpatterns = [
    path("v1/", include(extra_v1_patterns)),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
