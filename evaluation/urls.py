from django.urls import path

from evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.section_page, name="overview"),
    path("<slug:section>/", views.section_page, name="section"),
    path("eksport/<slug:key>.<str:fmt>", views.export, name="export"),
    path("sager/<int:case_id>/klager/", views.case_complaints, name="case_complaints"),
    path("sager/<int:case_id>/sdq/", views.case_sdq, name="case_sdq"),
]
