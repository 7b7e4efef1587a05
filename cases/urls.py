from django.urls import path

from cases.views import access_requests, case_work, children, intake, investigations, journal, pages, plans

app_name = "cases"

urlpatterns = [
    path("sager/", pages.case_list, name="case_list"),
    path("find-barn/", pages.find_child, name="find_child"),
    path("fordeling/", intake.distribution, name="distribution"),
    path("sager/<int:pk>/", pages.case_detail, name="case_detail"),
    path("sager/<int:pk>/historik/", pages.case_history_page, name="case_history"),
    path("sager/<int:pk>/historik/seneste/", pages.history_section, name="history_section"),
    path("sager/<int:pk>/afsnit/<slug:key>/", pages.panel_section, name="panel_section"),
    path("sager/<int:pk>/journal/side/", pages.journal_page, name="journal_page"),
    path("boern/<int:pk>/tidslinje/", pages.timeline_section, name="timeline_section"),
    path("sager/<int:pk>/fordel/", case_work.case_assign, name="case_assign"),
    path("sager/<int:pk>/flyt/", case_work.case_transfer, name="case_transfer"),
    path("flytninger/<int:pk>/overlevering/", case_work.handover_record, name="handover_record"),
    path("sager/<int:pk>/status/", case_work.case_state, name="case_state"),
    path("sager/<int:pk>/luk/", case_work.case_close, name="case_close"),
    path("sager/<int:pk>/fagpersoner/", case_work.participant_add, name="participant_add"),
    path(
        "sager/<int:pk>/fagpersoner/<int:participant_pk>/fjern/",
        case_work.participant_remove,
        name="participant_remove",
    ),
    path("sager/<int:pk>/undersoegelse/", investigations.investigation_open, name="investigation_open"),
    path("sager/<int:pk>/plan/", plans.plan_create, name="plan_create"),
    path("sager/<int:pk>/journal/", journal.journal_add, name="journal_add"),
    path(
        "undersoegelser/<int:pk>/afslut/",
        investigations.investigation_complete,
        name="investigation_complete",
    ),
    path(
        "undersoegelser/<int:pk>/opmaerksom/",
        investigations.investigation_aware_on,
        name="investigation_aware_on",
    ),
    path(
        "undersoegelser/<int:pk>/foreloebig-vurdering/",
        investigations.investigation_interim,
        name="investigation_interim",
    ),
    path("planer/<int:pk>/revider/", plans.plan_revise, name="plan_revise"),
    path("planer/<int:pk>/udskrift/", plans.plan_print, name="plan_print"),
    path("planer/<int:pk>/plan.pdf", plans.plan_pdf, name="plan_pdf"),
    path("maal/<int:pk>/status/", plans.goal_status, name="goal_status"),
    path("journal/<int:pk>/ret/", journal.journal_correct, name="journal_correct"),
    path("boern/nyt/", children.child_create, name="child_create"),
    path("adgangsanmodninger/", access_requests.access_requests, name="access_requests"),
    path(
        "adgangsanmodninger/<int:pk>/imoedekom/",
        access_requests.access_request_decide,
        {"grant": True},
        name="access_request_grant",
    ),
    path(
        "adgangsanmodninger/<int:pk>/afvis/",
        access_requests.access_request_decide,
        {"grant": False},
        name="access_request_refuse",
    ),
    path("boern/<int:pk>/", pages.child_detail, name="child_detail"),
    path("boern/<int:pk>/ret/", children.child_update, name="child_update"),
    path("boern/<int:pk>/ny-sag/", children.case_open, name="case_open"),
    path("boern/<int:pk>/relationer/ny/", children.relation_add, name="relation_add"),
    path("relationer/<int:pk>/ret/", children.relation_update, name="relation_update"),
    path("underretninger/<int:pk>/vurder/", intake.notification_assess, name="notification_assess"),
    path("underretninger/<int:pk>/kvittering/", intake.notification_receipt, name="notification_receipt"),
    path("underretninger/<int:pk>/screening/", intake.notification_screening, name="notification_screening"),
    path(
        "underretninger/<int:pk>/tilbagemelding/", intake.notification_feedback, name="notification_feedback"
    ),
]
