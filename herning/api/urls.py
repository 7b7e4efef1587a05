"""The API's own pages: the OpenAPI schema and the browsable documentation.

The resources under ``/api/v1/`` belong to the domain apps (each app's ``api.py``); the project's
URL configuration (``herning/urls.py``) registers them on the one router.
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
