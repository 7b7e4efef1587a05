from django.urls import path

from dubu import views

app_name = "dubu"

urlpatterns = [
    path("", views.exchange, name="exchange"),
    path("import/<int:pk>/", views.run, name="run"),
    path("udtraek/", views.export, name="export"),
]
