"""``/api/v1/``: every app registers its resources on the one router here."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

router = DefaultRouter()
# Apps register their viewsets here, in the order they appear in the documentation.
extra_v1_patterns: list = [
    path("", include("followups.api_urls")),
]

urlpatterns = [
    path("v1/", include(extra_v1_patterns)),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
