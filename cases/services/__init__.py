"""Writes to children, cases, notifications, investigations, plans and the journal.

Every function is keyword-only, validates with ``full_clean()`` before saving, runs in one
transaction and records the acting person on the history rows (``acting_as``). They enforce the
rules of the case work (one open case per child, nothing written on a closed case, deadlines).
The package is the app's one write interface (``from cases import services``); its modules follow
the record they write.
"""

from cases.services.access_requests import (
    FORWARDED,
    TooManyAccessRequests,
    access_request_create,
    access_request_decide,
    existing_child,
)
from cases.services.case import (
    AFTERCARE_STAYS,
    MANUAL_STATES,
    PLACEMENT_STAYS,
    case_assign,
    case_close,
    case_open,
    case_participant_add,
    case_participant_remove,
    case_set_state,
    case_transfer,
    handover_record,
    team_for_district,
    transfer_exception,
)
from cases.services.children import (
    child_create,
    child_register_with_case,
    child_update,
    relation_add,
    relation_end,
    relation_update,
)
from cases.services.common import AFTERCARE_AGES, CHILD_FIELDS, RELATION_FIELDS, STATE_LEGAL_BASIS
from cases.services.investigations import (
    default_aware_on,
    investigation_complete,
    investigation_open,
    investigation_record_interim,
    investigation_set_aware_on,
)
from cases.services.journal import journal_add, journal_correct
from cases.services.notifications import (
    notification_assess,
    notification_feedback_sent,
    notification_receipt_sent,
    notification_register,
    notification_screen,
)
from cases.services.plans import (
    GoalData,
    current_plan,
    goal_statuses_set,
    goal_update_status,
    goals_add,
    plan_create,
    plan_kind_for,
    plan_require,
    plan_revise,
)
from cases.services.state import (
    Event,
    apply_state,
    case_measures_changed,
    case_step_set,
    case_transition,
    state_after,
)

__all__ = [
    "AFTERCARE_AGES",
    "AFTERCARE_STAYS",
    "CHILD_FIELDS",
    "FORWARDED",
    "MANUAL_STATES",
    "PLACEMENT_STAYS",
    "RELATION_FIELDS",
    "STATE_LEGAL_BASIS",
    "Event",
    "GoalData",
    "TooManyAccessRequests",
    "access_request_create",
    "access_request_decide",
    "apply_state",
    "case_assign",
    "case_close",
    "case_measures_changed",
    "case_open",
    "case_participant_add",
    "case_participant_remove",
    "case_set_state",
    "case_step_set",
    "case_transfer",
    "case_transition",
    "child_create",
    "child_register_with_case",
    "child_update",
    "current_plan",
    "default_aware_on",
    "existing_child",
    "goal_statuses_set",
    "goal_update_status",
    "goals_add",
    "handover_record",
    "investigation_complete",
    "investigation_open",
    "investigation_record_interim",
    "investigation_set_aware_on",
    "journal_add",
    "journal_correct",
    "notification_assess",
    "notification_feedback_sent",
    "notification_receipt_sent",
    "notification_register",
    "notification_screen",
    "plan_create",
    "plan_kind_for",
    "plan_require",
    "plan_revise",
    "relation_add",
    "relation_end",
    "relation_update",
    "state_after",
    "team_for_district",
    "transfer_exception",
]
