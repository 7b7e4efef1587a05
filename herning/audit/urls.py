from django.urls import path

from herning.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.search, name="search"),
    path("indsigt/", views.citizen_export, name="citizen_export"),
]
