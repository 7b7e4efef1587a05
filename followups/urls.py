from django.urls import path

from followups import views

app_name = "followups"

urlpatterns = [
    path("frister/", views.deadlines, name="deadlines"),
    path("paamindelser/", views.reminders, name="reminders"),
    path("paamindelser/indstillinger/", views.reminder_settings, name="reminder_settings"),
    path("indsats/<int:measure_id>/", views.measure_schedule, name="measure_schedule"),
    path("indsats/<int:measure_id>/registrer/", views.followup_record, name="record"),
    path("indsats/<int:measure_id>/undtagelse/", views.exception_request, name="exception_request"),
    path("undtagelser/", views.exceptions, name="exceptions"),
    path("undtagelser/<int:pk>/beslutning/", views.exception_decide, name="exception_decide"),
    path("undtagelser/<int:pk>/tilbagekald/", views.exception_revoke, name="exception_revoke"),
    path("senere-dato/<int:pk>/beslutning/", views.later_date_decide, name="later_date_decide"),
    path("kalender/", views.calendar_settings, name="calendar"),
    path("kalender/<str:token>/frister.ics", views.calendar_feed, name="calendar_feed"),
]
