"""Who may *write* what: every write rule of the product, answered here and only here.

``cases.access`` decides who may *read* a record; this module decides who may change it. Each
rule is an ``Action`` with a predicate and a reason for refusing:

* ``may(user, action, record)`` answers yes or no (pages use it to show or hide a button);
* ``require(user, action, record)`` raises ``Refused`` (a ``PermissionDenied``) carrying the
  reason in Danish; every write service calls it first, so a page, the API, an import and a
  task meet the same rule;
* ``reason_for(user, action, record)`` is the sentence a refusal shows.

Views and the API only translate a refusal: a page answers 403 with the reason, the API a 403
whose ``detail`` is the reason. A record the person may not read is answered 404 before any of
this is asked (``visible_to``), so its existence is not revealed.

The rules whose records belong to another app (a network meeting, its map, the DUBU exchange)
are registered by that app in its ``AppConfig.ready()`` with ``register``, so this module imports no app above
``cases``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.translation import gettext as _

from herning.organisation.models import Role


class Refused(PermissionDenied):
    """A write the person may not make; ``str(refusal)`` is the reason, in the user's language."""

    def __init__(self, reason: str, *, action: Action | None = None):
        super().__init__(reason)
        self.reason = reason
        self.action = action

    def __str__(self) -> str:
        return str(self.reason)


class Action(StrEnum):
    """The writes the product checks; the record each is asked about is named in the comment."""

    CREATE_CHILD = "create_child"  # None: create a child and open its first case
    EDIT_CHILD = "edit_child"  # the child's open case (None: the child has none)
    EDIT_CASE = "edit_case"  # the case: its contents (state, plan, goals, journal, measures)
    ASSIGN = "assign"  # the case: give it an advisor
    TRANSFER = "transfer"  # the case: move it to another district
    RECORD_HANDOVER = "record_handover"  # the case transfer
    RECORD_SCORES = "record_scores"  # the case: SDQ scores
    RECORD_COMPLAINT = "record_complaint"  # the case: register a complaint and record its outcome
    REGISTER_NOTIFICATION = "register_notification"  # None
    ASSESS_NOTIFICATION = "assess_notification"  # the notification: the 24-hour assessment
    RECORD_RECEIPT = "record_receipt"  # the notification: receipt sent to a professional notifier
    HANDLE_NOTIFICATION = "handle_notification"  # the notification: other writes on it
    SCREEN_NOTIFICATION = "screen_notification"  # the notification: the screening (BL § 18)
    RECORD_FEEDBACK = "record_feedback"  # the notification: feedback to a professional notifier
    RECORD_FOLLOWUP = "record_followup"  # the case of the measure
    REQUEST_EXCEPTION = "request_exception"  # the case of the measure
    APPROVE_EXCEPTION = "approve_exception"  # the case of the measure: approve, reject or revoke
    PLAN_MEETING = "plan_meeting"  # None: plan a network meeting (registered by network_meetings)
    EDIT_MEETING = "edit_meeting"  # the meeting (registered by network_meetings)
    MARK_AGREEMENT_DONE = "mark_agreement_done"  # the agreement (registered by network_meetings)
    EDIT_NETWORK_MAP = "edit_network_map"  # the child (registered by network_meetings)
    DUBU_IMPORT = "dubu_import"  # None: import a DUBU file, and read the record of imports (by dubu)
    DUBU_EXPORT = "dubu_export"  # None: export the readable cases in DUBU's format (by dubu)
    MANAGE_SLOTS = "manage_slots"  # the team (None: any team): offer and release its fixed meeting times
    DECIDE_ACCESS_REQUEST = "decide_access_request"  # the access request: grant or refuse it


@dataclass(frozen=True)
class Rule:
    allows: Callable[[object, object], bool]
    reason: Callable[[object, object], str]


_RULES: dict[Action, Rule] = {}


