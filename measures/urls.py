from django.urls import path

from measures import views

app_name = "measures"

urlpatterns = [
    path("sager/<int:case_pk>/indsatser/ny/", views.measure_start, name="measure_start"),
    path("indsatser/<int:pk>/afslut/", views.measure_end, name="measure_end"),
    path("indsatser/<int:pk>/skift/", views.measure_change, name="measure_change"),
]
