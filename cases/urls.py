from django.urls import path

from cases.views import actions, intake, pages

app_name = "cases"

urlpatterns = [
    path("sager/", pages.case_list, name="case_list"),
    path("find-barn/", pages.find_child, name="find_child"),
    path("fordeling/", intake.distribution, name="distribution"),
    path("sager/<int:pk>/", pages.case_detail, name="case_detail"),
    path("sager/<int:pk>/historik/", pages.case_history_page, name="case_history"),
    path("sager/<int:pk>/fordel/", actions.case_assign, name="case_assign"),
    path("sager/<int:pk>/flyt/", actions.case_transfer, name="case_transfer"),
    path("flytninger/<int:pk>/overlevering/", actions.handover_record, name="handover_record"),
    path("sager/<int:pk>/status/", actions.case_state, name="case_state"),
    path("sager/<int:pk>/luk/", actions.case_close, name="case_close"),
    path("sager/<int:pk>/fagpersoner/", actions.participant_add, name="participant_add"),
    path(
        "sager/<int:pk>/fagpersoner/<int:participant_pk>/fjern/",
        actions.participant_remove,
        name="participant_remove",
    ),
    path("sager/<int:pk>/undersoegelse/", actions.investigation_open, name="investigation_open"),
    path("sager/<int:pk>/plan/", actions.plan_create, name="plan_create"),
    path("sager/<int:pk>/journal/", actions.journal_add, name="journal_add"),
    path("undersoegelser/<int:pk>/afslut/", actions.investigation_complete, name="investigation_complete"),
    path("planer/<int:pk>/revider/", actions.plan_revise, name="plan_revise"),
    path("maal/<int:pk>/status/", actions.goal_status, name="goal_status"),
    path("journal/<int:pk>/ret/", actions.journal_correct, name="journal_correct"),
    path("boern/nyt/", actions.child_create, name="child_create"),
    path("boern/<int:pk>/", pages.child_detail, name="child_detail"),
    path("boern/<int:pk>/ret/", actions.child_update, name="child_update"),
    path("boern/<int:pk>/ny-sag/", actions.case_open, name="case_open"),
    path("boern/<int:pk>/relationer/ny/", actions.relation_add, name="relation_add"),
    path("relationer/<int:pk>/ret/", actions.relation_update, name="relation_update"),
    path("underretninger/<int:pk>/vurder/", intake.notification_assess, name="notification_assess"),
    path("underretninger/<int:pk>/kvittering/", intake.notification_receipt, name="notification_receipt"),
]
