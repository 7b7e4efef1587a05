from django.urls import path

from network_meetings.views import consent, documents, figures, meetings, network_map, participants, slots

app_name = "network_meetings"

urlpatterns = [
    path("", meetings.meeting_list, name="list"),
    path("nyt/", meetings.meeting_create, name="create"),
    path("<int:pk>/", meetings.meeting_detail, name="detail"),
    path("<int:pk>/ret/", meetings.meeting_edit, name="edit"),
    path("<int:pk>/aflys/", meetings.meeting_cancel, name="cancel"),
    path("<int:pk>/opfoelgning/", meetings.meeting_follow_up, name="follow_up"),
    path("<int:pk>/deltagere/", participants.meeting_participants, name="participants"),
    path("<int:pk>/deltagere/roller/", participants.meeting_roles, name="roles"),
    path(
        "<int:pk>/deltagere/fra-netvaerkskort/",
        participants.participants_from_map,
        name="participants_from_map",
    ),
    path("<int:pk>/deltagere/<int:participant_pk>/", participants.participant_edit, name="participant_edit"),
    path(
        "<int:pk>/deltagere/<int:participant_pk>/status/",
        participants.participant_status,
        name="participant_status",
    ),
    path(
        "<int:pk>/deltagere/<int:participant_pk>/fjern/",
        participants.participant_remove,
        name="participant_remove",
    ),
    path("<int:pk>/samtykke/", consent.meeting_consent, name="consent"),
    path("<int:pk>/invitation/", documents.meeting_invitation, name="invitation"),
    path("<int:pk>/invitation.pdf", documents.meeting_invitation_pdf, name="invitation_pdf"),
    path("<int:pk>/invitation/send/", documents.meeting_invitation_send, name="invitation_send"),
    path("<int:pk>/referat/", documents.meeting_minutes, name="minutes"),
    path("<int:pk>/referat/udskrift/", documents.minutes_print, name="minutes_print"),
    path("<int:pk>/referat.pdf", documents.minutes_pdf, name="minutes_pdf"),
    path("<int:pk>/referat/send/", documents.minutes_send, name="minutes_send"),
    path("<int:pk>/aftaler/", documents.agreement_add, name="agreement_add"),
    path("<int:pk>/aftaler/<int:agreement_pk>/udfoert/", documents.agreement_done, name="agreement_done"),
    path("<int:pk>/aftaler/<int:agreement_pk>/fjern/", documents.agreement_remove, name="agreement_remove"),
    path("netvaerkskort/barn/<int:child_pk>/", network_map.network_map, name="network_map"),
    path(
        "netvaerkskort/barn/<int:child_pk>/ny-version/",
        network_map.network_map_new_version,
        name="network_map_new_version",
    ),
    path("netvaerkskort/<int:pk>/", network_map.network_map_version, name="network_map_version"),
    path("netvaerkskort/<int:pk>/ret/", network_map.network_map_edit, name="network_map_edit"),
    path(
        "netvaerkskort/<int:pk>/personer/", network_map.network_map_person_add, name="network_map_person_add"
    ),
    path(
        "netvaerkskort/personer/<int:person_pk>/",
        network_map.network_map_person_edit,
        name="network_map_person_edit",
    ),
    path(
        "netvaerkskort/personer/<int:person_pk>/fjern/",
        network_map.network_map_person_remove,
        name="network_map_person_remove",
    ),
    path("faste-tider/", slots.slot_calendar, name="slots"),
    path("faste-tider/udbyd/", slots.slot_offer, name="slot_offer"),
    path("faste-tider/<int:pk>/frigiv/", slots.slot_release, name="slot_release"),
    path("noegletal/", figures.meeting_figures, name="figures"),
]
