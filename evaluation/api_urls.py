"""The statistics API's addresses under ``/api/v1/`` (``evaluation.api``)."""

from django.urls import path

from evaluation.api import StatisticDetailView, StatisticsListView

urlpatterns = [
    path("statistics/", StatisticsListView.as_view(), name="statistic-list"),
    path("statistics/<slug:key>/", StatisticDetailView.as_view(), name="statistic-detail"),
]
