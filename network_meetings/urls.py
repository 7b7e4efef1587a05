from django.urls import path

from network_meetings import views

app_name = "network_meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("nyt/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/ret/", views.meeting_edit, name="edit"),
    path("<int:pk>/aflys/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/opfoelgning/", views.meeting_follow_up, name="follow_up"),
    path("<int:pk>/deltagere/", views.meeting_participants, name="participants"),
    path("<int:pk>/deltagere/roller/", views.meeting_roles, name="roles"),
    path("<int:pk>/deltagere/fra-netvaerkskort/", views.participants_from_map, name="participants_from_map"),
    path("<int:pk>/deltagere/<int:participant_pk>/", views.participant_edit, name="participant_edit"),
    path(
        "<int:pk>/deltagere/<int:participant_pk>/status/", views.participant_status, name="participant_status"
    ),
    path(
        "<int:pk>/deltagere/<int:participant_pk>/fjern/", views.participant_remove, name="participant_remove"
    ),
    path("<int:pk>/samtykke/", views.meeting_consent, name="consent"),
    path("<int:pk>/invitation/", views.meeting_invitation, name="invitation"),
    path("<int:pk>/invitation.pdf", views.meeting_invitation_pdf, name="invitation_pdf"),
    path("<int:pk>/invitation/send/", views.meeting_invitation_send, name="invitation_send"),
    path("<int:pk>/referat/", views.meeting_minutes, name="minutes"),
    path("<int:pk>/referat/udskrift/", views.minutes_print, name="minutes_print"),
    path("<int:pk>/referat.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("<int:pk>/referat/send/", views.minutes_send, name="minutes_send"),
    path("<int:pk>/aftaler/", views.agreement_add, name="agreement_add"),
    path("<int:pk>/aftaler/<int:agreement_pk>/udfoert/", views.agreement_done, name="agreement_done"),
    path("<int:pk>/aftaler/<int:agreement_pk>/fjern/", views.agreement_remove, name="agreement_remove"),
    path("netvaerkskort/barn/<int:child_pk>/", views.network_map, name="network_map"),
    path(
        "netvaerkskort/barn/<int:child_pk>/ny-version/",
        views.network_map_new_version,
        name="network_map_new_version",
    ),
    path("netvaerkskort/<int:pk>/", views.network_map_version, name="network_map_version"),
    path("netvaerkskort/<int:pk>/ret/", views.network_map_edit, name="network_map_edit"),
    path("netvaerkskort/<int:pk>/personer/", views.network_map_person_add, name="network_map_person_add"),
    path(
        "netvaerkskort/personer/<int:person_pk>/",
        views.network_map_person_edit,
        name="network_map_person_edit",
    ),
    path(
        "netvaerkskort/personer/<int:person_pk>/fjern/",
        views.network_map_person_remove,
        name="network_map_person_remove",
    ),
    path("faste-tider/", views.slot_calendar, name="slots"),
    path("faste-tider/udbyd/", views.slot_offer, name="slot_offer"),
    path("faste-tider/<int:pk>/frigiv/", views.slot_release, name="slot_release"),
    path("noegletal/", views.meeting_figures, name="figures"),
]
