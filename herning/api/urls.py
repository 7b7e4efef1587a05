"""The API's own pages: the OpenAPI schema and the browsable documentation.

The resources under ``/api/v1/`` belong to the domain apps (each app's ``api.py``); the project's
URL configuration (``herning/urls.py``) registers them on the one router.
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start script from our own address (``?script``) instead of
    # inline: the Content-Security-Policy refuses inline scripts, and the page stayed empty.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
]
