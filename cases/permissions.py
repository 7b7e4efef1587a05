"""Who may *write* what on a case, composed from the read rules in ``cases.access``.

``cases.access`` decides who may read a record and, with ``can_edit_case``, who may write a
case's contents. The checks here add the role-bound actions of the intake and distribution work
(register, assess, assign). Pages answer 404 for a record the person may not read, and 403 for a
record they may read but not change.
"""

from __future__ import annotations

from cases.access import can_edit_case, can_handle_notification
from cases.models import Notification
from herning.organisation.models import Role


def can_create_child(user) -> bool:
    return user.has_role(Role.ADVISOR, Role.TEAM_LEADER)


def can_register_notifications(user) -> bool:
    return user.has_role(Role.CASE_ADMINISTRATOR)


def leads_team_of(user, case) -> bool:
    return case.municipality_id == user.municipality_id and case.team_id in {
        t.pk for t in user.teams_for(Role.TEAM_LEADER)
    }


def can_assign_case(user, case) -> bool:
    """The team leader of the case's team gives it an advisor (Herningmodellen 1.0: "Teamleder fordeler")."""
    return case.is_open and leads_team_of(user, case)


def _readable(user, notification: Notification, known_readable: bool) -> bool:
    return known_readable or Notification.objects.visible_to(user).filter(pk=notification.pk).exists()


def can_assess_notification(user, notification: Notification, *, known_readable: bool = False) -> bool:
    """The duty advisor (or a team leader) who may read the notification makes the 24-hour
    assessment. ``known_readable``: the caller took the notification from ``visible_to(user)``."""
    return (
        notification.assessed_at is None
        and user.has_role(Role.DUTY_ADVISOR, Role.TEAM_LEADER)
        and _readable(user, notification, known_readable)
    )


def can_record_receipt(user, notification: Notification, *, known_readable: bool = False) -> bool:
    """Whoever handles the notification (its registrant, the duty advisor, the case's advisor or
    team leader; ``cases.access.can_handle_notification``) may record that the professional
    notifier got a receipt. Those who only read it (a sharing colleague, a professional added to
    the case) may not."""
    return (
        notification.notifier_kind == Notification.NotifierKind.PROFESSIONAL
        and notification.receipt_sent_on is None
        and _readable(user, notification, known_readable)
        and can_handle_notification(user, notification)
    )


def can_edit_child(user, child, open_case) -> bool:
    """A child's facts are kept by whoever may write the child's open case."""
    return open_case is not None and can_edit_case(user, open_case)


def can_transfer_case(user, case) -> bool:
    """The case's advisor or team leader moves it to another district when the family moves (Herningmodellen 1.0,
    "Praksis ved flytning af socialrådgivernes sager mellem distrikter")."""
    return can_edit_case(user, case)


def can_record_handover(user, transfer) -> bool:
    """The advisor who gave the case away calls the handover meeting; they, and the team leaders of
    both teams, record it."""
    if not transfer.handover_open or transfer.case.municipality_id != user.municipality_id:
        return False
    led = {t.pk for t in user.teams_for(Role.TEAM_LEADER)}
    return user.pk == transfer.from_advisor_id or bool(led & {transfer.from_team_id, transfer.to_team_id})