def register(action: Action, *, allows: Callable, reason: Callable | str) -> None:
    """Make ``allows(user, record)`` the rule of ``action``; ``reason`` is a sentence or
    ``reason(user, record)``. Called here for the rules of ``cases`` and by the app that owns the
    record in its ``AppConfig.ready()``."""
    text = reason
    _RULES[action] = Rule(allows=allows, reason=text if callable(text) else (lambda user, record: str(text)))


def registered() -> frozenset[Action]:
    """The actions that have a rule (every one, once all apps are ready)."""
    return frozenset(_RULES)


def _rule(action: Action) -> Rule:
    try:
        return _RULES[Action(action)]
    except KeyError:
        # Fail closed and loudly: an action nobody registered is a wiring error, not a "no".
        raise ImproperlyConfigured(f"No write rule is registered for {action!r}.") from None


def may(user, action: Action, record=None) -> bool:
    """Whether ``user`` may do ``action`` to ``record``."""
    return bool(_rule(action).allows(user, record))


def reason_for(user, action: Action, record=None) -> str:
    """Why ``user`` may not do ``action`` to ``record``."""
    return str(_rule(action).reason(user, record))


def require(user, action: Action, record=None) -> None:
    """Raise ``Refused`` with the reason unless ``user`` may do ``action`` to ``record``."""
    if not may(user, action, record):
        raise Refused(reason_for(user, action, record), action=Action(action))


# --- The rules of the case -----------------------------------------------------------------------


def _staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.municipality_id)


def can_edit_case(user, case) -> bool:
    """Writes: the case's advisor and the team leader of its team, while the case is open.
    Participants and sharing colleagues read; the duty advisor writes only the assessment."""
    if case is None or not _staff(user) or not user.works_in(case.municipality_id) or not case.is_open:
        return False
    return case.advisor_id == user.pk or user.leads_team(case.team_id)


def _case_reason(case, otherwise: str) -> str:
    return _("Sagen er lukket.") if case is not None and not case.is_open else otherwise


def leads_team_of(user, case) -> bool:
    """Whether ``user`` is team leader of the case's team, in the case's municipality."""
    return _staff(user) and user.works_in(case.municipality_id) and user.leads_team(case.team_id)


def can_assign_case(user, case) -> bool:
    """The team leader of the case's team gives it an advisor (Herningmodellen 1.0: "Teamleder fordeler")."""
    return case.is_open and leads_team_of(user, case)


def can_approve_exception(user, case) -> bool:
    """An exception from a follow-up rule (a postponement, a lighter cadence) applies only when the
    team leader of the case's team approves it; the same person rejects and revokes it."""
    return leads_team_of(user, case)


def can_record_scores(user, case) -> bool:
    """Measurements of the child taken by a professional on the case (SDQ scores): those who may
    write the case and the professionals added to it (the PPR psychologist often gives the
    questionnaire), while the case is open. A colleague of a sharing team reads them only."""
    from cases.models import CaseParticipant

    if can_edit_case(user, case):
        return True
    return (
        _staff(user)
        and case.is_open
        and user.works_in(case.municipality_id)
        and CaseParticipant.objects.for_system().filter(case=case, user=user).exists()
    )


def can_create_child(user) -> bool:
    return _staff(user) and user.has_role(Role.ADVISOR, Role.TEAM_LEADER)


def can_edit_child(user, open_case) -> bool:
    """A child's facts are kept by whoever may write the child's open case."""
    return open_case is not None and can_edit_case(user, open_case)


def can_transfer_case(user, case) -> bool:
    """The case's advisor or team leader moves it to another district when the family moves
    (Herningmodellen 1.0: "Praksis ved flytning af socialrådgivernes sager mellem distrikter")."""
    return can_edit_case(user, case)


def can_record_handover(user, transfer) -> bool:
    """The advisor who gave the case away calls the handover meeting; they, and the team leaders of
    both teams, record it."""
    if not transfer.handover_open or not _staff(user) or not user.works_in(transfer.case.municipality_id):
        return False
    return (
        user.pk == transfer.from_advisor_id
        or user.leads_team(transfer.from_team_id)
        or user.leads_team(transfer.to_team_id)
    )


