"""The token page (``/administration/api-tokens/``), routed from ``herning/urls.py``."""

from django.urls import path

from herning.api import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("<int:pk>/forny/", views.token_rotate, name="rotate"),
    path("<int:pk>/spaer/", views.token_revoke, name="revoke"),
]
