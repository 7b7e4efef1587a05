from django.urls import path

from followups.api import SchedulePreviewView

urlpatterns = [
    path("schedule-preview/", SchedulePreviewView.as_view(), name="schedule_preview"),
]