def can_decide_access_request(user, request) -> bool:
    """A request for access to a child is decided by the team leader it was routed to: the leader of
    the team of the child's case, or, for a child with no case, a team leader of the child's
    district; once."""
    if (
        request.state != request.State.PENDING
        or not _staff(user)
        or not user.works_in(request.child.municipality_id)
    ):
        return False
    if request.team_id is not None:
        return user.leads_team(request.team_id)
    return request.district_id in user.led_district_ids()


# --- The rules of a notification (underretning) --------------------------------------------------


def can_register_notifications(user) -> bool:
    return _staff(user) and user.has_role(Role.CASE_ADMINISTRATOR)


def _readable(user, notification, known_readable: bool) -> bool:
    from cases.models import Notification

    return known_readable or Notification.objects.visible_to(user).filter(pk=notification.pk).exists()


def can_handle_notification(user, notification) -> bool:
    """Writes on a notification besides the assessment (the receipt to a professional notifier):
    whoever handles it, that is its registrant, the duty advisor it is with, the team leader of
    its district while it has no case, and those who may write its case. A colleague of a sharing
    team and a professional added to the case read it and do not write it."""
    if not _staff(user) or not user.works_in(notification.municipality_id):
        return False
    if notification.registered_by_id == user.pk:
        return True
    if user.has_role(Role.DUTY_ADVISOR) and (
        notification.duty_advisor_id == user.pk
        or (notification.district_id in user.duty_district_ids() and notification.assessed_at is None)
    ):
        return True
    if notification.case_id is None:
        return notification.district_id in user.led_district_ids()
    return can_edit_case(user, notification.case)


def can_assess_notification(user, notification, *, known_readable: bool = False) -> bool:
    """The duty advisor (or a team leader) who may read the notification makes the 24-hour
    assessment. ``known_readable``: the caller took the notification from ``visible_to(user)``."""
    return (
        notification.assessed_at is None
        and _staff(user)
        and user.has_role(Role.DUTY_ADVISOR, Role.TEAM_LEADER)
        and _readable(user, notification, known_readable)
    )


def can_record_receipt(user, notification, *, known_readable: bool = False) -> bool:
    """Whoever handles the notification (``can_handle_notification``) may record that the
    professional notifier got a receipt. Those who only read it (a sharing colleague, a
    professional added to the case) may not."""
    from cases.models import Notification

    return (
        notification.notifier_kind == Notification.NotifierKind.PROFESSIONAL
        and notification.receipt_sent_on is None
        and _readable(user, notification, known_readable)
        and can_handle_notification(user, notification)
    )


def can_screen_notification(user, notification, *, known_readable: bool = False) -> bool:
    """The screening of Barnets Lov § 18 is the case's work: those who may write the notification's
    case (its advisor, the team leader), once, while it has a screening deadline."""
    return (
        notification.screening_due_on is not None
        and notification.screened_on is None
        and notification.case_id is not None
        and _readable(user, notification, known_readable)
        and can_edit_case(user, notification.case)
    )


def can_record_feedback(user, notification, *, known_readable: bool = False) -> bool:
    """The feedback to a professional notifier (SEL § 155 b, stk. 2 / Barnets Lov § 136) tells
    what the case came to, so those who may write the case record it, once."""
    from cases.models import Notification

    return (
        notification.notifier_kind == Notification.NotifierKind.PROFESSIONAL
        and notification.feedback_due_on is not None
        and notification.feedback_sent_on is None
        and notification.case_id is not None
        and _readable(user, notification, known_readable)
        and can_edit_case(user, notification.case)
    )


def _screen_reason(user, notification) -> str:
    if notification.screened_on is not None:
        return _("Underretningen er allerede screenet.")
    return _("Kun sagens rådgiver og teamlederen kan screene underretningen.")


def _feedback_reason(user, notification) -> str:
    if notification.feedback_sent_on is not None:
        return _("Tilbagemeldingen er allerede registreret.")
    return _(
        "Der skal ikke registreres en tilbagemelding for denne underretning, eller du kan ikke ændre sagen."
    )


def _assess_reason(user, notification) -> str:
    if notification.assessed_at is not None:
        return _("Underretningen er allerede vurderet.")
    return _("Kun vagten eller teamlederen kan foretage 24-timers vurderingen.")


def _handover_reason(user, transfer) -> str:
    if transfer.handover_held_on:
        return _("Overleveringsmødet er registreret.")
    return _("Kun den afgivende rådgiver og teamlederne kan registrere overleveringsmødet.")


register(
    Action.DECIDE_ACCESS_REQUEST,
    allows=can_decide_access_request,
    reason=lambda user, request: (
        _("Anmodningen er allerede afgjort.")
        if request.state != request.State.PENDING
        else _("Kun den ansvarlige teamleder kan afgøre anmodningen.")
    ),
)
register(
    Action.CREATE_CHILD,
    allows=lambda user, record: can_create_child(user),
    reason=lambda user, record: _("Kun rådgivere og teamledere kan oprette sager."),
)
register(
    Action.EDIT_CHILD,
    allows=can_edit_child,
    reason=lambda user, case: _("Du kan læse barnets oplysninger, men ikke ændre dem."),
)
register(
    Action.EDIT_CASE,
    allows=can_edit_case,
    reason=lambda user, case: _case_reason(case, _("Du kan læse sagen, men ikke ændre den.")),
)
register(
    Action.ASSIGN,
    allows=can_assign_case,
    reason=lambda user, case: _case_reason(case, _("Kun teamlederen for sagens team kan fordele sagen.")),
)
register(
    Action.TRANSFER,
    allows=can_transfer_case,
    reason=lambda user, case: _case_reason(case, _("Du kan ikke flytte denne sag.")),
)
register(Action.RECORD_HANDOVER, allows=can_record_handover, reason=_handover_reason)
register(
    Action.RECORD_SCORES,
    allows=can_record_scores,
    reason=lambda user, case: _(
        "Kun sagens rådgiver, teamlederen og de tilknyttede fagpersoner kan registrere SDQ-scorer i en åben sag."
    ),
)
register(
    Action.RECORD_COMPLAINT,
    allows=can_edit_case,
    reason=lambda user, case: _("Kun sagens rådgiver og teamlederen kan registrere klager i en åben sag."),
)
register(
    Action.REGISTER_NOTIFICATION,
    allows=lambda user, record: can_register_notifications(user),
    reason=lambda user, record: _("Kun administrative medarbejdere registrerer underretninger."),
)
register(Action.ASSESS_NOTIFICATION, allows=can_assess_notification, reason=_assess_reason)
register(
    Action.RECORD_RECEIPT,
    allows=can_record_receipt,
    reason=lambda user, notification: _("Der skal ikke registreres en kvittering for denne underretning."),
)
register(Action.SCREEN_NOTIFICATION, allows=can_screen_notification, reason=_screen_reason)
register(Action.RECORD_FEEDBACK, allows=can_record_feedback, reason=_feedback_reason)
register(
    Action.HANDLE_NOTIFICATION,
    allows=can_handle_notification,
    reason=lambda user, notification: _("Du kan læse underretningen, men ikke ændre den."),
)
register(
    Action.RECORD_FOLLOWUP,
    allows=can_edit_case,
    reason=lambda user, case: _("Du kan ikke registrere opfølgninger på denne sag."),
)
register(
    Action.REQUEST_EXCEPTION,
    allows=can_edit_case,
    reason=lambda user, case: _("Du kan ikke anmode om undtagelser på denne sag."),
)
register(
    Action.APPROVE_EXCEPTION,
    allows=can_approve_exception,
    reason=lambda user, case: _(
        "Kun teamlederen for sagens team kan godkende, afvise og tilbagekalde undtagelser."
    ),
)
